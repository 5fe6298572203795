/**
 * What the Replays page shows, read from its hash: `#/replays` the job list, `#/replays?job=<id>`
 * one job, and `#/replays?<explorer filter>` a new replay of what that filter selects — the
 * explorer's own query text (`view.ts`), so that a view copied from the explorer plans exactly
 * what the operator saw. An explorer view with no filter at all becomes `#/replays?new`, since
 * a bare `#/replays` is the job list. `#/replays?selected` plans the deliveries ticked in the
 * explorer, handed over in memory (`pending-selection.ts`) since the list can be long.
 */
import { decodeView, encodeView, queryFromHash, type View } from "../deliveries/view";

export type ReplayRoute =
  | { kind: "home" }
  | { kind: "job"; jobId: string }
  | { kind: "new"; view: View }
  | { kind: "selected" };

/** The hash that plans the deliveries ticked in the explorer. */
export const SELECTED_REPLAY_HASH = "#/replays?selected";

/** The route of a `#/replays…` hash. */
export function replayRoute(hash: string): ReplayRoute {
  const query = queryFromHash(hash);
  if (query === "") {
    return { kind: "home" };
  }
  const params = new URLSearchParams(query);
  const jobId = params.get("job")?.trim();
  if (jobId !== undefined && jobId !== "") {
    return { kind: "job", jobId };
  }
  if (params.has("selected")) {
    return { kind: "selected" };
  }
  return { kind: "new", view: decodeView(query) };
}

/** The hash that opens a job. */
export function jobHash(jobId: string): string {
  return `#/replays?${new URLSearchParams({ job: jobId }).toString()}`;
}

/** The hash that plans a replay of what `view` selects in the explorer. */
export function newReplayHash(view: View): string {
  const query = encodeView(view);
  return `#/replays?${query === "" ? "new" : query}`;
}
