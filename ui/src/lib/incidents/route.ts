/**
 * What the Incidents page shows, read from its hash: `#/incidents` the list with preparation,
 * metrics and templates, `#/incidents?new` the declaration form, `#/incidents?id=<uuid>` one
 * incident.
 */
import { queryFromHash } from "../deliveries/view";

export type IncidentRoute = { kind: "home" } | { kind: "new" } | { kind: "incident"; id: string };

/** The route of an `#/incidents…` hash. */
export function incidentRoute(hash: string): IncidentRoute {
  const params = new URLSearchParams(queryFromHash(hash));
  const id = params.get("id")?.trim();
  if (id !== undefined && id !== "") {
    return { kind: "incident", id };
  }
  return params.has("new") ? { kind: "new" } : { kind: "home" };
}

/** The hash that opens one incident. */
export function incidentHash(id: string): string {
  return `#/incidents?${new URLSearchParams({ id }).toString()}`;
}

export const INCIDENTS_HASH = "#/incidents";
export const DECLARE_HASH = "#/incidents?new";
