/**
 * The active profile's sync as the explorer shows it: read once with `sync_status`, then kept
 * current by `sync-changed` events (those of other profiles are ignored). Starting, cancelling
 * and the automatic interval answer with the new status, which is taken at once.
 */
import type { SyncStatus } from "../bindings/SyncStatus";
import { call, listen, type ErrorDto, type Unlisten } from "../ipc";

/** The automatic intervals offered, in minutes; `null` is manual only. */
export const AUTO_SYNC_CHOICES: readonly (number | null)[] = [null, 5, 15, 60];

export class SyncTracker {
  status = $state<SyncStatus | null>(null);
  /** Why the status could not be read. */
  loadError = $state<ErrorDto | null>(null);
  /** Why the last start, cancel or interval change failed. */
  actionError = $state<ErrorDto | null>(null);
  /** A start, cancel or interval change is on its way. */
  busy = $state(false);

  readonly #profileId: () => string | null;
  #seq = 0;

  /** `profileId` tells the active profile, whose events count. */
  constructor(profileId: () => string | null) {
    this.#profileId = profileId;
  }

  get running(): boolean {
    return this.status?.sync.state === "running";
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    try {
      const status = await call("sync_status", {});
      if (seq === this.#seq) {
        this.status = status;
        this.loadError = null;
      }
    } catch (failure) {
      if (seq === this.#seq) {
        this.loadError = failure as ErrorDto;
      }
    }
  }

  /** Takes a status from a `sync-changed` event, if it is the active profile's. */
  apply(status: SyncStatus): void {
    const active = this.#profileId();
    if (active !== null && status.profile_id !== active) {
      return;
    }
    this.#seq++;
    this.status = status;
    this.loadError = null;
  }

  /** Follows `sync-changed`. Resolves with the function that stops. */
  async follow(): Promise<Unlisten> {
    return listen("sync-changed", (status) => this.apply(status));
  }

  start(): Promise<void> {
    return this.#act(() => call("start_sync", {}));
  }

  cancel(): Promise<void> {
    return this.#act(() => call("cancel_sync", {}));
  }

  setAuto(minutes: number | null): Promise<void> {
    return this.#act(() => call("set_auto_sync", { minutes }));
  }

  async #act(action: () => Promise<SyncStatus>): Promise<void> {
    this.busy = true;
    this.actionError = null;
    try {
      this.#seq++;
      this.status = await action();
    } catch (failure) {
      this.actionError = failure as ErrorDto;
    } finally {
      this.busy = false;
    }
  }
}
