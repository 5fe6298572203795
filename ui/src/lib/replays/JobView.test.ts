import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it } from "vitest";

import type { ReplayJobDetail } from "../bindings/ReplayJobDetail";
import type { ReplayUpdate } from "../bindings/ReplayUpdate";
import { SANDBOX, SUBSCRIPTION_ID, u64 } from "../testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import { JOB_ID, SHA, counts, eventId, jobDetail, progress } from "../testing/replay-fixtures";
import JobView from "./JobView.svelte";

afterEach(() => {
  clearMocks();
});

function setUp(detail: () => ReplayJobDetail, handlers: CommandHandlers = {}) {
  const calls = mockCommands({
    replay_job: () => detail(),
    filter_options: () => {
      throw rejection("storage", "no cache");
    },
    ...handlers,
  });
  render(JobView, { props: { jobId: JOB_ID } });
  return calls;
}

function update(overrides: Partial<ReplayUpdate> = {}): ReplayUpdate {
  return { profile_id: SANDBOX.id, job_id: JOB_ID, phase: "running", progress: progress(), verification: null, ...overrides };
}

const VERIFIED = jobDetail({
  job: { id: JOB_ID, state: "finished", manifest_sha256: SHA, created_at: "2026-03-04T10:01:00Z", counts: counts({ sent: 3 }) },
  phase: "done",
  running_here: false,
  finished_at: "2026-03-04T10:03:00Z",
  verification: {
    job_id: JOB_ID,
    events: [
      { event_id: eventId(1), subscriptions: { [SUBSCRIPTION_ID]: "recovered" } },
      { event_id: eventId(2), subscriptions: { [SUBSCRIPTION_ID]: "still_failing" } },
      { event_id: eventId(3), subscriptions: { [SUBSCRIPTION_ID]: "unknown" } },
    ],
    totals: { recovered: u64(1), still_failing: u64(1), unknown: u64(1) },
    per_subscription: { [SUBSCRIPTION_ID]: { recovered: u64(1), still_failing: u64(1), unknown: u64(1) } },
    not_replayed: u64(0),
  },
});

describe("JobView", () => {
  it("follows the job's progress as it is pushed", async () => {
    setUp(() => jobDetail());
    const region = await screen.findByRole("region", { name: "Replay job" });
    await within(region).findByText(SHA);
    expect(within(region).getByRole("status").textContent).toContain("Sending");

    await emit("replay-progress", update({ job_id: "another-job", progress: progress({ done: u64(3) }) }));
    await emit(
      "replay-progress",
      update({
        progress: progress({ done: u64(2), counts: counts({ planned: 1, sent: 2 }), rate_limited: u64(1), paused_for_ms: u64(4200) }),
      }),
    );

    const bar = await screen.findByRole("progressbar", { name: "Replay progress" });
    await waitFor(() => expect(bar.getAttribute("aria-valuenow")).toBe("2"));
    expect(bar.getAttribute("aria-valuemax")).toBe("3");
    const text = (region.textContent ?? "").replace(/\s+/g, " ");
    expect(text).toContain("2 / 3");
    expect(within(region).getByText("4.8/s").previousElementSibling?.textContent).toBe("Rate");
    expect(within(region).getByText("429 pauses").nextElementSibling?.textContent).toBe("1");
    expect(screen.getByText("Paused by Hook0's rate limit for 5s")).toBeTruthy();
    expect(within(region).getByRole("button", { name: "Pause" })).toBeTruthy();
  });

  it("reads the job again when it is verified, and shows the outcome", async () => {
    let detail = jobDetail();
    const calls = setUp(() => detail);
    await screen.findByText(SHA);

    detail = jobDetail({ phase: "verifying" });
    await emit("replay-progress", update({ phase: "verifying" }));
    await waitFor(() => expect(callsTo(calls, "replay_job")).toHaveLength(2));
    expect(await screen.findByText("Verifying: waiting for new successful attempts")).toBeTruthy();

    detail = VERIFIED;
    await emit("replay-progress", update({ phase: "done", verification: VERIFIED.verification!.totals }));

    const outcome = await screen.findByRole("region", { name: "Verified outcome" });
    await waitFor(() => expect(callsTo(calls, "replay_job")).toHaveLength(3));
    const totals = Array.from(outcome.querySelectorAll("dt")).map((dt) => `${dt.textContent} ${dt.nextElementSibling?.textContent}`);
    expect(totals).toEqual(["Recovered 1", "Still failing 1", "Unknown 1"]);
    const perSubscription = await within(outcome).findByRole("table", { name: "Per subscription" });
    expect(within(perSubscription).getAllByRole("row")[1]?.textContent).toContain(SUBSCRIPTION_ID);
    const missed = within(outcome).getByRole("table", { name: "Deliveries not recovered" });
    const rows = within(missed).getAllByRole("row").slice(1).map((r) => r.textContent);
    expect(rows).toEqual([`${eventId(2)}${SUBSCRIPTION_ID}Still failing`, `${eventId(3)}${SUBSCRIPTION_ID}Unknown`]);
    expect(screen.queryByRole("button", { name: "Pause" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Cancel job" })).toBeNull();
  });

  it("reads a finished job as finished though its last report was made while sending", async () => {
    // The run's last report says `running` (it was sent before the end); the journal says
    // `finished`.
    setUp(() => ({ ...VERIFIED, progress: progress({ done: u64(3), total: u64(3), eta_seconds: 1 }) }));
    const region = await screen.findByRole("region", { name: "Replay job" });
    await within(region).findByText("Finished");
    expect(within(region).queryByText("Running")).toBeNull();
    expect(within(region).queryByRole("button", { name: "Resume" })).toBeNull();
    expect(within(region).queryByRole("button", { name: "Cancel job" })).toBeNull();
    expect(within(region).queryByText("Time left")).toBeNull();
  });

  it("pauses, and cancels only once confirmed", async () => {
    const calls = setUp(() => jobDetail(), {
      replay_pause: () => jobDetail({ job: { ...jobDetail().job, state: "paused" }, phase: null, running_here: false }),
      replay_cancel: () => jobDetail({ job: { ...jobDetail().job, state: "cancelled" }, phase: null, running_here: false }),
    });
    await fireEvent.click(await screen.findByRole("button", { name: "Pause" }));

    expect(await screen.findByRole("button", { name: "Resume" })).toBeTruthy();
    expect(screen.getByRole("status").textContent).toContain("Paused. Nothing is sent until you resume.");
    expect(callsTo(calls, "replay_pause").map((c) => c.args)).toEqual([{ job_id: JOB_ID }]);

    await fireEvent.click(screen.getByRole("button", { name: "Cancel job" }));
    const dialog = screen.getByRole("alertdialog", { name: "Cancel this replay job?" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Keep running" }));
    expect(callsTo(calls, "replay_cancel")).toHaveLength(0);

    await fireEvent.click(screen.getByRole("button", { name: "Cancel job" }));
    await fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Cancel job" }));
    await waitFor(() => expect(callsTo(calls, "replay_cancel")).toHaveLength(1));
    expect(await screen.findByText(/Cancelled: the events not sent/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Resume" })).toBeNull();
  });

  it("explains a stopped run, lists what is unsettled and offers to resume", async () => {
    const stopped = jobDetail({
      phase: "stopped",
      running_here: false,
      job: { ...jobDetail().job, counts: counts({ sent: 1, failed: 1, unknown: 1 }) },
      error: rejection("unreachable", "Hook0 stopped answering."),
      unsettled: [
        { position: 1, event_id: eventId(2), application_id: "a", state: "failed", tries: 3, sending_at: null, failure: { reason: "Hook0 refused the replay", problem_id: "Forbidden" } },
        { position: 2, event_id: eventId(3), application_id: "a", state: "unknown", tries: 1, sending_at: null, failure: { reason: "no answer before the timeout", problem_id: null } },
      ],
    });
    const calls = setUp(() => stopped, { replay_resume: () => jobDetail() });

    expect(await screen.findByText(/Stopped before every event was settled/)).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toContain("Hook0 stopped answering.");
    const table = screen.getByRole("table", { name: "Events not settled" });
    const rows = within(table).getAllByRole("row").slice(1).map((r) => r.textContent ?? "");
    expect(rows[0]).toContain("Hook0 refused the replay");
    expect(rows[0]).toContain("Forbidden");
    expect(rows[1]).toContain("Unknown");

    await fireEvent.click(screen.getByRole("button", { name: "Resume" }));
    await waitFor(() => expect(callsTo(calls, "replay_resume").map((c) => c.args)).toEqual([{ job_id: JOB_ID }]));
  });
});
