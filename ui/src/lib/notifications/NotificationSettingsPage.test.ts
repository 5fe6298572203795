import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { NotificationSettings } from "../bindings/NotificationSettings";
import { ConsoleState } from "../console-state.svelte";
import { PRODUCTION, status } from "../testing/fixtures";
import { SUB_INVOICES, SUB_PARCELS, filterOptions } from "../testing/failures-fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import NotificationSettingsPage from "./NotificationSettingsPage.svelte";

afterEach(() => {
  clearMocks();
});

function settings(overrides: Partial<NotificationSettings> = {}): NotificationSettings {
  return { profile_id: PRODUCTION.id, muted: false, muted_subscriptions: [SUB_PARCELS], incident_reminders_muted: false, ...overrides };
}

function setUp(handlers: CommandHandlers = {}) {
  let current = settings();
  const calls = mockCommands({
    notification_settings: () => current,
    filter_options: () => filterOptions(),
    list_profiles: () => [PRODUCTION],
    set_notifications_muted: ({ muted }) => (current = { ...current, muted }),
    set_incident_reminders_muted: ({ muted }) => (current = { ...current, incident_reminders_muted: muted }),
    set_subscription_muted: ({ subscription_id, muted }) =>
      (current = {
        ...current,
        muted_subscriptions: muted
          ? [...current.muted_subscriptions, subscription_id]
          : current.muted_subscriptions.filter((id) => id !== subscription_id),
      }),
    ...handlers,
  });
  const consoleState = new ConsoleState();
  consoleState.status = status({ active_profile: PRODUCTION });
  render(NotificationSettingsPage, { props: { consoleState } });
  return calls;
}

describe("NotificationSettingsPage", () => {
  it("explains the spike rule and shows the profile's settings", async () => {
    setUp();

    expect(screen.getByRole("heading", { level: 1, name: "Notifications" })).toBeTruthy();
    expect(screen.getByText(/failures in the last hour well above its usual rate/).textContent).toContain("(Production)");
    const profile = await screen.findByRole("switch", { name: "Notify failure spikes" });
    expect(profile.getAttribute("aria-checked")).toBe("true");
  });

  it("lists the subscriptions by application, each with its own switch", async () => {
    setUp();

    const billing = await screen.findByRole("list", { name: "Billing webhooks" });
    const shipping = screen.getByRole("list", { name: "Shipping events" });
    expect(within(billing).getByRole("switch", { name: "Notify spikes of Invoices to ERP" }).getAttribute("aria-checked")).toBe("true");
    const parcels = within(shipping).getByRole("switch", { name: "Notify spikes of Parcel tracking" });
    expect(parcels.getAttribute("aria-checked")).toBe("false");
    expect(within(shipping).getByText("Muted")).toBeTruthy();
    // Without a description, the target names the subscription.
    expect(within(shipping).getByRole("switch", { name: "Notify spikes of https://bare.example.org/webhook" })).toBeTruthy();
  });

  it("mutes and unmutes the whole profile", async () => {
    const calls = setUp();
    const profile = await screen.findByRole("switch", { name: "Notify failure spikes" });

    await fireEvent.click(profile);

    await vi.waitFor(() => expect(profile.getAttribute("aria-checked")).toBe("false"));
    expect(callsTo(calls, "set_notifications_muted").map((c) => c.args)).toEqual([{ muted: true }]);
    expect(screen.getByRole("status").textContent).toContain("Failure-spike notifications muted for this profile.");
    expect(screen.getByText("The whole profile is muted: these choices apply once it is on again.")).toBeTruthy();
    await vi.waitFor(() => expect(callsTo(calls, "list_profiles")).toHaveLength(1));

    await fireEvent.click(profile);

    await vi.waitFor(() => expect(profile.getAttribute("aria-checked")).toBe("true"));
    expect(callsTo(calls, "set_notifications_muted").map((c) => c.args)).toEqual([{ muted: true }, { muted: false }]);
  });

  it("mutes and unmutes incident reminders apart from failure spikes", async () => {
    const calls = setUp();
    const reminders = await screen.findByRole("switch", { name: "Incident reminders" });
    expect(reminders.getAttribute("aria-checked")).toBe("true");

    await fireEvent.click(reminders);

    await vi.waitFor(() => expect(reminders.getAttribute("aria-checked")).toBe("false"));
    expect(callsTo(calls, "set_incident_reminders_muted").map((c) => c.args)).toEqual([{ muted: true }]);
    expect(screen.getByRole("status").textContent).toContain("Incident reminders muted for this profile.");
    expect(screen.getByText(/no reminder of overdue checklist items or deadlines/)).toBeTruthy();
    expect(screen.getByRole("switch", { name: "Notify failure spikes" }).getAttribute("aria-checked")).toBe("true");
    expect(callsTo(calls, "set_notifications_muted")).toHaveLength(0);
  });

  it("mutes one subscription and unmutes another", async () => {
    const calls = setUp();
    const invoices = await screen.findByRole("switch", { name: "Notify spikes of Invoices to ERP" });
    const parcels = screen.getByRole("switch", { name: "Notify spikes of Parcel tracking" });

    await fireEvent.click(invoices);
    await vi.waitFor(() => expect(invoices.getAttribute("aria-checked")).toBe("false"));
    expect(screen.getByRole("status").textContent).toContain("Spikes of “Invoices to ERP” are no longer notified.");

    await fireEvent.click(parcels);
    await vi.waitFor(() => expect(parcels.getAttribute("aria-checked")).toBe("true"));

    expect(callsTo(calls, "set_subscription_muted").map((c) => c.args)).toEqual([
      { subscription_id: SUB_INVOICES, muted: true },
      { subscription_id: SUB_PARCELS, muted: false },
    ]);
    expect(callsTo(calls, "set_notifications_muted")).toHaveLength(0);
    expect(screen.getByRole("switch", { name: "Notify spikes of https://bare.example.org/webhook" }).getAttribute("aria-checked")).toBe("true");
  });

  it("keeps the switch as it was when the change is refused", async () => {
    setUp({
      set_subscription_muted: () => {
        throw rejection("storage", "the settings file is read-only");
      },
    });
    const invoices = await screen.findByRole("switch", { name: "Notify spikes of Invoices to ERP" });

    await fireEvent.click(invoices);

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Could not change the notifications");
    expect(alert.textContent).toContain("the settings file is read-only");
    expect(invoices.getAttribute("aria-checked")).toBe("true");
    expect(invoices.hasAttribute("disabled")).toBe(false);
  });

  it("shows the loading state, then why the settings cannot be read", async () => {
    let fail = true;
    setUp({
      notification_settings: () => {
        if (fail) {
          throw rejection("locked", "the console is locked");
        }
        return settings();
      },
    });

    expect(screen.getByLabelText("Loading the notification settings").getAttribute("aria-busy")).toBe("true");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Could not load the notification settings");

    fail = false;
    await fireEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("switch", { name: "Notify failure spikes" })).toBeTruthy();
  });

  it("says so when no subscription is cached yet", async () => {
    setUp({ filter_options: () => filterOptions({ applications: [], subscriptions: [] }) });

    expect(await screen.findByText(/No subscription in the local cache yet/)).toBeTruthy();
  });
});
