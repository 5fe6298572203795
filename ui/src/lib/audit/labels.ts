/**
 * How audit records read on screen: a label for every action and outcome, the groups the
 * action filter offers, and short forms of actors and parameter hashes. The full values stay
 * available to the caller (titles), since an audit view must never lose what was recorded.
 */
import type { AuditAction } from "../bindings/AuditAction";
import type { AuditOutcome } from "../bindings/AuditOutcome";
import type { Profile } from "../bindings/Profile";

/** A `Record` so that an action added on the Rust side fails `npm run check` until labelled. */
export const ACTION_LABELS: Record<AuditAction, string> = {
  enroll: "Enrollment",
  unlock_succeeded: "Unlocked",
  unlock_failed: "Unlock failed",
  lockout: "Lockout after failed unlocks",
  lock: "Locked",
  profile_added: "Profile added",
  profile_changed: "Profile changed",
  profile_removed: "Profile removed",
  profile_signed_in: "Profile signed in",
  profile_signed_out: "Profile signed out",
  sync_started: "Sync started",
  sync_finished: "Sync finished",
  purge: "Cache purged",
  erase: "Local data erased",
  replay: "Event replayed",
  bulk_replay: "Bulk replay",
  incident_changed: "Incident changed",
  incident_exported: "Incident exported",
  subscription_disabled: "Subscription disabled",
  subscription_enabled: "Subscription re-enabled",
  audit_exported: "Audit log exported",
  settings_changed: "Settings changed",
  passphrase_changed: "Passphrase changed",
  recovery_codes_regenerated: "Recovery codes regenerated",
  reenroll: "Authenticator re-enrolled",
  step_up_failed: "Step-up code refused",
  audit_chain_broken: "Audit chain broken",
};

export const OUTCOME_LABELS: Record<AuditOutcome, string> = {
  succeeded: "Succeeded",
  failed: "Failed",
  denied: "Denied",
};

/** The outcomes in the order the filter lists them. */
export const OUTCOMES: readonly AuditOutcome[] = ["succeeded", "failed", "denied"];

/** Actions as the filter groups them; every action appears in exactly one group. */
export const ACTION_GROUPS: readonly { label: string; actions: readonly AuditAction[] }[] = [
  {
    label: "Gate",
    actions: [
      "enroll",
      "unlock_succeeded",
      "unlock_failed",
      "lockout",
      "lock",
      "step_up_failed",
      "passphrase_changed",
      "recovery_codes_regenerated",
      "reenroll",
    ],
  },
  {
    label: "Profiles",
    actions: [
      "profile_added",
      "profile_changed",
      "profile_removed",
      "profile_signed_in",
      "profile_signed_out",
    ],
  },
  { label: "Local data", actions: ["sync_started", "sync_finished", "purge", "erase"] },
  {
    label: "Replays and incidents",
    actions: [
      "replay",
      "bulk_replay",
      "incident_changed",
      "incident_exported",
      "subscription_disabled",
      "subscription_enabled",
    ],
  },
  { label: "Console", actions: ["settings_changed", "audit_exported", "audit_chain_broken"] },
];

/** Whether `value` names an action (what a `<select>` hands back is only a string). */
export function isAuditAction(value: string): value is AuditAction {
  return Object.hasOwn(ACTION_LABELS, value);
}

/** Whether `value` names an outcome. */
export function isAuditOutcome(value: string): value is AuditOutcome {
  return Object.hasOwn(OUTCOME_LABELS, value);
}

/** The actor of gate and console-wide actions, as the Rust side records it. */
export const OPERATOR = "operator";

/** How many characters of a profile id name it in the table. */
const SHORT_ID = 8;

/** How many hex digits of a parameters hash the table shows. */
export const SHORT_HASH = 12;

/** An actor as shown: text, and the full id for the title. */
export interface ActorView {
  text: string;
  title: string;
}

/**
 * `Operator` for the operator; a known profile by its name; any other id shortened to its
 * first characters. The title always holds the recorded id.
 */
export function actorView(actor: string, profiles: readonly Profile[] | null): ActorView {
  if (actor === OPERATOR) {
    return { text: "Operator", title: "The operator (gate and console-wide actions)" };
  }
  const profile = profiles?.find((p) => p.id === actor);
  if (profile !== undefined) {
    return { text: profile.name, title: `Profile ${actor}` };
  }
  const text = actor.length > SHORT_ID + 1 ? `${actor.slice(0, SHORT_ID)}…` : actor;
  return { text, title: `Profile ${actor}` };
}

/** The first {@link SHORT_HASH} hex digits of a parameters hash. */
export function shortHash(hex: string): string {
  return hex.length > SHORT_HASH ? hex.slice(0, SHORT_HASH) : hex;
}
