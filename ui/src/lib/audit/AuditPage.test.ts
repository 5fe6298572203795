import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { AuditFilter } from "../bindings/AuditFilter";
import type { AuditPage as Page } from "../bindings/AuditPage";
import type { GateStatus } from "../bindings/GateStatus";
import { ConsoleState } from "../console-state.svelte";
import { PRODUCTION, auditIntegrity, auditRecord, gateStatus } from "../testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import AuditPage from "./AuditPage.svelte";
import { localToUtc } from "./filter";

afterEach(() => {
  clearMocks();
});

const HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

const NEWEST: Page = {
  records: [
    auditRecord({ seq: 3, action: "profile_changed", actor: PRODUCTION.id, targets: [PRODUCTION.id], params_hash: HASH }),
    auditRecord({ seq: 2, action: "unlock_failed", outcome: "denied", sealed_later: true }),
  ],
  next_before_seq: 2,
};

const OLDER: Page = {
  records: [auditRecord({ seq: 1, action: "enroll" })],
  next_before_seq: null,
};

function setUp(handlers: CommandHandlers = {}, gate: Partial<GateStatus> = {}) {
  const calls = mockCommands({
    audit_list: ({ filter }) => (filter.before_seq === undefined ? NEWEST : OLDER),
    ...handlers,
  });
  const consoleState = new ConsoleState();
  consoleState.gate = gateStatus(gate);
  consoleState.profiles = [PRODUCTION];
  render(AuditPage, { props: { consoleState } });
  return calls;
}

function filters(calls: ReturnType<typeof setUp>): AuditFilter[] {
  return callsTo(calls, "audit_list").map((c) => (c.args as { filter: AuditFilter }).filter);
}

async function rows(): Promise<HTMLElement[]> {
  const table = await screen.findByRole("table", { name: "Audit records, newest first" });
  return within(table).getAllByRole("row").slice(1);
}

describe("AuditPage", () => {
  it("lists the newest records with readable labels", async () => {
    const calls = setUp();

    const [changed, failed] = await rows();
    expect(filters(calls)).toEqual([{ limit: 100 }]);
    expect(within(changed!).getByText("Profile changed")).toBeTruthy();
    expect(within(changed!).getByText("Production").getAttribute("title")).toBe(`Profile ${PRODUCTION.id}`);
    expect(within(changed!).getByText(PRODUCTION.id)).toBeTruthy();
    const hash = within(changed!).getByText("9f86d081884c");
    expect(hash.getAttribute("title")).toBe(HASH);
    expect(within(changed!).getByText("Succeeded")).toBeTruthy();
    expect(within(changed!).queryByText("sealed at unlock")).toBeNull();

    expect(within(failed!).getByText("Unlock failed")).toBeTruthy();
    expect(within(failed!).getByText("Denied").classList.contains("denied")).toBe(true);
    expect(within(failed!).getByText("Operator")).toBeTruthy();
    expect(within(failed!).getByText("sealed at unlock")).toBeTruthy();
    expect(failed!.querySelector("time")?.getAttribute("title")).toBe("2026-03-04 09:15:03 UTC");
  });

  it("says so when the log is empty", async () => {
    setUp({ audit_list: () => ({ records: [], next_before_seq: null }) });

    expect(await screen.findByText("The audit log has no records yet.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Load older" })).toBeNull();
  });

  it("shows a broken chain prominently, with the problem", async () => {
    setUp({}, {
      audit: auditIntegrity({ intact: false, records: 7, problem: "record 5 was altered: its MAC does not match" }),
    });

    const banner = screen.getByRole("alert");
    expect(within(banner).getByText("The audit log failed verification")).toBeTruthy();
    expect(within(banner).getByText("record 5 was altered: its MAC does not match")).toBeTruthy();
    expect(banner.textContent).toContain("7 records, checked just now");
    expect(screen.queryByText(/Chain verified/)).toBeNull();
    await rows();
  });

  it("shows an intact chain quietly", async () => {
    setUp({}, { audit: auditIntegrity({ records: 42 }) });

    expect(screen.getByRole("status").textContent).toContain("Chain verified: 42 records, checked just now");
    expect(screen.queryByText("The audit log failed verification")).toBeNull();
    await rows();
  });

  it("verifies now and shows the new result", async () => {
    const calls = setUp(
      { audit_verify: () => auditIntegrity({ intact: false, records: 9, problem: "the log ends before record 9" }) },
      { audit: auditIntegrity({ records: 8, checked_at: "2026-03-04T08:00:00Z" }) },
    );
    await rows();
    expect(screen.getByText(/Chain verified: 8 records/)).toBeTruthy();

    await fireEvent.click(screen.getByRole("button", { name: "Verify now" }));

    const banner = await screen.findByRole("alert");
    expect(within(banner).getByText("the log ends before record 9")).toBeTruthy();
    expect(screen.queryByText(/Chain verified/)).toBeNull();
    expect(callsTo(calls, "audit_verify")).toHaveLength(1);
  });

  it("reloads from the newest with every filter chosen", async () => {
    const calls = setUp();
    await rows();
    await fireEvent.click(screen.getByRole("button", { name: "Load older" }));
    await vi.waitFor(async () => expect(await rows()).toHaveLength(3));

    await fireEvent.change(screen.getByLabelText("Action"), { target: { value: "unlock_failed" } });
    await fireEvent.change(screen.getByLabelText("Outcome"), { target: { value: "denied" } });
    await fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-03-01T08:00" } });
    await fireEvent.change(screen.getByLabelText("Until"), { target: { value: "2026-03-05T18:30" } });

    await vi.waitFor(() => expect(filters(calls)).toHaveLength(6));
    const from = localToUtc("2026-03-01T08:00")!;
    const until = localToUtc("2026-03-05T18:30")!;
    expect(filters(calls).slice(2)).toEqual([
      { limit: 100, actions: ["unlock_failed"] },
      { limit: 100, actions: ["unlock_failed"], outcome: "denied" },
      { limit: 100, actions: ["unlock_failed"], outcome: "denied", from },
      { limit: 100, actions: ["unlock_failed"], outcome: "denied", from, until },
    ]);
    expect(from).toMatch(/^2026-0[23]-\d{2}T\d{2}:\d{2}:00Z$/);
    // Paging started over: the older page is gone.
    await vi.waitFor(async () => expect(await rows()).toHaveLength(2));
    expect(screen.getByRole("button", { name: "Load older" })).toBeTruthy();

    await fireEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await vi.waitFor(() => expect(filters(calls).at(-1)).toEqual({ limit: 100 }));
  });

  it("refuses a time window that ends before it starts", async () => {
    const calls = setUp();
    await rows();

    await fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-03-05T00:00" } });
    await fireEvent.change(screen.getByLabelText("Until"), { target: { value: "2026-03-01T00:00" } });

    expect((await screen.findByRole("alert")).textContent).toContain("The end of the time window must be after its start.");
    expect(filters(calls)).toHaveLength(2);
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("says so when no record matches", async () => {
    setUp({ audit_list: ({ filter }) => (filter.outcome === "failed" ? { records: [], next_before_seq: null } : NEWEST) });
    await rows();

    await fireEvent.change(screen.getByLabelText("Outcome"), { target: { value: "failed" } });

    expect(await screen.findByText("No records match these filters.")).toBeTruthy();
  });

  it("loads older records after the last one and appends them", async () => {
    const calls = setUp();
    await rows();

    await fireEvent.click(screen.getByRole("button", { name: "Load older" }));

    await vi.waitFor(async () => expect(await rows()).toHaveLength(3));
    expect(filters(calls)[1]).toEqual({ limit: 100, before_seq: 2 });
    const seqs = (await rows()).map((row) => row.querySelector("td")?.textContent);
    expect(seqs).toEqual(["3", "2", "1"]);
    expect(screen.queryByRole("button", { name: "Load older" })).toBeNull();
    expect(screen.getByText("This is the start of the log.")).toBeTruthy();
  });

  it("keeps the rows when older records cannot be read", async () => {
    setUp({
      audit_list: ({ filter }) => {
        if (filter.before_seq !== undefined) {
          throw rejection("storage", "the audit database is busy");
        }
        return NEWEST;
      },
    });
    await rows();

    await fireEvent.click(screen.getByRole("button", { name: "Load older" }));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Could not load older records");
    expect(alert.textContent).toContain("the audit database is busy");
    expect(await rows()).toHaveLength(2);
  });

  it("shows why the log cannot be read", async () => {
    setUp({
      audit_list: () => {
        throw rejection("storage", "the audit database cannot be opened");
      },
    });

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Could not read the audit log");
    expect(alert.textContent).toContain("the audit database cannot be opened");
  });

  it("exports after a step-up code and shows where the file is", async () => {
    const calls = setUp({
      audit_export: () => ({ path: "/home/op/.local/share/hook0-console/exports/audit-20260304T091503Z.jsonl", records: 3, intact: true }),
    });
    await rows();

    await fireEvent.click(screen.getByRole("button", { name: "Export…" }));
    const dialog = screen.getByRole("dialog", { name: "Export the audit log" });
    expect(dialog.textContent).toContain(
      "Export the audit log (JSON lines with the head MAC) to the console's data folder.",
    );
    expect(callsTo(calls, "audit_export")).toHaveLength(0);
    await fireEvent.input(within(dialog).getByLabelText("Code"), { target: { value: "123 456" } });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Export" }));

    const result = await screen.findByRole("region", { name: "Audit log exported" });
    expect(callsTo(calls, "audit_export")[0]?.args).toEqual({ code: "123456" });
    expect(within(result).getByText("/home/op/.local/share/hook0-console/exports/audit-20260304T091503Z.jsonl")).toBeTruthy();
    expect(result.textContent).toContain("3 records written to");
    expect(result.textContent).toContain("The chain verified before the export.");
    expect(screen.queryByRole("dialog")).toBeNull();
    // The export is recorded in the log: the list is read again.
    await vi.waitFor(() => expect(filters(calls)).toHaveLength(2));
  });

  it("warns when the exported chain did not verify", async () => {
    setUp({ audit_export: () => ({ path: "/data/exports/audit.jsonl", records: 5, intact: false }) });
    await rows();

    await fireEvent.click(screen.getByRole("button", { name: "Export…" }));
    const dialog = screen.getByRole("dialog");
    await fireEvent.input(within(dialog).getByLabelText("Code"), { target: { value: "123456" } });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Export" }));

    const result = await screen.findByRole("region", { name: "Audit log exported" });
    expect(result.textContent).toContain("The chain did not verify");
  });

  it("keeps a refused code in the dialog", async () => {
    const calls = setUp({
      audit_export: () => {
        throw rejection("wrong_code", "not the current code");
      },
    });
    await rows();

    await fireEvent.click(screen.getByRole("button", { name: "Export…" }));
    const dialog = screen.getByRole("dialog");
    await fireEvent.input(within(dialog).getByLabelText("Code"), { target: { value: "000000" } });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Export" }));

    expect((await within(dialog).findByRole("alert")).textContent).toContain("Code not accepted");
    expect(screen.queryByRole("region", { name: "Audit log exported" })).toBeNull();
    expect(filters(calls)).toHaveLength(1);
  });
});
