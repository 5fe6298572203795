import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import type { IncidentListFilter } from "../bindings/IncidentListFilter";
import type { NewIncident } from "../bindings/NewIncident";
import type { PreparationTickRequest } from "../bindings/PreparationTickRequest";
import { ConsoleState } from "../console-state.svelte";
import { status } from "../testing/fixtures";
import {
  INCIDENT_ID,
  evidence,
  incident,
  incidentView,
  listed,
  metrics,
  preparation,
  templates,
} from "../testing/incident-fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import { palette } from "../shell/palette.svelte";
import { localInputValue } from "./labels";
import { spikeDeclareHash } from "./route";
import IncidentsPage from "./IncidentsPage.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

const OPEN = listed(
  { id: "open-1", title: "Acme timeouts", created_at: "2026-11-29T10:20:00Z" },
  { overdue: 2, deadlines_passed: 1, next_deadline: { label: "GDPR Art. 33", at: "2099-01-01T00:00:00Z" } },
);
const CLOSED = listed({
  id: "closed-1",
  title: "Old leak",
  kind: "leaked_secret",
  severity: "sev1",
  status: "closed",
  created_at: "2026-11-30T08:00:00Z",
});

function setUp(hash: string, handlers: CommandHandlers = {}) {
  window.history.replaceState(null, "", `/${hash}`);
  const calls = mockCommands({
    incidents: ({ filter }) => ({ open: [OPEN], closed: [CLOSED], all: [CLOSED, OPEN] })[filter],
    incident_preparation: () => preparation(),
    incident_metrics: () => metrics(),
    incident_templates: () => templates(),
    incident: () => incidentView(),
    ...handlers,
  });
  const consoleState = new ConsoleState();
  consoleState.status = status();
  render(IncidentsPage, { props: { consoleState } });
  return calls;
}

function rows(): string[] {
  const table = screen.getByRole("table", { name: "Incidents, open first" });
  return within(table)
    .getAllByRole("row")
    .slice(1)
    .map((row) => row.textContent?.replace(/\s+/g, " ").trim() ?? "");
}

describe("IncidentsPage, home", () => {
  it("lists open incidents, then filters closed and all with open ones first", async () => {
    const calls = setUp("#/incidents");
    await screen.findByRole("link", { name: "Acme timeouts" });
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toContain("SEV2");
    expect(rows()[0]).toContain("Delivery outage");
    expect(rows()[0]).toContain("Containment");
    expect(screen.getByRole("link", { name: "Acme timeouts" }).getAttribute("href")).toBe("#/incidents?id=open-1");

    await fireEvent.click(screen.getByRole("radio", { name: "Closed" }));
    await screen.findByRole("link", { name: "Old leak" });
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toContain("SEV1");
    expect(rows()[0]).toContain("Closed");

    await fireEvent.click(screen.getByRole("radio", { name: "All" }));
    await waitFor(() => expect(rows()).toHaveLength(2));
    // The closed one was declared later, yet the open one comes first.
    expect(rows()[0]).toContain("Acme timeouts");
    expect(rows()[1]).toContain("Old leak");
    // What needs attention: passed deadlines, overdue items, the next deadline; nothing for the closed one.
    const attention = screen.getAllByTestId("incident-attention").map((cell) => cell.textContent?.replace(/\s+/g, " ").trim());
    expect(attention[0]).toMatch(/^1 deadline passed 2 overdue .+ left$/);
    expect(attention[1]).toBe("—");
    expect(callsTo(calls, "incidents").map((c) => (c.args as { filter: IncidentListFilter }).filter)).toEqual([
      "open",
      "closed",
      "all",
    ]);
    expect(screen.getByRole("link", { name: "Declare incident" }).getAttribute("href")).toBe("#/incidents?new");
  });

  it("offers Declare incident in the command palette while shown", async () => {
    setUp("#/incidents");
    const command = palette.commands.find((c) => c.title === "Declare incident");
    expect(command).toBeDefined();
    await command!.run();
    expect(window.location.hash).toBe("#/incidents?new");
    cleanup();
    expect(palette.commands.find((c) => c.title === "Declare incident")).toBeUndefined();
  });

  it("shows readiness, computed facts as such, and ticks an operator item with its note", async () => {
    const calls = setUp("#/incidents", {
      incident_preparation_tick: () => {
        const view = preparation();
        const check = view.status.checks[2]!;
        check.ok = true;
        check.source = "ticked";
        check.tick = { done_at: "2026-11-30T17:00:00Z", done_by: "operator", note: "team safe" };
        view.status.missing = ["notification_channel_working"];
        return view;
      },
    });
    const card = await screen.findByRole("region", { name: "Preparation" });
    await within(card).findByText(/Not ready/);
    expect(within(card).getByTestId("preparation-verdict").textContent).toContain(
      "Recovery codes stored safely; Notification channel works",
    );
    // A computed fact is not the operator's to tick.
    expect(within(card).queryByRole("checkbox", { name: "Two-factor gate enrolled" })).toBeNull();
    expect(card.textContent).toContain("computed by the console");

    await fireEvent.input(within(card).getByRole("textbox", { name: "Note for Recovery codes stored safely" }), {
      target: { value: "team safe" },
    });
    await fireEvent.click(within(card).getByRole("checkbox", { name: "Recovery codes stored safely" }));

    await waitFor(() =>
      expect(within(card).getByTestId("preparation-verdict").textContent).toBe(
        "Not ready — missing: Notification channel works.",
      ),
    );
    expect(callsTo(calls, "incident_preparation_tick").map((c) => (c.args as { request: PreparationTickRequest }).request)).toEqual([
      { item: "recovery_codes_stored", done: true, note: "team safe" },
    ]);
    expect((within(card).getByRole("checkbox", { name: "Recovery codes stored safely" }) as HTMLInputElement).checked).toBe(true);
  });

  it("sends a test notification and says whether the desktop showed it", async () => {
    let shown = false;
    const calls = setUp("#/incidents", {
      incident_test_notification: () => {
        shown = !shown;
        return {
          ...preparation(),
          last_test_notification: shown
            ? { at: "2026-11-30T08:00:00Z", shown: true, error: null }
            : { at: "2026-11-30T08:01:00Z", shown: false, error: "notifications are not available: no service" },
        };
      },
    });
    const card = await screen.findByRole("region", { name: "Preparation" });
    await fireEvent.click(await within(card).findByRole("button", { name: "Send test notification" }));
    await waitFor(() => expect(within(card).getByTestId("test-notification-result").textContent).toMatch(/^Shown .+: tick the item once it reached you\.$/));
    await fireEvent.click(within(card).getByRole("button", { name: "Send test notification" }));
    await waitFor(() =>
      expect(within(card).getByTestId("test-notification-result").textContent?.trim()).toBe(
        "Not shown: notifications are not available: no service.",
      ),
    );
    expect(callsTo(calls, "incident_test_notification")).toHaveLength(2);
  });

  it("shows each mean time with its count, and — when none", async () => {
    setUp("#/incidents");
    const card = await screen.findByRole("region", { name: "Metrics" });
    await within(card).findByText("MTTA");
    const text = (name: string) => card.querySelector(`[data-metric="${name}"]`)?.textContent?.replace(/\s+/g, " ").trim();
    expect(text("MTTD")).toBe("MTTD — over 0 incidents");
    expect(text("MTTA")).toBe("MTTA 15 min over 3 incidents");
    expect(text("MTTC")).toBe("MTTC 2 h over 2 incidents");
    expect(text("MTTR")).toBe("MTTR 1 d 1 h over 1 incident");
    // The bars share one scale: the longest mean is full width, an absent one is empty.
    const width = (name: string) => within(card).getByTestId(`bar-${name}`).style.width;
    expect(width("MTTR")).toBe("100%");
    expect(width("MTTC")).toBe("8%");
    expect(width("MTTA")).toBe("1%");
    expect(width("MTTD")).toBe("0%");
  });
});

describe("IncidentsPage, templates", () => {
  async function openTemplates(): Promise<HTMLElement> {
    const summary = await screen.findByText("Templates", { selector: "h2" });
    const details = summary.closest("details")!;
    details.open = true;
    await fireEvent(details, new Event("toggle"));
    await within(details).findByText("Acme runbook");
    return details;
  }

  it("marks shipped templates and exports one as text to copy", async () => {
    const calls = setUp("#/incidents", {
      incident_template_export: ({ template_id, format }) => ({ id: template_id, format, text: 'id = "delivery_outage"' }),
    });
    const card = await openTemplates();
    const items = within(card).getAllByRole("listitem");
    expect(items.map((li) => li.querySelector(".badge")?.textContent)).toEqual(["Shipped", "Shipped", "Custom"]);
    expect(within(card).queryByRole("button", { name: "Delete Delivery outage" })).toBeNull();

    await fireEvent.click(within(card).getByRole("button", { name: "Export Delivery outage as TOML" }));
    const exported = await within(card).findByRole("region", { name: "Exported template" });
    expect((within(exported).getByRole("textbox", { name: "Template text" }) as HTMLTextAreaElement).value).toBe(
      'id = "delivery_outage"',
    );
    expect(within(exported).getByRole("button", { name: "Copy" })).toBeTruthy();
    expect(callsTo(calls, "incident_template_export")[0]?.args).toEqual({ template_id: "delivery_outage", format: "toml" });
  });

  it("shows an import refusal verbatim", async () => {
    const message = "template acme: phase containment: item 2: due_after_minutes must be at least 1";
    const calls = setUp("#/incidents", {
      incident_template_import: () => {
        throw rejection("invalid_input", message);
      },
    });
    const card = await openTemplates();
    const form = within(card).getByRole("form", { name: "Import template" });
    await fireEvent.input(within(form).getByLabelText("Or paste the template"), { target: { value: '{"id":"x"}' } });
    await fireEvent.change(within(form).getByLabelText("Format"), { target: { value: "json" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Import template" }));

    const alert = await within(form).findByRole("alert");
    expect(alert.textContent).toContain("The template was not imported");
    expect(alert.querySelector(".message")?.textContent).toBe(message);
    expect(callsTo(calls, "incident_template_import")[0]?.args).toEqual({ text: '{"id":"x"}', format: "json" });
  });

  it("imports a template from a file, its format told by the extension", async () => {
    const calls = setUp("#/incidents", {
      incident_template_import: () => ({ ...templates()[2]!, name: "Acme runbook", version: 3 }),
    });
    const card = await openTemplates();
    const form = within(card).getByRole("form", { name: "Import template" });
    const file = new File(['{"id":"acme_custom"}'], "acme.json", { type: "application/json" });
    await fireEvent.change(within(form).getByLabelText("Template file"), { target: { files: [file] } });
    await waitFor(() =>
      expect((within(form).getByLabelText("Or paste the template") as HTMLTextAreaElement).value).toBe('{"id":"acme_custom"}'),
    );
    expect((within(form).getByLabelText("Format") as HTMLSelectElement).value).toBe("json");
    await fireEvent.click(within(form).getByRole("button", { name: "Import template" }));

    expect((await within(form).findByRole("status")).textContent).toBe("Template “Acme runbook” imported (version 3).");
    expect(callsTo(calls, "incident_template_import")[0]?.args).toEqual({ text: '{"id":"acme_custom"}', format: "json" });
  });

  it("deletes a custom template after confirmation", async () => {
    const calls = setUp("#/incidents", { incident_template_delete: () => null });
    const card = await openTemplates();
    await fireEvent.click(within(card).getByRole("button", { name: "Delete Acme runbook" }));
    const dialog = await screen.findByRole("alertdialog", { name: "Delete this template?" });
    expect(callsTo(calls, "incident_template_delete")).toHaveLength(0);
    await fireEvent.click(within(dialog).getByRole("button", { name: "Delete template" }));
    await waitFor(() => expect(callsTo(calls, "incident_template_delete")[0]?.args).toEqual({ template_id: "acme_custom" }));
  });
});

describe("IncidentsPage, declare", () => {
  it("sends the form as a NewIncident, the template's kind preselected, then opens it", async () => {
    const calls = setUp("#/incidents?new", { incident_create: () => incidentView() });
    const form = await screen.findByRole("form", { name: "Declare an incident" });
    const template = within(form).getByLabelText("Template") as HTMLSelectElement;
    await waitFor(() => expect(template.value).toBe("delivery_outage"));

    await fireEvent.change(template, { target: { value: "leaked_secret" } });
    expect((within(form).getByLabelText("Kind") as HTMLSelectElement).value).toBe("leaked_secret");
    await fireEvent.input(within(form).getByLabelText("Title"), { target: { value: "  Token in a public repo " } });
    await fireEvent.change(within(form).getByLabelText("Severity"), { target: { value: "sev1" } });
    await fireEvent.input(within(form).getByLabelText("Detected at"), { target: { value: "2026-11-30T09:05" } });
    await fireEvent.input(within(form).getByLabelText("Impact started at"), { target: { value: "2026-11-30T08:50" } });
    await fireEvent.input(within(form).getByLabelText("Commander"), { target: { value: "Alice" } });
    await fireEvent.click(within(form).getByRole("button", { name: "Declare incident" }));

    await waitFor(() => expect(window.location.hash).toBe(`#/incidents?id=${INCIDENT_ID}`));
    const sent = callsTo(calls, "incident_create").map((c) => (c.args as { incident: NewIncident }).incident);
    expect(sent).toEqual([
      {
        title: "Token in a public repo",
        kind: "leaked_secret",
        severity: "sev1",
        template_id: "leaked_secret",
        roles: { commander: "Alice", scribe: null, communications: null },
        scope: { organization_ids: [], application_ids: [], subscription_ids: [] },
        detected_at: new Date(2026, 10, 30, 9, 5).toISOString(),
        impact_started_at: new Date(2026, 10, 30, 8, 50).toISOString(),
      },
    ]);
  });

  it("starts from a failure spike: outage of that target, suggested severity, its scope and first failure", async () => {
    const first = "2026-11-30T06:12:40.123Z";
    const calls = setUp(
      spikeDeclareHash({
        profile_id: "p-1",
        subscription_id: "sub-1",
        application_id: "app-1",
        first_failure_at: first,
        subscription: "Invoices to ERP",
        failures: 9,
        attempts: 12,
        window_minutes: 60,
        baseline_failures: 0.2,
        shown_by_os: false,
      }),
      {
        // Custom templates first: the form still picks a delivery-outage one.
        incident_templates: () => [...templates()].reverse(),
        incident_create: () => incidentView(),
        incident_attach_evidence: ({ request }) => evidence({ incident_id: request.incident_id }),
      },
    );
    const form = await screen.findByRole("form", { name: "Declare an incident" });
    expect(within(form).getByLabelText("From a failure spike").textContent?.replace(/\s+/g, " ")).toContain("9 of 12 attempts failed in 60 min");
    const template = within(form).getByLabelText("Template") as HTMLSelectElement;
    await waitFor(() => expect(template.value).toBe("delivery_outage"));
    expect((within(form).getByLabelText("Title") as HTMLInputElement).value).toBe("Deliveries failing to Invoices to ERP");
    expect((within(form).getByLabelText("Kind") as HTMLSelectElement).value).toBe("delivery_outage");
    expect((within(form).getByLabelText("Severity") as HTMLSelectElement).value).toBe("sev3");
    const shown = localInputValue(new Date(first));
    expect((within(form).getByLabelText("Detected at") as HTMLInputElement).value).toBe(shown);
    expect((within(form).getByLabelText("Impact started at") as HTMLInputElement).value).toBe(shown);

    await fireEvent.click(within(form).getByRole("button", { name: "Declare incident" }));

    await waitFor(() => expect(window.location.hash).toBe(`#/incidents?id=${INCIDENT_ID}`));
    const sent = callsTo(calls, "incident_create").map((c) => (c.args as { incident: NewIncident }).incident);
    expect(sent).toEqual([
      {
        title: "Deliveries failing to Invoices to ERP",
        kind: "delivery_outage",
        severity: "sev3",
        template_id: "delivery_outage",
        roles: { commander: null, scribe: null, communications: null },
        scope: { organization_ids: [], application_ids: ["app-1"], subscription_ids: ["sub-1"] },
        // The spike's own instant, not the minute the inputs show.
        detected_at: first,
        impact_started_at: first,
      },
    ]);
    expect(callsTo(calls, "incident_attach_evidence").map((c) => c.args)).toEqual([
      {
        request: {
          incident_id: INCIDENT_ID,
          source: {
            kind: "explorer_filter",
            filter: { statuses: ["failed"], application_ids: ["app-1"], subscription_ids: ["sub-1"], created_from: first },
          },
          label: "Failure spike on Invoices to ERP: failed deliveries since the first one",
        },
      },
    ]);
  });

  it("says so when the spike's evidence is refused, and still links the declared incident", async () => {
    const calls = setUp(
      spikeDeclareHash({
        profile_id: "p-1",
        subscription_id: "sub-1",
        application_id: "app-1",
        first_failure_at: "2026-11-30T06:12:40Z",
        subscription: "Invoices to ERP",
        failures: 60,
        attempts: 60,
        window_minutes: 60,
        baseline_failures: 0,
        shown_by_os: true,
      }),
      {
        incident_create: () => incidentView(),
        incident_attach_evidence: () => {
          throw rejection("storage", "the cache is being rebuilt");
        },
      },
    );
    const form = await screen.findByRole("form", { name: "Declare an incident" });
    expect((within(form).getByLabelText("Severity") as HTMLSelectElement).value).toBe("sev2");
    await waitFor(() => expect((within(form).getByLabelText("Template") as HTMLSelectElement).value).toBe("delivery_outage"));

    await fireEvent.click(within(form).getByRole("button", { name: "Declare incident" }));

    const alert = await within(form).findByRole("alert");
    expect(alert.textContent).toContain("Declared, but the spike's deliveries were not attached as evidence");
    expect(alert.textContent).toContain("the cache is being rebuilt");
    expect(within(form).getByRole("link", { name: "Open the incident" }).getAttribute("href")).toBe(`#/incidents?id=${INCIDENT_ID}`);
    expect(within(form).getByRole("button", { name: "Declare incident" }).hasAttribute("disabled")).toBe(true);
    expect(callsTo(calls, "incident_create")).toHaveLength(1);
    expect(window.location.hash).not.toContain("id=");
  });
});
