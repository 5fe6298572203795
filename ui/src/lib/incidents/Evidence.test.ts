import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import type { AttachEvidenceRequest } from "../bindings/AttachEvidenceRequest";
import type { EvidenceSource } from "../bindings/EvidenceSource";
import { INCIDENT_ID, evidence, incident, listed } from "../testing/incident-fixtures";
import { callsTo, clearMocks, mockCommands, rejection } from "../testing/mock-commands";
import AttachToIncident from "./AttachToIncident.svelte";
import EvidenceCard from "./EvidenceCard.svelte";

afterEach(() => {
  cleanup();
  clearMocks();
});

const FILTER_SOURCE: EvidenceSource = { kind: "explorer_filter", filter: { statuses: ["failed"] } };

describe("AttachToIncident", () => {
  it("attaches the source, read at the click, to the chosen open incident and links to it", async () => {
    const other = incident({ id: "0193a000-0000-7000-8000-000000000099", title: "Leaked secret" });
    const calls = mockCommands({
      incidents: () => [listed(), { ...listed(), incident: other }],
      incident_attach_evidence: () => evidence({ sha256: "ab".repeat(32) }),
    });
    let source: EvidenceSource = { kind: "deliveries", attempt_ids: ["a1"] };
    render(AttachToIncident, { props: { what: "2 selected deliveries", source: () => source } });

    await fireEvent.click(screen.getByRole("button", { name: "Add to incident…" }));
    const dialog = await screen.findByRole("dialog", { name: "Add 2 selected deliveries to an incident" });
    expect(callsTo(calls, "incidents")[0]?.args).toEqual({ filter: "open" });
    const select = within(dialog).getByTestId("attach-evidence-incident") as HTMLSelectElement;
    await waitFor(() => expect([...select.options].map((o) => o.text)).toEqual(["Webhooks to Acme time out", "Leaked secret"]));
    await fireEvent.change(select, { target: { value: other.id } });
    await fireEvent.input(within(dialog).getByRole("textbox"), { target: { value: "  The two the customer named  " } });
    source = { kind: "deliveries", attempt_ids: ["a1", "a2"] };
    await fireEvent.click(within(dialog).getByRole("button", { name: "Attach" }));

    const done = await screen.findByTestId("attach-evidence-done");
    expect(done.textContent).toContain("Attached to Leaked secret");
    expect(within(done).getByRole("link").getAttribute("href")).toBe(`#/incidents?id=${other.id}`);
    expect(done.querySelector("code")?.getAttribute("title")).toBe(`SHA-256 ${"ab".repeat(32)}`);
    const request = (callsTo(calls, "incident_attach_evidence")[0]?.args as { request: AttachEvidenceRequest }).request;
    expect(request).toEqual({
      incident_id: other.id,
      source: { kind: "deliveries", attempt_ids: ["a1", "a2"] },
      label: "The two the customer named",
    });
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("says when no incident is open, and shows a refusal as the console words it", async () => {
    mockCommands({ incidents: () => [] });
    render(AttachToIncident, { props: { what: "this filter", source: () => FILTER_SOURCE } });
    await fireEvent.click(screen.getByRole("button", { name: "Add to incident…" }));
    const dialog = await screen.findByRole("dialog");
    await within(dialog).findByText(/No incident is open/);
    expect(within(dialog).getByRole("link", { name: "Declare one" }).getAttribute("href")).toBe("#/incidents?new");
    cleanup();

    mockCommands({
      incidents: () => [listed()],
      incident_attach_evidence: () => {
        throw rejection("invalid_input", "attempt a1 is not in the cache (purged or never synced)");
      },
    });
    render(AttachToIncident, { props: { what: "this delivery", source: () => FILTER_SOURCE } });
    await fireEvent.click(screen.getByRole("button", { name: "Add to incident…" }));
    await fireEvent.click(await screen.findByRole("button", { name: "Attach" }));
    expect((await screen.findByRole("alert")).textContent).toBe("attempt a1 is not in the cache (purged or never synced)");
    expect(screen.queryByTestId("attach-evidence-done")).toBeNull();
  });
});

describe("EvidenceCard", () => {
  it("lists the evidence and shows a snapshot with whether it still matches its hash", async () => {
    const calls = mockCommands({
      incident_evidence: (args) => {
        const { evidence_id } = (args as { evidence: { evidence_id: number } }).evidence;
        return {
          evidence: evidence({ id: evidence_id }),
          snapshot: '{"counts":{"attempts":576}}',
          intact: evidence_id === 1,
        };
      },
    });
    render(EvidenceCard, {
      props: {
        incidentId: INCIDENT_ID,
        evidence: [evidence(), evidence({ id: 2, kind: "replay_job", label: "Replay job 0193: finished", rows: 1, truncated: false })],
      },
    });
    const items = screen.getAllByRole("listitem");
    expect(items.map((i) => i.getAttribute("data-kind"))).toEqual(["explorer_filter", "replay_job"]);
    expect(items[0]!.textContent).toContain("Explorer filter: 576 attempts");
    expect(items[0]!.textContent).toContain("576 rows");
    expect(items[1]!.textContent).toContain("1 row");

    await fireEvent.click(within(items[0]!).getByRole("button", { name: "Show snapshot" }));
    expect((await screen.findByTestId("evidence-integrity")).textContent).toBe("The snapshot matches its SHA-256.");
    expect(items[0]!.querySelector("pre")?.textContent).toContain('"attempts": 576');
    expect(callsTo(calls, "incident_evidence")[0]?.args).toEqual({ evidence: { incident_id: INCIDENT_ID, evidence_id: 1 } });

    await fireEvent.click(within(items[1]!).getByRole("button", { name: "Show snapshot" }));
    await waitFor(() => expect(within(items[1]!).getByTestId("evidence-integrity").textContent).toMatch(/no longer matches/));
    expect(within(items[0]!).queryByTestId("evidence-integrity")).toBeNull();
  });

  it("explains where evidence comes from when there is none", () => {
    render(EvidenceCard, { props: { incidentId: INCIDENT_ID, evidence: [] } });
    expect(screen.getByText(/Nothing attached yet/)).toBeTruthy();
  });
});
