import { describe, expect, it } from "vitest";

import { emptyView, withFilter } from "../deliveries/view";
import { SELECTED_REPLAY_HASH, jobHash, newReplayHash, replayRoute } from "./route";

describe("replay routes", () => {
  it("reads the job list, a job and a new replay from the hash", () => {
    expect(replayRoute("#/replays")).toEqual({ kind: "home" });
    expect(replayRoute("#/replays?job=abc")).toEqual({ kind: "job", jobId: "abc" });
    expect(replayRoute("#/replays?sub=s1&status=failed")).toEqual({
      kind: "new",
      view: withFilter(emptyView(), { statuses: ["failed"], subscription_ids: ["s1"] }),
    });
    expect(replayRoute("#/replays?new")).toEqual({ kind: "new", view: emptyView() });
    expect(replayRoute(SELECTED_REPLAY_HASH)).toEqual({ kind: "selected" });
  });

  it("plans what the explorer's own query selects", () => {
    const view = { ...withFilter(emptyView(), { statuses: ["failed"], subscription_ids: ["s1"] }), window: "24h" as const };

    expect(newReplayHash(view)).toBe("#/replays?status=failed&sub=s1&window=24h");
    expect(replayRoute(newReplayHash(view))).toEqual({ kind: "new", view });
    // An unfiltered explorer is still a new replay, not the job list.
    expect(replayRoute(newReplayHash(emptyView()))).toEqual({ kind: "new", view: emptyView() });
  });

  it("opens a job by its id", () => {
    expect(jobHash("d0/1")).toBe("#/replays?job=d0%2F1");
    expect(replayRoute(jobHash("d0/1"))).toEqual({ kind: "job", jobId: "d0/1" });
  });
});
