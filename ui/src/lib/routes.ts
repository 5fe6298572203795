/**
 * The console's pages and their hash paths (`#/deliveries`, `#/settings/profiles`, …).
 */
import type { Profile } from "./bindings/Profile";
import type { IconName } from "./icons";

/** A page the shell can show. */
export type PageId =
  | "deliveries"
  | "failures"
  | "replays"
  | "incidents"
  | "audit"
  | "settings/profiles"
  | "settings/gate"
  | "settings/cache"
  | "settings/notifications"
  | "settings/about";

/** What a path resolves to. */
export type Resolved =
  | { kind: "page"; page: PageId }
  | { kind: "redirect"; to: string }
  | { kind: "not_found"; path: string };

/** An entry of a navigation list. */
export interface NavEntry {
  page: PageId;
  path: string;
  label: string;
  icon: IconName;
}

export const MAIN_NAV: readonly NavEntry[] = [
  { page: "deliveries", path: "/deliveries", label: "Deliveries", icon: "deliveries" },
  { page: "failures", path: "/failures", label: "Failures", icon: "alert" },
  { page: "replays", path: "/replays", label: "Replays", icon: "replays" },
  { page: "incidents", path: "/incidents", label: "Incidents", icon: "incidents" },
  { page: "audit", path: "/audit", label: "Audit", icon: "audit" },
];

export const SETTINGS_ENTRY: NavEntry = {
  page: "settings/profiles",
  path: "/settings",
  label: "Settings",
  icon: "settings",
};

export const SETTINGS_NAV: readonly NavEntry[] = [
  { page: "settings/profiles", path: "/settings/profiles", label: "Connection profiles", icon: "plug" },
  { page: "settings/gate", path: "/settings/gate", label: "Two-factor gate", icon: "key" },
  { page: "settings/cache", path: "/settings/cache", label: "Local cache", icon: "database" },
  { page: "settings/notifications", path: "/settings/notifications", label: "Notifications", icon: "bell" },
  { page: "settings/about", path: "/settings/about", label: "About", icon: "info" },
];

export const PROFILES_PATH = "/settings/profiles";
export const DELIVERIES_PATH = "/deliveries";

const PAGES = new Map<string, PageId>(
  [...MAIN_NAV, ...SETTINGS_NAV].map((entry) => [entry.path, entry.page]),
);

/** The path in a location hash: `#/a/b/` → `/a/b`; empty → `/`. */
export function pathFromHash(hash: string): string {
  const raw = hash.replace(/^#/, "").split("?")[0] ?? "";
  const trimmed = raw.replace(/\/+$/, "");
  if (trimmed === "") {
    return "/";
  }
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

/** Which page a path shows. `/` resolves by the caller's first-run rule, see {@link defaultPath}. */
export function resolve(path: string): Resolved {
  if (path === "/settings") {
    return { kind: "redirect", to: PROFILES_PATH };
  }
  const page = PAGES.get(path);
  return page === undefined ? { kind: "not_found", path } : { kind: "page", page };
}

/**
 * Where the console opens: the profile settings while only the built-in sandbox exists (the
 * operator has not connected anything yet), the deliveries otherwise.
 */
export function defaultPath(profiles: readonly Profile[] | null): string {
  if (profiles !== null && profiles.every((profile) => profile.kind === "sandbox")) {
    return PROFILES_PATH;
  }
  return DELIVERIES_PATH;
}

/** Whether a nav entry is the current one (Settings stays current on every settings page). */
export function isCurrent(entry: NavEntry, page: PageId | null): boolean {
  if (page === null) {
    return false;
  }
  return entry === SETTINGS_ENTRY ? page.startsWith("settings/") : entry.page === page;
}
