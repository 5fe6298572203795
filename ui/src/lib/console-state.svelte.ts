/**
 * What the shell knows about the console: the status the status bar shows and the profile list,
 * refreshed on a timer and after every profile action.
 *
 * Responses can arrive out of order (a slow poll after a fast refresh): each refresh carries a
 * sequence number and only the newest answer is kept.
 */
import type { AppStatus } from "./bindings/AppStatus";
import type { Profile } from "./bindings/Profile";
import { call, type ErrorDto } from "./ipc";

/** How often the status is polled while the window is visible. */
export const STATUS_POLL_MS = 10_000;

/** Where the console is in its start-up. */
export type Phase = "booting" | "ready" | "failed";

export class ConsoleState {
  phase = $state<Phase>("booting");
  /** Why `app_status` failed at start, when `phase` is `failed`. */
  bootError = $state<ErrorDto | null>(null);
  /** The last status received. */
  status = $state<AppStatus | null>(null);
  /** Why the last status refresh failed; `null` once one succeeds again. */
  statusError = $state<ErrorDto | null>(null);
  /** The profile list, `null` until loaded. */
  profiles = $state<Profile[] | null>(null);
  /** Why the last profile list refresh failed. */
  profilesError = $state<ErrorDto | null>(null);

  #statusSeq = 0;
  #profilesSeq = 0;

  /**
   * Loads the status and the profile list. Returns `false` (and sets `bootError`) when the
   * status cannot be read: the console cannot work without it.
   */
  async boot(): Promise<boolean> {
    this.phase = "booting";
    this.bootError = null;
    const [statusError] = await Promise.all([this.refreshStatus(), this.refreshProfiles()]);
    if (statusError !== null) {
      this.bootError = statusError;
      this.phase = "failed";
      return false;
    }
    this.phase = "ready";
    return true;
  }

  /** Reads `app_status`. Resolves with the error, if any, after recording it. */
  async refreshStatus(): Promise<ErrorDto | null> {
    const seq = ++this.#statusSeq;
    try {
      const status = await call("app_status", {});
      if (seq === this.#statusSeq) {
        this.status = status;
        this.statusError = null;
      }
      return null;
    } catch (error) {
      const dto = error as ErrorDto;
      if (seq === this.#statusSeq) {
        this.statusError = dto;
      }
      return dto;
    }
  }

  /** Reads the profile list. Resolves with the error, if any, after recording it. */
  async refreshProfiles(): Promise<ErrorDto | null> {
    const seq = ++this.#profilesSeq;
    try {
      const profiles = await call("list_profiles", {});
      if (seq === this.#profilesSeq) {
        this.profiles = profiles;
        this.profilesError = null;
      }
      return null;
    } catch (error) {
      const dto = error as ErrorDto;
      if (seq === this.#profilesSeq) {
        this.profilesError = dto;
      }
      return dto;
    }
  }

  /** Refreshes the status and the profile list together. */
  async refreshAll(): Promise<void> {
    await Promise.all([this.refreshStatus(), this.refreshProfiles()]);
  }

  /** Makes a profile the active one. Resolves with the error, or `null` on success. */
  async activate(id: string): Promise<ErrorDto | null> {
    return this.#act(() => call("set_active_profile", { id }));
  }

  /** Removes a profile. Resolves with the error, or `null` on success. */
  async remove(id: string): Promise<ErrorDto | null> {
    return this.#act(() => call("remove_profile", { id }));
  }

  async #act(action: () => Promise<unknown>): Promise<ErrorDto | null> {
    let failure: ErrorDto | null = null;
    try {
      await action();
    } catch (error) {
      failure = error as ErrorDto;
    }
    // Refresh either way: a failure such as not_found means the list was stale.
    await this.refreshAll();
    return failure;
  }

  /**
   * Polls `app_status` every `intervalMs` while the document is visible, and at once when it
   * becomes visible again. Returns the function that stops polling.
   */
  startPolling(intervalMs: number = STATUS_POLL_MS, doc: Document = document): () => void {
    const tick = (): void => {
      if (doc.visibilityState !== "hidden") {
        void this.refreshStatus();
      }
    };
    const onVisibility = (): void => {
      if (doc.visibilityState === "visible") {
        void this.refreshStatus();
      }
    };
    const timer = setInterval(tick, intervalMs);
    doc.addEventListener("visibilitychange", onVisibility);
    return () => {
      clearInterval(timer);
      doc.removeEventListener("visibilitychange", onVisibility);
    };
  }
}
