//! What is recorded, and the shapes the viewer page receives.
//!
//! Actions and outcomes are closed enums stored as their snake_case names. An entry holds
//! pseudonymous identifiers only (profile, application, event and job ids, a lock reason)
//! and at most a hash of the parameters — never payloads, tokens or personal data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::error::AuditError;

/// Longest actor or target accepted, in bytes: room for ids, not for payloads.
pub(crate) const MAX_ID_BYTES: usize = 200;
/// Most targets one entry may name.
pub(crate) const MAX_TARGETS: usize = 64;

macro_rules! named_enum {
    (
        $(#[$meta:meta])* $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &[Self] = &[ $( Self::$variant, )* ];

            /// The stored (and serialised) name.
            pub fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $text, )* }
            }

            /// Reads a stored name back.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $( $text => Some(Self::$variant), )* _ => None }
            }
        }
    };
}

named_enum! {
    /// Every kind of operator action the console records.
    AuditAction {
        /// First-run enrollment of the gate (passphrase, TOTP, recovery codes).
        Enroll => "enroll",
        /// Unlocked with passphrase and second factor.
        UnlockSucceeded => "unlock_succeeded",
        /// A failed unlock attempt (recorded while locked, sealed at the next unlock).
        UnlockFailed => "unlock_failed",
        /// Too many failed attempts: unlocking refused for a while.
        Lockout => "lockout",
        /// The console locked; the reason ([`crate::gate::LockReason`]) is the first target.
        Lock => "lock",
        /// A profile was added.
        ProfileAdded => "profile_added",
        /// A profile was changed.
        ProfileChanged => "profile_changed",
        /// A profile was removed.
        ProfileRemoved => "profile_removed",
        /// A profile signed in with email and password.
        ProfileSignedIn => "profile_signed_in",
        /// A profile's credentials were forgotten (signed out).
        ProfileSignedOut => "profile_signed_out",
        /// A sync started.
        SyncStarted => "sync_started",
        /// A sync finished (or failed).
        SyncFinished => "sync_finished",
        /// Cached history was purged.
        Purge => "purge",
        /// All local data was erased.
        Erase => "erase",
        /// One event was replayed.
        Replay => "replay",
        /// A bulk replay job ran.
        BulkReplay => "bulk_replay",
        /// An incident changed (step, notes, status).
        IncidentChanged => "incident_changed",
        /// A subscription was disabled from an incident (targets: profile, incident,
        /// subscription, application; parameters: the step-up digest).
        SubscriptionDisabled => "subscription_disabled",
        /// A subscription was enabled again from an incident (targets and parameters as for
        /// [`AuditAction::SubscriptionDisabled`]).
        SubscriptionEnabled => "subscription_enabled",
        /// An incident's report or sealed bundle was written to a file.
        IncidentExported => "incident_exported",
        /// The audit log was exported.
        AuditExported => "audit_exported",
        /// Settings changed.
        SettingsChanged => "settings_changed",
        /// The passphrase changed.
        PassphraseChanged => "passphrase_changed",
        /// New recovery codes replaced the old ones.
        RecoveryCodesRegenerated => "recovery_codes_regenerated",
        /// The second factor was enrolled again.
        Reenroll => "reenroll",
        /// A step-up code was refused.
        StepUpFailed => "step_up_failed",
        /// The chain failed verification; the damaged log was kept aside and a new chain
        /// started with this record.
        AuditChainBroken => "audit_chain_broken",
    }
}

named_enum! {
    /// How an action ended.
    AuditOutcome {
        /// It was carried out.
        Succeeded => "succeeded",
        /// It was attempted and failed.
        Failed => "failed",
        /// The gate refused it (wrong code, locked, throttled).
        Denied => "denied",
    }
}

/// The actor of gate and console-wide actions.
pub const OPERATOR: &str = "operator";

/// One action to record. The time is given separately when appending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Who acted: a profile id, or `"operator"` for gate actions.
    pub actor: String,
    /// What was done.
    pub action: AuditAction,
    /// Pseudonymous ids of what it was done to (profile, application, event, job ids).
    pub targets: Vec<String>,
    /// SHA-256 of the action's parameters ([`params_hash`](super::params_hash)), if any.
    pub params_hash: Option<[u8; 32]>,
    /// How it ended.
    pub outcome: AuditOutcome,
}

impl AuditEntry {
    /// An entry with no targets and no parameters.
    pub fn new(actor: impl Into<String>, action: AuditAction, outcome: AuditOutcome) -> Self {
        Self {
            actor: actor.into(),
            action,
            targets: Vec::new(),
            params_hash: None,
            outcome,
        }
    }

    /// An entry by the operator (gate and console actions not tied to one profile).
    pub fn operator(action: AuditAction, outcome: AuditOutcome) -> Self {
        Self::new(OPERATOR, action, outcome)
    }

    /// A lock entry, with its reason as the target.
    pub fn lock(reason: crate::gate::LockReason) -> Self {
        Self::operator(AuditAction::Lock, AuditOutcome::Succeeded).target(reason.as_str())
    }

    /// Adds several target ids.
    #[must_use]
    pub fn with_targets<T: Into<String>>(mut self, ids: impl IntoIterator<Item = T>) -> Self {
        self.targets.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Adds a target id.
    #[must_use]
    pub fn target(mut self, id: impl Into<String>) -> Self {
        self.targets.push(id.into());
        self
    }

    /// Sets the parameters hash.
    #[must_use]
    pub fn params(mut self, hash: [u8; 32]) -> Self {
        self.params_hash = Some(hash);
        self
    }

    /// Refuses what does not look like pseudonymous ids (too long, too many, control
    /// characters): payload data must not end up in the log.
    pub(crate) fn check(&self) -> Result<(), AuditError> {
        check_id("actor", &self.actor)?;
        if self.targets.len() > MAX_TARGETS {
            return Err(AuditError::InvalidInput(format!(
                "at most {MAX_TARGETS} targets per audit entry"
            )));
        }
        for t in &self.targets {
            check_id("target", t)?;
        }
        Ok(())
    }
}

fn check_id(what: &str, value: &str) -> Result<(), AuditError> {
    if value.is_empty() || value.len() > MAX_ID_BYTES {
        return Err(AuditError::InvalidInput(format!(
            "an audit {what} is an id of 1 to {MAX_ID_BYTES} bytes"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(AuditError::InvalidInput(format!(
            "an audit {what} cannot contain control characters"
        )));
    }
    Ok(())
}

/// One record as the viewer shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditRecord {
    /// Position in the chain, from 1.
    #[ts(type = "number")]
    pub seq: u64,
    /// When the action happened, RFC 3339 (UTC).
    pub at: String,
    /// Who acted.
    pub actor: String,
    /// What was done.
    pub action: AuditAction,
    /// Ids of what it was done to.
    pub targets: Vec<String>,
    /// Parameters hash, lowercase hex.
    pub params_hash: Option<String>,
    /// How it ended.
    pub outcome: AuditOutcome,
    /// Recorded while the console was locked and sealed into the chain at the next unlock.
    pub sealed_later: bool,
}

/// Which records the viewer wants. Unset fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct AuditFilter {
    /// Only these actions (empty or absent: all).
    #[ts(optional)]
    pub actions: Option<Vec<AuditAction>>,
    /// Only this outcome.
    #[ts(optional)]
    pub outcome: Option<AuditOutcome>,
    /// At or after (inclusive).
    #[ts(optional)]
    pub from: Option<DateTime<Utc>>,
    /// Before (exclusive).
    #[ts(optional)]
    pub until: Option<DateTime<Utc>>,
    /// Only records older than this sequence number (the previous page's `next_before_seq`).
    #[ts(optional, type = "number")]
    pub before_seq: Option<u64>,
    /// Page size, 1 to 500 (default 100).
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// One page of records, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditPage {
    /// The records.
    pub records: Vec<AuditRecord>,
    /// Pass as `before_seq` for the next page; absent on the last page.
    #[ts(type = "number | null")]
    pub next_before_seq: Option<u64>,
}

/// How the chain is broken at the first bad record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The record's content no longer matches its MAC (or the key is not the log's).
    Edited,
    /// Records are missing from the middle of the chain.
    Deleted,
    /// A genuine record sits at another position than its own.
    Reordered,
    /// The log ends before the head the vault keeps.
    Truncated,
}

/// The first bad record and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerifyProblem {
    /// Sequence number where the chain first breaks.
    #[ts(type = "number")]
    pub seq: u64,
    /// What kind of break.
    pub kind: ProblemKind,
    /// One sentence for the operator.
    pub detail: String,
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerifyReport {
    /// True when every record verifies and the log ends at (or past) the expected head.
    pub intact: bool,
    /// Records stored in the chain.
    #[ts(type = "number")]
    pub records: u64,
    /// Sequence number of the last stored record.
    #[ts(type = "number | null")]
    pub head_seq: Option<u64>,
    /// Entries recorded while locked and not yet sealed (not covered by the chain).
    #[ts(type = "number")]
    pub pending: u64,
    /// The first break, when not intact.
    pub problem: Option<VerifyProblem>,
}
