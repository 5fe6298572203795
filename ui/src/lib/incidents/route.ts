/**
 * What the Incidents page shows, read from its hash: `#/incidents` the list with preparation,
 * metrics and templates, `#/incidents?new` the declaration form, `#/incidents?id=<uuid>` one
 * incident.
 *
 * The form can start from a failure spike: `#/incidents?new&from=spike&app=…&sub=…&target=…
 * &first=…&failures=…&attempts=…&window=…` carries what the spike said (ids, the target's
 * name, counts, the first failure of its window — never payload data), so the explorer's
 * banner and, later, a click on the desktop notification open the same pre-filled form.
 */
import type { SpikeAlert } from "../bindings/SpikeAlert";
import type { Severity } from "../bindings/Severity";
import { queryFromHash } from "../deliveries/view";

/** What a failure spike tells the declaration form. */
export interface SpikeSeed {
  application_id: string;
  subscription_id: string;
  /** The subscription's description or target (host and path). */
  subscription: string;
  /** RFC 3339: the first failed attempt of the spike's window. */
  first_failure_at: string;
  failures: number;
  attempts: number;
  window_minutes: number;
}

export type IncidentRoute =
  | { kind: "home" }
  | { kind: "new"; spike: SpikeSeed | null }
  | { kind: "incident"; id: string };

/** The route of an `#/incidents…` hash. */
export function incidentRoute(hash: string): IncidentRoute {
  const params = new URLSearchParams(queryFromHash(hash));
  const id = params.get("id")?.trim();
  if (id !== undefined && id !== "") {
    return { kind: "incident", id };
  }
  if (!params.has("new")) {
    return { kind: "home" };
  }
  return { kind: "new", spike: params.get("from") === "spike" ? spikeSeed(params) : null };
}

/** The seed a spike hash carries, or null when a part is missing or malformed. */
function spikeSeed(params: URLSearchParams): SpikeSeed | null {
  const text = (name: string): string | null => {
    const value = params.get(name)?.trim();
    return value === undefined || value === "" ? null : value;
  };
  const count = (name: string): number | null => {
    const value = text(name);
    const n = value === null ? NaN : Number(value);
    return Number.isInteger(n) && n >= 0 ? n : null;
  };
  const [app, sub, target, first] = [text("app"), text("sub"), text("target"), text("first")];
  const [failures, attempts, window] = [count("failures"), count("attempts"), count("window")];
  if (app === null || sub === null || first === null || Number.isNaN(Date.parse(first))) {
    return null;
  }
  if (failures === null || attempts === null || window === null) {
    return null;
  }
  return {
    application_id: app,
    subscription_id: sub,
    subscription: target ?? sub,
    first_failure_at: first,
    failures,
    attempts,
    window_minutes: window,
  };
}

/** The hash that opens one incident. */
export function incidentHash(id: string): string {
  return `#/incidents?${new URLSearchParams({ id }).toString()}`;
}

/** The hash of the declaration form pre-filled from a failure spike. */
export function spikeDeclareHash(alert: SpikeAlert): string {
  const params = new URLSearchParams({
    from: "spike",
    app: alert.application_id,
    sub: alert.subscription_id,
    target: alert.subscription,
    first: alert.first_failure_at,
    failures: String(alert.failures),
    attempts: String(alert.attempts),
    window: String(alert.window_minutes),
  });
  return `${DECLARE_HASH}&${params.toString()}`;
}

/**
 * The severity a spike suggests (the operator may change it). One subscription failing is a
 * customer's outage, not a platform-wide one, so it never suggests SEV1: SEV2 when the target
 * fails nearly everything (90 % or more, and 50 failures at least), SEV3 when at least half
 * fail or 50 failures or more, SEV4 for a smaller spike.
 */
export function suggestedSeverity(spike: Pick<SpikeSeed, "failures" | "attempts">): Severity {
  const rate = spike.attempts === 0 ? 0 : spike.failures / spike.attempts;
  if (spike.failures >= 50 && rate >= 0.9) {
    return "sev2";
  }
  if (rate >= 0.5 || spike.failures >= 50) {
    return "sev3";
  }
  return "sev4";
}

export const INCIDENTS_HASH = "#/incidents";
export const DECLARE_HASH = "#/incidents?new";
