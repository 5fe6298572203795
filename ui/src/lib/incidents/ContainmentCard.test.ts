import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { ContainmentSubscription } from "../bindings/ContainmentSubscription";
import type { IncidentContainmentView } from "../bindings/IncidentContainmentView";
import type { IncidentStatus } from "../bindings/IncidentStatus";
import type { SubscriptionContainmentRequest } from "../bindings/SubscriptionContainmentRequest";
import { INCIDENT_ID } from "../testing/incident-fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import ContainmentCard from "./ContainmentCard.svelte";

const SUB = "5a2a2239-4370-4924-87c3-51941e63b7ef";
const OTHER = "acf70820-7805-4e81-9aef-1d1ce5a5e2ef";
const APP = "592390e9-14bc-4218-b5cd-0a6d23877528";

afterEach(() => {
  cleanup();
  clearMocks();
});

function row(overrides: Partial<ContainmentSubscription> = {}): ContainmentSubscription {
  return {
    subscription_id: SUB,
    application_id: APP,
    application_name: "Billing",
    description: "Failing target (500)",
    target_method: "POST",
    target_url: "https://acme.example/hooks/fail",
    is_enabled: true,
    deleted: false,
    action: "disable",
    blocked_reason: null,
    ...overrides,
  };
}

function card(status: IncidentStatus, rows: ContainmentSubscription[]): IncidentContainmentView {
  return {
    incident_id: INCIDENT_ID,
    status,
    rule: "subscriptions can be disabled now, and re-enabled in Recovery once the cause is removed",
    subscriptions: rows,
    unknown_subscription_ids: [],
  };
}

function show(handlers: CommandHandlers, status: IncidentStatus = "containment") {
  const calls = mockCommands(handlers);
  const onchange = vi.fn();
  render(ContainmentCard, { props: { incidentId: INCIDENT_ID, status, onchange } });
  return { calls, onchange };
}

function requests(calls: ReturnType<typeof mockCommands>): SubscriptionContainmentRequest[] {
  return callsTo(calls, "incident_set_subscription_enabled").map(
    (c) => (c.args as { request: SubscriptionContainmentRequest }).request,
  );
}

async function approve(code: string): Promise<void> {
  await fireEvent.input(screen.getByLabelText("Code"), { target: { value: code } });
  const dialog = screen.getByRole("dialog");
  await fireEvent.click(within(dialog).getByRole("button", { name: /^(Disable|Re-enable)$/ }));
}

describe("ContainmentCard", () => {
  it("lists the scope's subscriptions with their state and only the allowed action", async () => {
    show({
      incident_containment: () =>
        card("containment", [
          row(),
          row({
            subscription_id: OTHER,
            description: "OK target",
            target_url: "https://ok.example/hooks",
            is_enabled: false,
            action: null,
            blocked_reason: "cannot re-enable a subscription while the incident is in containment",
          }),
        ]),
    });
    const list = await screen.findByRole("list", { name: "Subscriptions in scope" });
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(items[0]!.textContent).toContain("POST https://acme.example/hooks/fail");
    expect(items[0]!.textContent).toContain("Billing");
    expect(screen.getByTestId(`contain-state-${SUB}`).textContent?.trim()).toBe("Enabled");
    expect(screen.getByTestId(`contain-state-${OTHER}`).textContent?.trim()).toBe("Disabled");
    expect(screen.getByTestId(`contain-disable-${SUB}`)).toBeTruthy();
    expect(screen.queryByTestId(`contain-enable-${OTHER}`)).toBeNull();
    expect(items[1]!.textContent).toContain("cannot re-enable a subscription while the incident is in containment");
  });

  it("states the phase rule once, as a sentence, rather than on every row", async () => {
    const rule = "the response is over: subscriptions are no longer changed from here";
    show(
      {
        incident_containment: () => ({
          ...card("closed", [row({ action: null, blocked_reason: `cannot disable a subscription while the incident is in closed: ${rule}` })]),
          rule,
        }),
      },
      "closed",
    );
    const card_ = await screen.findByTestId("containment-card");
    await waitFor(() => expect(card_.querySelector(".rule")?.textContent).toBe("The response is over: subscriptions are no longer changed from here"));
    expect(card_.textContent?.split(rule).length).toBe(1);
    expect(screen.queryByRole("button", { name: /Disable|Re-enable/ })).toBeNull();
  });

  it("disables with a step-up code, shows the new state and tells the page to read the incident", async () => {
    const { calls, onchange } = show({
      incident_containment: () => card("containment", [row()]),
      incident_set_subscription_enabled: () =>
        card("containment", [row({ is_enabled: false, action: null, blocked_reason: "re-enabling waits for Recovery" })]),
    });
    await fireEvent.click(await screen.findByRole("button", { name: "Disable Failing target (500)" }));
    const dialog = screen.getByRole("dialog", { name: "Disable subscription" });
    expect(dialog.textContent).toContain("POST https://acme.example/hooks/fail");

    await approve("123 456");

    await waitFor(() => expect(screen.getByTestId(`contain-state-${SUB}`).textContent?.trim()).toBe("Disabled"));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(requests(calls)).toEqual([
      { incident_id: INCIDENT_ID, subscription_id: SUB, enabled: false, code: "123456" },
    ]);
    expect(onchange).toHaveBeenCalledTimes(1);
  });

  it("re-enables in Recovery", async () => {
    const { calls } = show(
      {
        incident_containment: () => card("recovery", [row({ is_enabled: false, action: "enable" })]),
        incident_set_subscription_enabled: () => card("recovery", [row()]),
      },
      "recovery",
    );
    await fireEvent.click(await screen.findByTestId(`contain-enable-${SUB}`));
    expect(screen.getByRole("dialog", { name: "Re-enable subscription" })).toBeTruthy();
    await approve("654321");
    await waitFor(() => expect(requests(calls)).toHaveLength(1));
    expect(requests(calls)[0]!.enabled).toBe(true);
  });

  it("keeps a wrong code in the dialog and shows any other refusal word for word on the card", async () => {
    let tries = 0;
    const refusal = "cannot reach http://127.0.0.1:9/api/v1/subscriptions/x: Connection refused";
    const { onchange } = show({
      incident_containment: () => card("containment", [row()]),
      incident_set_subscription_enabled: () => {
        tries += 1;
        throw tries === 1 ? rejection("wrong_code", "not the current code") : rejection("unreachable", refusal);
      },
    });
    await fireEvent.click(await screen.findByTestId(`contain-disable-${SUB}`));
    await approve("000000");
    const dialog = screen.getByRole("dialog");
    expect((await within(dialog).findByRole("alert")).textContent).toContain("Code not accepted");

    await approve("111111");
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    const alert = screen.getByRole("alert");
    expect(alert.querySelector(".message")?.textContent).toBe(refusal);
    expect(screen.getByTestId(`contain-state-${SUB}`).textContent?.trim()).toBe("Enabled");
    expect(onchange).not.toHaveBeenCalled();
  });

  it("says when the scope could not be read, and reads again on request", async () => {
    let reads = 0;
    show({
      incident_containment: () => {
        reads += 1;
        if (reads === 1) {
          throw rejection("storage", "cannot open the cache");
        }
        return card("containment", [row()]);
      },
    });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Could not read the scope's subscriptions");
    await fireEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByTestId(`contain-disable-${SUB}`)).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("reads again when the phase changes", async () => {
    const { calls } = show({ incident_containment: () => card("containment", [row()]) });
    await screen.findByTestId(`contain-disable-${SUB}`);
    expect(callsTo(calls, "incident_containment")).toHaveLength(1);
    cleanup();
    const again = mockCommands({ incident_containment: () => card("recovery", [row()]) });
    const { rerender } = render(ContainmentCard, {
      props: { incidentId: INCIDENT_ID, status: "eradication", onchange: () => undefined },
    });
    await waitFor(() => expect(callsTo(again, "incident_containment")).toHaveLength(1));
    await rerender({ incidentId: INCIDENT_ID, status: "recovery", onchange: () => undefined });
    await waitFor(() => expect(callsTo(again, "incident_containment")).toHaveLength(2));
  });
});
