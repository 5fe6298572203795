/**
 * What the shell knows about the console: the status the status bar shows, the gate's state and
 * the profile list, refreshed on a timer and after every profile action.
 *
 * The gate decides what is shown ({@link ConsoleState.view}): the enrollment wizard, the unlock
 * screen or the shell. A lock is noticed in one place, here, whichever way it comes: a
 * `lock-changed` event ({@link ConsoleState.applyGate}), any command refused with `locked`
 * ({@link ConsoleState.watchLock}), or a status poll. The shell's data (the profile list) is
 * dropped as soon as the console is known to be locked.
 *
 * Responses can arrive out of order (a slow poll after a fast refresh): each refresh carries a
 * sequence number and only the newest answer is kept.
 */
import type { AppStatus } from "./bindings/AppStatus";
import type { GateStatus } from "./bindings/GateStatus";
import type { Profile } from "./bindings/Profile";
import { call, observeFailures, type ErrorDto } from "./ipc";

/** How often the status is polled while the window is visible. */
export const STATUS_POLL_MS = 10_000;

/** Where the console is in its start-up. */
export type Phase = "booting" | "ready" | "failed";

/** What the window shows once started. */
export type View = "enroll" | "unlock" | "shell";

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
  /** The gate as last read, `null` until loaded. */
  gate = $state<GateStatus | null>(null);
  /** Why the last gate refresh failed. */
  gateError = $state<ErrorDto | null>(null);
  /** Why the last "Lock now" failed. */
  lockError = $state<ErrorDto | null>(null);
  /**
   * Set once the console is seen not enrolled, until the operator finishes the wizard: the back
   * end is unlocked as soon as the authenticator is confirmed, but the recovery codes must stay
   * on screen until the operator says they are stored.
   */
  enrolling = $state(false);

  #statusSeq = 0;
  #profilesSeq = 0;
  #gateSeq = 0;

  /** What to show, `null` before the first status. */
  get view(): View | null {
    const lock = this.status?.lock;
    if (lock === undefined) {
      return null;
    }
    if (this.enrolling || lock === "not_enrolled") {
      return "enroll";
    }
    return lock === "locked" ? "unlock" : "shell";
  }

  /**
   * Loads the status and the profile list. Returns `false` (and sets `bootError`) when the
   * status cannot be read: the console cannot work without it.
   */
  async boot(): Promise<boolean> {
    this.phase = "booting";
    this.bootError = null;
    const [statusError] = await Promise.all([
      this.refreshStatus(),
      this.refreshProfiles(),
      this.refreshGate(),
    ]);
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
        const was = this.status?.lock;
        this.status = status;
        this.statusError = null;
        if (status.lock === "not_enrolled") {
          this.enrolling = true;
        } else if (status.lock === "locked") {
          this.#forgetShellData();
        } else if (was === "locked" && !this.enrolling) {
          // Unlocked elsewhere: the shell comes back and needs its data again.
          void this.refreshProfiles();
        }
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

  /** Reads `gate_status`. Resolves with the error, if any, after recording it. */
  async refreshGate(): Promise<ErrorDto | null> {
    const seq = ++this.#gateSeq;
    try {
      const gate = await call("gate_status", {});
      if (seq === this.#gateSeq) {
        this.gate = gate;
        this.gateError = null;
      }
      return null;
    } catch (error) {
      const dto = error as ErrorDto;
      if (seq === this.#gateSeq) {
        this.gateError = dto;
      }
      return dto;
    }
  }

  /**
   * Takes a gate state the back end handed over (`lock`, `unlock`, the `lock-changed` event):
   * the view follows at once, and the status is re-read for the rest.
   */
  applyGate(gate: GateStatus): void {
    const was = this.status?.lock;
    this.#takeGate(gate);
    void (was !== "unlocked" && gate.lock === "unlocked" ? this.refreshAll() : this.refreshStatus());
  }

  /** After a successful unlock: shows the shell and reloads what it shows. */
  async unlocked(gate: GateStatus): Promise<void> {
    this.#takeGate(gate);
    this.lockError = null;
    await this.refreshAll();
  }

  #takeGate(gate: GateStatus): void {
    this.#gateSeq++;
    this.gate = gate;
    this.gateError = null;
    this.#setLock(gate.lock);
  }

  /** Locks the console now. Resolves with the error, or `null` once locked. */
  async lock(): Promise<ErrorDto | null> {
    try {
      this.applyGate(await call("lock", {}));
      this.lockError = null;
      return null;
    } catch (error) {
      this.lockError = error as ErrorDto;
      return this.lockError;
    }
  }

  /** Tells the gate the operator is active, which pushes the idle lock back. */
  async reportActivity(): Promise<void> {
    try {
      await call("report_activity", {});
    } catch {
      // A `locked` refusal is handled by {@link watchLock}; anything else only means that the
      // console may lock a little earlier than the operator expects.
      return;
    }
    await this.refreshGate();
  }

  /** Closes the enrollment wizard once the recovery codes are stored, and shows what follows. */
  async finishEnrollment(): Promise<void> {
    this.enrolling = false;
    await Promise.all([this.refreshAll(), this.refreshGate()]);
  }

  /**
   * Brings the unlock screen back whenever a command is refused with `locked`, whoever made it.
   * Returns the function that stops watching.
   */
  watchLock(): () => void {
    return observeFailures((cmd, error) => {
      if (error.code !== "locked" || cmd === "app_status" || cmd === "gate_status") {
        return;
      }
      // Only an unlocked console can have been locked meanwhile; otherwise the status decides.
      if (this.status?.lock === "unlocked" && !this.enrolling) {
        this.#setLock("locked");
      }
      void this.refreshStatus();
      void this.refreshGate();
    });
  }

  #setLock(lock: GateStatus["lock"]): void {
    if (this.status !== null && this.status.lock !== lock) {
      // An answer already on its way describes the console before this change.
      this.#statusSeq++;
      this.status = { ...this.status, lock };
    }
    if (lock === "locked") {
      this.#forgetShellData();
    }
  }

  #forgetShellData(): void {
    this.#profilesSeq++;
    this.profiles = null;
    this.profilesError = null;
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
