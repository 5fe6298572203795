/**
 * The only door between the web view and the Rust side.
 *
 * Nothing else in the UI imports `@tauri-apps/*`: components call {@link call} with a command
 * name from the generated command map, so arguments and results are typed end to end and a
 * command renamed in Rust breaks `npm run check`. Every failure reaches callers as an
 * {@link ErrorDto}, whatever Tauri or the web view actually threw.
 */
import { invoke } from "@tauri-apps/api/core";
import { listen as tauriListen } from "@tauri-apps/api/event";

import type { CommandName, Commands } from "./bindings/commands";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { CacheChanged } from "./bindings/CacheChanged";
import type { ErrorDetail } from "./bindings/ErrorDetail";
import type { ErrorDto } from "./bindings/ErrorDto";
import type { OpenDeliveries } from "./bindings/OpenDeliveries";
import type { OpenIncident } from "./bindings/OpenIncident";
import type { OpenReplayJob } from "./bindings/OpenReplayJob";
import type { SpikeAlert } from "./bindings/SpikeAlert";
import type { GateStatus } from "./bindings/GateStatus";
import type { ReplayUpdate } from "./bindings/ReplayUpdate";
import type { SyncStatus } from "./bindings/SyncStatus";

export type {
  CacheChanged,
  ErrorCode,
  ErrorDto,
  OpenDeliveries,
  OpenIncident,
  OpenReplayJob,
  ReplayUpdate,
  SpikeAlert,
};

/** Every code the Rust side may send. A `Record` so that a new generated code fails the check. */
const ERROR_CODES: Record<ErrorCode, true> = {
  invalid_input: true,
  not_found: true,
  unreachable: true,
  tls: true,
  unauthorized: true,
  forbidden: true,
  session_expired: true,
  not_hook0: true,
  rate_limited: true,
  upstream: true,
  storage: true,
  locked: true,
  not_enrolled: true,
  wrong_passphrase: true,
  wrong_code: true,
  code_reused: true,
  throttled: true,
  step_up_required: true,
  tampered: true,
  keyring_unavailable: true,
  internal: true,
};

/** Whether `value` is a string naming a known {@link ErrorCode}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

/** Whether `value` is an error as the Rust side sends it: a known code and a message. */
export function isErrorDto(value: unknown): value is ErrorDto {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const candidate = value as Record<string, unknown>;
  return isErrorCode(candidate["code"]) && typeof candidate["message"] === "string";
}

const NOT_IN_APP =
  "The console's back end is not available: this page only works inside the Hook0 Console window.";

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Whether `value` is detail the UI knows how to show; anything else is dropped, not trusted. */
export function isErrorDetail(value: unknown): value is ErrorDetail {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const candidate = value as Record<string, unknown>;
  switch (candidate["kind"]) {
    case "replay_set_changed": {
      const diff = candidate["diff"] as Record<string, unknown> | null | undefined;
      return (
        typeof diff === "object" &&
        diff !== null &&
        isStringList(diff["added"]) &&
        isStringList(diff["removed"]) &&
        isStringList(diff["changed"])
      );
    }
    case "required_items_open":
      return typeof candidate["phase"] === "string" && isStringList(candidate["open_items"]);
    default:
      return false;
  }
}

/** Turns anything a rejected call may carry into an {@link ErrorDto}. */
export function toErrorDto(reason: unknown): ErrorDto {
  if (isErrorDto(reason)) {
    const detail: unknown = reason.detail;
    return isErrorDetail(detail)
      ? { code: reason.code, message: reason.message, detail }
      : { code: reason.code, message: reason.message };
  }
  const message = describe(reason).trim();
  return { code: "internal", message: message === "" ? "Unknown error from the back end." : message };
}

function describe(reason: unknown): string {
  if (typeof reason === "string") {
    return reason;
  }
  if (reason instanceof Error) {
    return reason.message;
  }
  if (typeof reason === "object" && reason !== null) {
    const message = (reason as Record<string, unknown>)["message"];
    if (typeof message === "string") {
      return message;
    }
    try {
      return JSON.stringify(reason);
    } catch {
      return String(reason);
    }
  }
  return reason === undefined || reason === null ? "" : String(reason);
}

interface TauriInternals {
  invoke?: unknown;
}

function insideTauri(): boolean {
  const internals = (globalThis as { __TAURI_INTERNALS__?: TauriInternals }).__TAURI_INTERNALS__;
  return typeof internals?.invoke === "function";
}

/** Told of every failed command, after the failure is turned into an {@link ErrorDto}. */
export type FailureObserver = (cmd: CommandName, error: ErrorDto) => void;

const failureObservers = new Set<FailureObserver>();

/**
 * Observes every failed command, whoever made it: the console state uses it to notice a
 * `locked` refusal wherever it happens. Returns the function that stops observing.
 */
export function observeFailures(observer: FailureObserver): () => void {
  failureObservers.add(observer);
  return () => {
    failureObservers.delete(observer);
  };
}

function reportFailure(cmd: CommandName, error: ErrorDto): void {
  for (const observer of failureObservers) {
    try {
      observer(cmd, error);
    } catch {
      // An observer's own failure must not change what the caller receives.
    }
  }
}

/**
 * Calls a Rust command. Resolves with its typed result; rejects only with an {@link ErrorDto}.
 */
export async function call<K extends CommandName>(
  cmd: K,
  args: Commands[K]["args"],
): Promise<Commands[K]["result"]> {
  if (!insideTauri()) {
    throw { code: "internal", message: NOT_IN_APP } satisfies ErrorDto;
  }
  try {
    return await invoke<Commands[K]["result"]>(cmd, args);
  } catch (reason) {
    const error = toErrorDto(reason);
    reportFailure(cmd, error);
    throw error;
  }
}

/**
 * Events the Rust side emits, with their payloads. `cache-changed` follows every committed
 * sync; `sync-changed` carries a profile's sync progress and connectivity; `failure-spike` a
 * failure spike found after a sync. `lock-changed` carries the gate's new state when the
 * console locks itself (idle, absolute limit) or is locked from elsewhere. `open-deliveries`
 * follows a click on a failure-spike notification, `open-replay-job` a click on a replay's,
 * `open-incident` a click on an incident reminder. `replay-progress` carries a replay job's
 * progress, and its phase changes (sending, verifying, done, stopped).
 */
export interface AppEvents {
  "cache-changed": CacheChanged;
  "failure-spike": SpikeAlert;
  "lock-changed": GateStatus;
  "open-deliveries": OpenDeliveries;
  "open-incident": OpenIncident;
  "open-replay-job": OpenReplayJob;
  "replay-progress": ReplayUpdate;
  "sync-changed": SyncStatus;
}

/** Stops listening. Never throws: a failure to unsubscribe only leaves a handler behind. */
export type Unlisten = () => void;

/** Subscribes to a back-end event. Rejects with an {@link ErrorDto} if the subscription fails. */
export async function listen<E extends keyof AppEvents>(
  event: E,
  handler: (payload: AppEvents[E]) => void,
): Promise<Unlisten> {
  if (!insideTauri()) {
    throw { code: "internal", message: NOT_IN_APP } satisfies ErrorDto;
  }
  try {
    const stop = await tauriListen<AppEvents[E]>(event, (e) => handler(e.payload));
    // Tauri's unlisten function is asynchronous despite its type; keep its failure contained.
    return () => {
      Promise.resolve()
        .then(stop)
        .catch(() => undefined);
    };
  } catch (reason) {
    throw toErrorDto(reason);
  }
}
