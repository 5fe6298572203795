import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { ReplayPlanRequest } from "../bindings/ReplayPlanRequest";
import { ConsoleState } from "../console-state.svelte";
import { SUBSCRIPTION_ID, status, u64 } from "../testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import { JOB_ID, SHA, counts, eventId, plan } from "../testing/replay-fixtures";
import { handOverSelection, takeSelection } from "./pending-selection";
import ReplaysPage from "./ReplaysPage.svelte";

beforeEach(() => {
  window.history.replaceState(null, "", "/#/replays");
});

afterEach(() => {
  cleanup();
  clearMocks();
  takeSelection();
});

function setUp(hash: string, handlers: CommandHandlers = {}) {
  window.history.replaceState(null, "", `/${hash}`);
  const calls = mockCommands({
    filter_options: () => {
      throw rejection("storage", "no cache");
    },
    replay_plan: () => plan(),
    replay_jobs: () => [],
    ...handlers,
  });
  const consoleState = new ConsoleState();
  consoleState.status = status();
  render(ReplaysPage, { props: { consoleState } });
  return calls;
}

function planRequests(calls: ReturnType<typeof setUp>): ReplayPlanRequest[] {
  return callsTo(calls, "replay_plan").map((c) => (c.args as { request: ReplayPlanRequest }).request);
}

async function approveWithCode(code: string): Promise<void> {
  await fireEvent.click(await screen.findByRole("button", { name: "Approve and replay 3 events" }));
  const dialog = screen.getByRole("dialog", { name: "Approve the replay" });
  expect(dialog.textContent).toContain(`Replay 3 events of plan ${SHA.slice(0, 12)}`);
  await fireEvent.input(within(dialog).getByLabelText("Code"), { target: { value: code } });
  await fireEvent.click(within(dialog).getByRole("button", { name: "Approve and replay" }));
}

describe("ReplaysPage, new replay", () => {
  it("plans the explorer's filter on arrival, saying so while it syncs", async () => {
    let answer: (value: ReturnType<typeof plan>) => void = () => {};
    const calls = setUp(`#/replays?sub=${SUBSCRIPTION_ID}&status=failed`, {
      replay_plan: () => new Promise((resolve) => (answer = resolve)),
    });

    expect(await screen.findByRole("status")).toHaveProperty("textContent", "Syncing and planning…");
    expect(screen.getByRole("list", { name: "Filter" }).textContent).toContain("Status: Failed");
    expect(planRequests(calls)).toEqual([
      {
        selection: { kind: "filter", value: { statuses: ["failed"], subscription_ids: [SUBSCRIPTION_ID] } },
        options: { include_recovered: false },
      },
    ]);
    answer(plan());
    expect(await screen.findByRole("region", { name: "Dry run" })).toBeTruthy();
    expect(screen.queryByText("Syncing and planning…")).toBeNull();
  });

  it("plans again with recovered deliveries when asked to", async () => {
    const calls = setUp("#/replays?status=failed");
    await screen.findByRole("region", { name: "Dry run" });

    await fireEvent.click(screen.getByRole("switch", { name: "Include deliveries that succeeded since" }));
    // The plan on screen was made without this choice: it must not stay approvable.
    expect(screen.queryByRole("region", { name: "Dry run" })).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Dry run" }));

    await screen.findByRole("region", { name: "Dry run" });
    expect(planRequests(calls).map((r) => r.options.include_recovered)).toEqual([false, true]);
  });

  it("starts with the code and opens the job", async () => {
    const calls = setUp("#/replays?status=failed", { replay_start: () => JOB_ID });

    await approveWithCode("123 456");

    await waitFor(() => expect(window.location.hash).toBe(`#/replays?job=${JOB_ID}`));
    expect(callsTo(calls, "replay_start").map((c) => c.args)).toEqual([
      { request: { manifest_sha256: SHA, code: "123456" } },
    ]);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("keeps a refused code in the dialog and starts nothing", async () => {
    setUp("#/replays?status=failed", {
      replay_start: () => {
        throw rejection("wrong_code", "not the current code");
      },
    });

    await approveWithCode("000000");

    const dialog = screen.getByRole("dialog", { name: "Approve the replay" });
    expect((await within(dialog).findByRole("alert")).textContent).toContain("Code not accepted");
    expect(window.location.hash).toBe("#/replays?status=failed");
  });

  it("confirms a plan that needs no code, and starts it without one", async () => {
    const calls = setUp("#/replays?status=failed", {
      replay_plan: () => plan({ step_up_required: false }),
      replay_start: () => JOB_ID,
    });

    await fireEvent.click(await screen.findByRole("button", { name: "Approve and replay 3 events" }));
    const dialog = screen.getByRole("alertdialog", { name: "Replay now?" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Replay" }));

    await waitFor(() => expect(window.location.hash).toBe(`#/replays?job=${JOB_ID}`));
    expect(callsTo(calls, "replay_start")[0]?.args).toEqual({ request: { manifest_sha256: SHA } });
  });

  it("shows what changed since the dry run, and recomputes it", async () => {
    const added = [1, 2, 3, 4, 5, 6, 7].map(eventId);
    const calls = setUp("#/replays?status=failed", {
      replay_start: () => {
        throw {
          ...rejection("invalid_input", "The failures changed since the plan was approved."),
          detail: { kind: "replay_set_changed", diff: { added, removed: [eventId(9)], changed: [] } },
        };
      },
    });

    await approveWithCode("123456");

    const notice = await screen.findByRole("alert", { name: "The failures changed since the dry run" });
    const text = (notice.textContent ?? "").replace(/\s+/g, " ");
    expect(text).toContain(`7 events added: ${added.slice(0, 5).join(", ")} and 2 more`);
    expect(text).toContain(`1 event no longer to replay: ${eventId(9)}`);
    expect(text).not.toContain("different failed subscriptions");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(window.location.hash).toBe("#/replays?status=failed");

    await fireEvent.click(within(notice).getByRole("button", { name: "Recompute dry run" }));
    await waitFor(() => expect(planRequests(calls)).toHaveLength(2));
    await waitFor(() => expect(screen.queryByRole("alert", { name: "The failures changed since the dry run" })).toBeNull());
  });

  it("exports the manifest and shows where it went", async () => {
    const path = "/home/op/.local/share/hook0-console/exports/replay-5f2c9a0e1b7d.json";
    const calls = setUp("#/replays?status=failed", {
      replay_export_manifest: ({ manifest_sha256 }) => ({ path, manifest_sha256, events: 3 }),
    });

    await fireEvent.click(await screen.findByRole("button", { name: "Export manifest" }));

    const panel = await screen.findByRole("region", { name: "Manifest exported" });
    expect(callsTo(calls, "replay_export_manifest")[0]?.args).toEqual({ manifest_sha256: SHA });
    expect(within(panel).getByText(path)).toBeTruthy();
    expect(panel.textContent).toContain("3 events written to");
    expect(within(panel).getByRole("button", { name: "Copy path" })).toBeTruthy();
  });
});

describe("ReplaysPage, deliveries selected in the explorer", () => {
  const refs = [
    { event_id: eventId(1), subscription_id: SUBSCRIPTION_ID },
    { event_id: eventId(2), subscription_id: SUBSCRIPTION_ID },
  ];

  it("plans exactly the deliveries handed over, and takes them once", async () => {
    handOverSelection({ refs, attempts: 2 });
    const calls = setUp("#/replays?selected", { replay_start: () => JOB_ID });

    await screen.findByRole("region", { name: "Dry run" });
    expect(planRequests(calls)).toEqual([{ selection: { kind: "deliveries", value: refs }, options: { include_recovered: false } }]);
    const region = screen.getByRole("region", { name: "New replay" });
    expect(within(region).getByTestId("selected-deliveries").textContent?.trim()).toBe("2 selected deliveries");
    expect(within(region).queryByRole("list", { name: "Filter" })).toBeNull();
    expect(within(region).getByRole("link", { name: "Change the selection in the explorer" }).getAttribute("href")).toBe("#/deliveries");
    // Handed over in memory and taken: nothing is left for a second visit.
    expect(takeSelection()).toBeNull();

    // The approval and the job then go as for a filter.
    await approveWithCode("123456");
    await waitFor(() => expect(window.location.hash).toBe(`#/replays?job=${JOB_ID}`));
  });

  it("says there is nothing to plan when opened without a selection, and links back to the explorer", async () => {
    const calls = setUp("#/replays?selected");

    const none = await screen.findByRole("region", { name: "No deliveries selected" });
    expect(none.textContent).toContain("kept in memory only");
    expect(within(none).getByRole("link", { name: "Select deliveries in the explorer" }).getAttribute("href")).toBe("#/deliveries");
    expect(planRequests(calls)).toEqual([]);
  });
});

describe("ReplaysPage, job list and import", () => {
  it("lists recent jobs, each opening its job", async () => {
    setUp("#/replays", {
      replay_jobs: () => [
        { id: JOB_ID, state: "finished", manifest_sha256: SHA, created_at: "2026-03-04T10:01:00Z", counts: counts({ sent: 3, failed: 1 }) },
      ],
    });

    const table = await screen.findByRole("table");
    const row = within(table).getAllByRole("row")[1]!;
    expect(row.textContent).toContain("Finished");
    expect(row.textContent).toContain(SHA.slice(0, 12));
    expect(row.textContent).toContain("3 / 4");
    expect(within(row).getByRole("link", { name: `Open job ${JOB_ID.slice(0, 12)}` }).getAttribute("href")).toBe(`#/replays?job=${JOB_ID}`);
  });

  it("imports a manifest file and shows its dry run", async () => {
    const manifest = JSON.stringify({ version: 1, events: [eventId(1)] });
    const calls = setUp("#/replays", { replay_import_manifest: () => plan({ event_count: u64(1) }) });

    const input = screen.getByLabelText("Manifest file");
    expect(input.getAttribute("accept")).toBe(".json,application/json");
    await fireEvent.change(input, { target: { files: [new File([manifest], "replay.json", { type: "application/json" })] } });

    expect(await screen.findByRole("region", { name: "Dry run" })).toBeTruthy();
    expect(callsTo(calls, "replay_import_manifest").map((c) => c.args)).toEqual([{ manifest_json: manifest }]);
    expect(screen.getByLabelText<HTMLTextAreaElement>("Or paste the manifest").value).toBe(manifest);
  });

  it("imports a pasted manifest, and shows why it no longer matches", async () => {
    const calls = setUp("#/replays", {
      replay_import_manifest: () => {
        throw {
          ...rejection("invalid_input", "The set changed."),
          detail: { kind: "replay_set_changed", diff: { added: [], removed: [], changed: [eventId(2)] } },
        };
      },
    });

    await fireEvent.input(screen.getByLabelText("Or paste the manifest"), { target: { value: "{\"events\":[]}" } });
    await fireEvent.click(screen.getByRole("button", { name: "Dry run this manifest" }));

    const notice = await screen.findByRole("alert", { name: "The failures changed since the dry run" });
    expect(notice.textContent).toContain("with different failed subscriptions");
    expect(callsTo(calls, "replay_import_manifest")[0]?.args).toEqual({ manifest_json: "{\"events\":[]}" });
    expect(screen.queryByRole("region", { name: "Dry run" })).toBeNull();
  });
});
