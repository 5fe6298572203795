/**
 * Starting an approved plan. A start refused because the failures changed since the dry run is
 * not an error to show as such: the operator must see what changed and compute the plan again,
 * so it comes back as an outcome of its own.
 */
import type { SetDiff } from "../bindings/SetDiff";
import { call, type ErrorDto } from "../ipc";

export type StartOutcome = { kind: "started"; jobId: string } | { kind: "set_changed"; diff: SetDiff };

/** The set difference a refused start or import carries, if that is why it was refused. */
export function setDiffOf(error: ErrorDto): SetDiff | null {
  return error.detail?.kind === "replay_set_changed" ? error.detail.diff : null;
}

/**
 * Starts the plan `manifestSha256`, approved by `code` when one was asked. Rejects with the
 * {@link ErrorDto} of any other refusal (`step_up_required`, `wrong_code`…).
 */
export async function startReplay(manifestSha256: string, code: string | null): Promise<StartOutcome> {
  try {
    const jobId = await call("replay_start", {
      request: code === null ? { manifest_sha256: manifestSha256 } : { manifest_sha256: manifestSha256, code },
    });
    return { kind: "started", jobId };
  } catch (failure) {
    const diff = setDiffOf(failure as ErrorDto);
    if (diff !== null) {
      return { kind: "set_changed", diff };
    }
    throw failure;
  }
}
