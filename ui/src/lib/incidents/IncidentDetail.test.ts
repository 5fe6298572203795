import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import type { IncidentAdvanceRequest } from "../bindings/IncidentAdvanceRequest";
import type { IncidentNoteRequest } from "../bindings/IncidentNoteRequest";
import type { IncidentPatch } from "../bindings/IncidentPatch";
import type { IncidentTickRequest } from "../bindings/IncidentTickRequest";
import type { IncidentView } from "../bindings/IncidentView";
import { ConsoleState } from "../console-state.svelte";
import { APP_ID, SUBSCRIPTION_ID, filterOptions, status } from "../testing/fixtures";
import { entry, INCIDENT_ID, incidentView, statusDraft } from "../testing/incident-fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import IncidentDetail from "./IncidentDetail.svelte";
import IncidentsPage from "./IncidentsPage.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

function setUp(handlers: CommandHandlers = {}, view: IncidentView = incidentView()) {
  window.history.replaceState(null, "", `/#/incidents?id=${INCIDENT_ID}`);
  const calls = mockCommands({
    incident: () => view,
    incident_containment: () => ({
      incident_id: INCIDENT_ID,
      status: view.incident.status,
      rule: "",
      subscriptions: [],
      unknown_subscription_ids: [],
    }),
    incident_status_draft: ({ audience }) => statusDraft(audience),
    ...handlers,
  });
  const consoleState = new ConsoleState();
  consoleState.status = status();
  render(IncidentsPage, { props: { consoleState } });
  return calls;
}

function requests<T>(calls: ReturnType<typeof setUp>, cmd: Parameters<typeof callsTo>[1]): T[] {
  return callsTo(calls, cmd).map((c) => (c.args as { request: T }).request);
}

describe("IncidentDetail", () => {
  it("shows the stepper, the current phase's checklist first with its overdue flag and deadline", async () => {
    setUp();
    await screen.findByRole("heading", { level: 2, name: "Webhooks to Acme time out" });
    const stepper = screen.getByRole("list", { name: "Phases" });
    expect(within(stepper).getAllByRole("listitem").map((li) => li.getAttribute("data-state"))).toEqual([
      "past",
      "past",
      "current",
      "next",
      "next",
      "next",
      "next",
    ]);
    expect(stepper.querySelector('[aria-current="step"]')?.textContent).toContain("Containment");

    const current = screen.getByRole("region", { name: "Current phase: Containment" });
    const items = within(current).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByTestId("overdue").textContent).toBe("Overdue");
    expect(items[0]!.textContent).toContain("Required");
    expect(within(items[1]!).queryByTestId("overdue")).toBeNull();
    expect(within(items[1]!).getByTestId("deadline").textContent).toMatch(/^GDPR Art\. 33 — due .+ — 41 h left$/);
    // The other phases are folded, the current one is not among them.
    const folded = [...document.querySelectorAll("details.phase")].map((d) => d.getAttribute("data-phase"));
    expect(folded).toEqual(["identification", "eradication", "recovery", "lessons_learned"]);
  });

  it("ticks an item with its note through incident_tick, and unticks a done one", async () => {
    const ticked = incidentView();
    ticked.phases[1]!.items[0]!.item.done_at = "2026-11-30T17:01:00Z";
    ticked.phases[1]!.items[0]!.item.done_by = "operator";
    ticked.phases[1]!.items[0]!.overdue = false;
    const calls = setUp({ incident_tick: () => ticked, incident_untick: () => incidentView() });
    const current = await screen.findByRole("region", { name: "Current phase: Containment" });

    await fireEvent.input(within(current).getByRole("textbox", { name: "Note for Pause the failing subscription" }), {
      target: { value: "paused in Hook0" },
    });
    await fireEvent.click(within(current).getByRole("checkbox", { name: "Pause the failing subscription" }));
    await waitFor(() => expect(within(current).queryByTestId("overdue")).toBeNull());
    expect(requests<IncidentTickRequest>(calls, "incident_tick")).toEqual([
      { incident_id: INCIDENT_ID, phase: "containment", position: 0, note: "paused in Hook0" },
    ]);

    await fireEvent.click(within(current).getByRole("checkbox", { name: "Pause the failing subscription" }));
    await waitFor(() => expect(requests<IncidentTickRequest>(calls, "incident_untick")).toEqual([
      { incident_id: INCIDENT_ID, phase: "containment", position: 0 },
    ]));
  });

  it("shows any other refusal of the move as it is, without asking a reason", async () => {
    setUp({
      incident_advance: () => {
        throw rejection("invalid_input", "an incident in containment cannot move to recovery (next is eradication)");
      },
    });
    await fireEvent.click(await screen.findByRole("button", { name: "Move to Eradication" }));
    expect((await screen.findByRole("alert")).textContent).toContain("cannot move to recovery");
    expect(screen.queryByRole("form", { name: "Reason to move on" })).toBeNull();
  });

  it("asks a reason when required items are open, showing the refusal, then retries with it", async () => {
    const refusal =
      "1 required item(s) of containment are still open (Pause the failing subscription): give a reason to move on";
    const calls = setUp({
      incident_advance: ({ request }) => {
        if (request.reason === undefined) {
          throw {
            ...rejection("invalid_input", refusal),
            detail: { kind: "required_items_open", phase: "containment", open_items: ["Pause the failing subscription"] },
          };
        }
        return incidentView({ status: "eradication" });
      },
    });
    await fireEvent.click(await screen.findByRole("button", { name: "Move to Eradication" }));

    const form = await screen.findByRole("form", { name: "Reason to move on" });
    expect(within(form).getByRole("alert").textContent).toContain("1 required item is still open");
    const open = within(form).getByRole("list", { name: "Required items still open" });
    expect(within(open).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["Pause the failing subscription"]);
    await fireEvent.input(within(form).getByLabelText("Why move on with them open?"), {
      target: { value: "Subscription deleted by the customer" },
    });
    await fireEvent.click(within(form).getByRole("button", { name: "Move to Eradication with this reason" }));

    await waitFor(() => expect(screen.getByTestId("incident-status").textContent).toBe("Eradication"));
    expect(requests<IncidentAdvanceRequest>(calls, "incident_advance")).toEqual([
      { incident_id: INCIDENT_ID },
      { incident_id: INCIDENT_ID, reason: "Subscription deleted by the customer" },
    ]);
    expect(screen.getByRole("button", { name: "Move to Recovery" })).toBeTruthy();
  });

  it("adds a back-dated decision, placed in time order and marked", async () => {
    const local = "2026-11-29T12:30";
    const calls = setUp({
      incident_note: ({ request }) =>
        entry({
          id: 3,
          kind: request.kind,
          text: request.text,
          at: request.at ?? "2026-11-30T17:00:00Z",
          recorded_at: "2026-11-30T17:00:00Z",
          backdated: request.at !== undefined,
        }),
    });
    const timeline = await screen.findByRole("region", { name: "Timeline" });
    const form = within(timeline).getByRole("form", { name: "Add to the timeline" });
    await fireEvent.change(within(form).getByLabelText("Entry"), { target: { value: "decision" } });
    await fireEvent.input(within(form).getByLabelText("Happened at (if earlier)"), { target: { value: local } });
    await fireEvent.input(within(form).getByLabelText("Text"), { target: { value: "Keep the endpoint paused" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Add to timeline" }));

    const list = within(timeline).getByRole("list", { name: "Timeline, oldest first" });
    await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(3));
    const texts = within(list).getAllByRole("listitem").map((li) => li.textContent ?? "");
    // Declared (29 Nov 10:20), the back-dated decision (29 Nov 12:30), then containment (30 Nov).
    expect(texts[1]).toContain("Keep the endpoint paused");
    expect(texts[1]).toContain("Decision");
    expect(texts[1]).toContain("Back-dated");
    expect(texts[0]).not.toContain("Back-dated");
    expect(requests<IncidentNoteRequest>(calls, "incident_note")).toEqual([
      { incident_id: INCIDENT_ID, kind: "decision", text: "Keep the endpoint paused", at: new Date(local).toISOString() },
    ]);
  });

  it("saves title, severity and roles as a patch", async () => {
    const calls = setUp({ incident_update: () => incidentView({ title: "Acme down", severity: "sev1" }) });
    const form = await screen.findByRole("form", { name: "Edit incident" });
    await fireEvent.input(within(form).getByLabelText("Title"), { target: { value: "Acme down" } });
    await fireEvent.change(within(form).getByLabelText("Severity"), { target: { value: "sev1" } });
    await fireEvent.input(within(form).getByLabelText("Communications"), { target: { value: "Carol" } });
    expect((within(form).getByLabelText("Impact started at") as HTMLInputElement).value).toBe("");
    await fireEvent.click(within(form).getByRole("button", { name: "Save changes" }));

    await screen.findByRole("heading", { level: 2, name: "Acme down" });
    expect(callsTo(calls, "incident_update")[0]?.args).toEqual({
      incident_id: INCIDENT_ID,
      patch: {
        title: "Acme down",
        severity: "sev1",
        roles: { commander: "Alice", scribe: "Bob", communications: "Carol" },
        scope: null,
        impact_started_at: null,
      },
    });
  });

  it("shows the scope by name and edits it from the cache's applications and subscriptions", async () => {
    const scoped = incidentView({ scope: { organization_ids: [], application_ids: [APP_ID], subscription_ids: [] } });
    const calls = setUp(
      {
        filter_options: () => filterOptions(),
        incident_update: ({ patch }) => incidentView({ scope: patch.scope ?? scoped.incident.scope }),
      },
      scoped,
    );
    await waitFor(() => expect(screen.getByTestId("scope-applications").textContent).toBe("Billing webhooks"));
    expect(screen.getByTestId("scope-subscriptions").textContent).toBe("All");

    const form = await screen.findByRole("form", { name: "Edit incident" });
    await fireEvent.click(within(form).getByRole("button", { name: "Subscriptions: Any" }));
    await fireEvent.click(await within(form).findByRole("checkbox", { name: /Invoices to ERP/ }));
    await fireEvent.click(within(form).getByRole("button", { name: "Save changes" }));

    await waitFor(() => expect(callsTo(calls, "incident_update")).toHaveLength(1));
    expect((callsTo(calls, "incident_update")[0]?.args as { patch: IncidentPatch }).patch.scope).toEqual({
      organization_ids: [],
      application_ids: [APP_ID],
      subscription_ids: [SUBSCRIPTION_ID],
    });
    await waitFor(() =>
      expect(screen.getByTestId("scope-subscriptions").textContent).toBe("https://erp.example.com/hooks/invoices"),
    );
  });

  it("sends when impact started only once the field changed", async () => {
    const started = "2026-11-29T09:40:30Z";
    const view = incidentView({ milestones: { ...incidentView().incident.milestones, impact_started_at: started } });
    const calls = setUp({ incident_update: () => view }, view);
    const form = await screen.findByRole("form", { name: "Edit incident" });
    const field = within(form).getByLabelText("Impact started at") as HTMLInputElement;
    expect(field.value).not.toBe("");
    await fireEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    await within(form).findByRole("status");
    await fireEvent.input(field, { target: { value: "2026-11-29T09:00" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(callsTo(calls, "incident_update")).toHaveLength(2));
    const sent = callsTo(calls, "incident_update").map(
      (c) => (c.args as { patch: { impact_started_at: string | null } }).patch.impact_started_at,
    );
    expect(sent).toEqual([null, new Date("2026-11-29T09:00").toISOString()]);
  });

  it("keeps what is typed in the edit form when a tick refreshes the incident", async () => {
    setUp({ incident_tick: () => incidentView({ title: "Refreshed title" }) });
    const form = await screen.findByRole("form", { name: "Edit incident" });
    await fireEvent.input(within(form).getByLabelText("Title"), { target: { value: "Typed, not saved" } });
    await fireEvent.click(screen.getByRole("checkbox", { name: "Pause the failing subscription" }));

    await screen.findByRole("heading", { level: 2, name: "Refreshed title" });
    expect((within(form).getByLabelText("Title") as HTMLInputElement).value).toBe("Typed, not saved");
  });

  it("reads an open incident again so that overdue and time left stay current", async () => {
    const later = incidentView();
    later.now = "2026-12-02T11:00:00Z";
    later.phases[1]!.items[1]!.deadline_passed = true;
    let reads = 0;
    const calls = mockCommands({ incident: () => (++reads === 1 ? incidentView() : later) });
    render(IncidentDetail, { props: { incidentId: INCIDENT_ID, refreshMs: 20 } });

    expect((await screen.findByTestId("deadline")).textContent).toMatch(/41 h left$/);
    await waitFor(() => expect(screen.getByTestId("deadline").textContent).toMatch(/— passed$/));
    expect(callsTo(calls, "incident").length).toBeGreaterThan(1);
  });

  it("reads the incident again after a containment action, so its timeline shows it", async () => {
    const sub = "5a2a2239-4370-4924-87c3-51941e63b7ef";
    const row = {
      subscription_id: sub,
      application_id: "592390e9-14bc-4218-b5cd-0a6d23877528",
      application_name: "Billing",
      description: "Acme endpoint",
      target_method: "POST",
      target_url: "https://acme.example/hooks",
      is_enabled: true,
      deleted: false,
      action: "disable" as const,
      blocked_reason: null,
    };
    const card = (enabled: boolean) => ({
      incident_id: INCIDENT_ID,
      status: "containment" as const,
      rule: "subscriptions can be disabled now",
      subscriptions: [{ ...row, is_enabled: enabled, action: enabled ? ("disable" as const) : null }],
      unknown_subscription_ids: [],
    });
    const after = incidentView();
    after.timeline = [
      ...after.timeline,
      entry({ id: 9, kind: "action", text: "Disabled subscription “Acme endpoint” (POST https://acme.example/hooks)" }),
    ];
    let disabled = false;
    const calls = setUp({
      incident: () => (disabled ? after : incidentView()),
      incident_containment: () => card(!disabled),
      incident_set_subscription_enabled: () => {
        disabled = true;
        return card(false);
      },
    });
    await fireEvent.click(await screen.findByTestId(`contain-disable-${sub}`));
    await fireEvent.input(screen.getByLabelText("Code"), { target: { value: "123456" } });
    await fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Disable" }));

    const timeline = screen.getByRole("list", { name: "Timeline, oldest first" });
    await waitFor(() => expect(timeline.textContent).toContain("Disabled subscription “Acme endpoint”"));
    expect(callsTo(calls, "incident").length).toBe(2);
  });

  it("shows a closed incident without any control but its exports", async () => {
    setUp({}, incidentView({ status: "closed", milestones: { ...incidentView().incident.milestones, closed_at: "2026-11-30T16:00:00Z" } }));
    const article = await screen.findByRole("article");
    expect(within(article).getByTestId("incident-status").textContent).toBe("Closed");
    // The record is read-only; exporting its report or bundle is reading it.
    expect(within(article).queryAllByRole("button").map((b) => b.getAttribute("data-testid"))).toEqual([
      "export-report-markdown",
      "export-report-html",
      "export-report-json",
      "export-bundle",
    ]);
    expect(within(article).queryAllByRole("checkbox")).toEqual([]);
    expect(within(article).queryAllByRole("textbox")).toEqual([]);
    expect(within(article).queryByRole("form")).toBeNull();
    expect(article.textContent).toContain("Pause the failing subscription");
  });
});
