import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { TimelineEntry } from "../bindings/TimelineEntry";
import { ConsoleState } from "../console-state.svelte";
import { status } from "../testing/fixtures";
import { INCIDENT_ID, entry, incidentView, statusDraft as draft } from "../testing/incident-fixtures";
import { callsTo, clearMocks, mockCommands, type CommandHandlers } from "../testing/mock-commands";
import IncidentsPage from "./IncidentsPage.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});


function setUp(handlers: CommandHandlers = {}) {
  window.history.replaceState(null, "", `/#/incidents?id=${INCIDENT_ID}`);
  const calls = mockCommands({
    incident: () => incidentView(),
    incident_status_draft: ({ audience }) => draft(audience),
    ...handlers,
  });
  const consoleState = new ConsoleState();
  consoleState.status = status();
  render(IncidentsPage, { props: { consoleState } });
  return calls;
}

describe("CommunicationsCard", () => {
  it("drafts per audience with the numbers beside, and regenerates on demand", async () => {
    const calls = setUp();
    const text = await screen.findByTestId<HTMLTextAreaElement>("comms-text");
    await waitFor(() => expect(text.value).toBe("Draft for customers: 12 events affected."));
    expect(screen.getByTestId("comms-affected-events").textContent).toBe("12");
    expect(screen.getByTestId("comms-affected-subscriptions").textContent).toBe("2");
    expect(screen.getByTestId("comms-failure-rate").textContent).toBe("25.0 %");
    expect(screen.getByTestId("comms-tab-customers").getAttribute("aria-selected")).toBe("true");

    await fireEvent.click(screen.getByTestId("comms-tab-internal"));
    await waitFor(() => expect(text.value).toBe("Draft for internal: 12 events affected."));
    expect(screen.getByTestId("comms-tab-internal").getAttribute("aria-selected")).toBe("true");

    await fireEvent.click(screen.getByTestId("comms-regenerate"));
    await waitFor(() => expect(callsTo(calls, "incident_status_draft")).toHaveLength(3));
    expect(callsTo(calls, "incident_status_draft").map((c) => c.args)).toEqual([
      { incident_id: INCIDENT_ID, audience: "customers" },
      { incident_id: INCIDENT_ID, audience: "internal" },
      { incident_id: INCIDENT_ID, audience: "internal" },
    ]);
  });

  it("marks the edited text as sent with the draft's numbers, and lists it", async () => {
    const sentEntry: TimelineEntry = entry({
      id: 9,
      kind: "communication",
      at: "2026-11-30T17:05:00Z",
      text: "Edited update",
      reference: { audience: "customers" },
    });
    const calls = setUp({ incident_log_communication: () => sentEntry });
    const text = await screen.findByTestId<HTMLTextAreaElement>("comms-text");
    await waitFor(() => expect(text.value).not.toBe(""));
    expect(screen.getByTestId("comms-sent-empty")).toBeTruthy();

    await fireEvent.input(text, { target: { value: "Edited update" } });
    await fireEvent.click(screen.getByTestId("comms-send"));
    const sent = await screen.findByTestId("comms-sent");
    expect(within(sent).getByText("Edited update")).toBeTruthy();
    expect(within(sent).getByText("Customers / status page")).toBeTruthy();
    expect(callsTo(calls, "incident_log_communication").map((c) => c.args)).toEqual([
      { incident_id: INCIDENT_ID, audience: "customers", text: "Edited update", numbers: draft("customers").numbers },
    ]);
    expect(screen.getByTestId("comms-notice").textContent).toContain("Logged on the timeline");
  });

  it("copies to the clipboard and exports to a file without logging anything", async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { configurable: true, value: { writeText } });
    const calls = setUp({
      incident_export_draft: () => ({ path: "/data/exports/incident-x-update-customers.txt", bytes: 40 }),
    });
    const text = await screen.findByTestId<HTMLTextAreaElement>("comms-text");
    await waitFor(() => expect(text.value).not.toBe(""));

    await fireEvent.click(screen.getByTestId("comms-copy"));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith("Draft for customers: 12 events affected."));

    await fireEvent.click(screen.getByTestId("comms-export"));
    expect((await screen.findByTestId("comms-export-path")).textContent).toBe(
      "/data/exports/incident-x-update-customers.txt",
    );
    expect(callsTo(calls, "incident_export_draft").map((c) => c.args)).toEqual([
      { incident_id: INCIDENT_ID, audience: "customers", text: "Draft for customers: 12 events affected." },
    ]);
    expect(callsTo(calls, "incident_log_communication")).toHaveLength(0);
  });
});

describe("ReportExports", () => {
  it("writes the report in the chosen format and the bundle after a code, showing the paths", async () => {
    const calls = setUp({
      incident_export_report: ({ format }) => ({ path: `/data/exports/incident.${format}`, format, bytes: 100 }),
      incident_export_bundle: () => ({
        path: "/data/exports/incident.zip",
        manifest_sha256: "ab".repeat(32),
        audit_records: 4,
        evidence_items: 1,
        audit_head_seq: 17,
      }),
    });
    await fireEvent.click(await screen.findByTestId("export-report-html"));
    expect((await screen.findByTestId("report-path")).textContent).toBe("/data/exports/incident.html");
    expect(callsTo(calls, "incident_export_report").map((c) => c.args)).toEqual([
      { incident_id: INCIDENT_ID, format: "html" },
    ]);

    await fireEvent.click(screen.getByTestId("export-bundle"));
    const dialog = screen.getByRole("dialog", { name: "Export the sealed bundle" });
    await fireEvent.input(within(dialog).getByLabelText("Code"), { target: { value: "123456" } });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Export" }));
    expect((await screen.findByTestId("bundle-path")).textContent).toBe("/data/exports/incident.zip");
    expect(screen.getByTestId("bundle-manifest-sha256").textContent).toBe("ab".repeat(32));
    expect(callsTo(calls, "incident_export_bundle").map((c) => c.args)).toEqual([
      { incident_id: INCIDENT_ID, code: "123456" },
    ]);
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});
