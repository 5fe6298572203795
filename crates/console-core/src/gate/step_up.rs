//! Step-up approval of guarded actions: a fresh TOTP code bound to exactly one action with
//! exactly its parameters.
//!
//! The UI first receives a [`StepUpRequest`]: the action and the [`ActionDigest`] of its
//! parameters, `SHA-256(action name ‖ 0x00 ‖ canonical JSON of the parameters)`. Canonical
//! JSON is compact with object keys sorted at every level, so the same parameters always give
//! the same digest; the zero byte keeps the action name and the JSON apart. The operator
//! answers with a code; [`Approval::grant`] checks it as a *fresh* code (its step later than
//! the last one used, like unlock) and binds it to that digest. The gate then runs the action
//! only if [`Approval::authorizes`] the very action and digest it is about to execute, within
//! 60 seconds, and consumes the approval (single use is the caller's job). Changing the
//! selection of a bulk replay after approving it changes the digest, so the approval no longer
//! applies.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;
use ts_rs::TS;

use super::totp::{self, CodeError, TotpSecret};
use crate::error::{ErrorCode, ErrorDto};

/// How long an approval stays usable.
pub const APPROVAL_VALIDITY: TimeDelta = TimeDelta::seconds(60);

/// The actions that need a fresh code, whoever is unlocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum GuardedAction {
    /// Replay a set of deliveries.
    BulkReplay,
    /// Delete cached history.
    Purge,
    /// Erase the console's data: vault, cache, audit log.
    Erase,
    /// Replace the TOTP secret.
    Reenroll,
    /// Replace the recovery codes.
    RegenerateRecoveryCodes,
    /// Change the vault passphrase.
    ChangePassphrase,
    /// Export the audit log.
    AuditExport,
    /// Stop keeping the wrapping key in the OS keyring.
    DisableKeyring,
    /// Keep the wrapping key in the OS keyring.
    EnableKeyring,
    /// Let a one-event replay start without a code.
    WaiveSingleReplayStepUp,
    /// Stop Hook0 delivering to a subscription (an incident's containment).
    DisableSubscription,
    /// Let Hook0 deliver to a subscription again (an incident's recovery).
    EnableSubscription,
    /// Write an incident's sealed bundle: it holds the evidence snapshots of customers'
    /// deliveries in plain form, outside the encrypted records.
    IncidentBundleExport,
}

impl GuardedAction {
    /// Every guarded action.
    pub const ALL: [Self; 13] = [
        Self::BulkReplay,
        Self::Purge,
        Self::Erase,
        Self::Reenroll,
        Self::RegenerateRecoveryCodes,
        Self::ChangePassphrase,
        Self::AuditExport,
        Self::DisableKeyring,
        Self::EnableKeyring,
        Self::WaiveSingleReplayStepUp,
        Self::DisableSubscription,
        Self::EnableSubscription,
        Self::IncidentBundleExport,
    ];

    /// The stable name, as in JSON and in the digest.
    pub fn name(self) -> &'static str {
        match self {
            Self::BulkReplay => "bulk_replay",
            Self::Purge => "purge",
            Self::Erase => "erase",
            Self::Reenroll => "reenroll",
            Self::RegenerateRecoveryCodes => "regenerate_recovery_codes",
            Self::ChangePassphrase => "change_passphrase",
            Self::AuditExport => "audit_export",
            Self::DisableKeyring => "disable_keyring",
            Self::EnableKeyring => "enable_keyring",
            Self::WaiveSingleReplayStepUp => "waive_single_replay_step_up",
            Self::DisableSubscription => "disable_subscription",
            Self::EnableSubscription => "enable_subscription",
            Self::IncidentBundleExport => "incident_bundle_export",
        }
    }
}

impl fmt::Display for GuardedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a step-up could not proceed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepUpError {
    /// The action needs a fresh code bound to it, and none valid was given.
    #[error("{0} needs confirmation with a fresh code from your authenticator app")]
    Required(GuardedAction),
    /// The parameters could not be turned into JSON.
    #[error("the parameters of {action} could not be encoded: {reason}")]
    Params {
        /// The action.
        action: GuardedAction,
        /// What serde said.
        reason: String,
    },
    /// A digest sent back by the UI is not 64 hexadecimal characters.
    #[error("the action digest is not 64 hexadecimal characters")]
    MalformedDigest,
}

impl From<StepUpError> for ErrorDto {
    fn from(error: StepUpError) -> Self {
        let code = match &error {
            StepUpError::Required(_) => ErrorCode::StepUpRequired,
            StepUpError::Params { .. } => ErrorCode::Internal,
            StepUpError::MalformedDigest => ErrorCode::InvalidInput,
        };
        ErrorDto::new(code, error.to_string())
    }
}

/// SHA-256 of an action and its parameters; shown and sent as 64 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, TS)]
#[ts(type = "string")]
pub struct ActionDigest([u8; 32]);

impl ActionDigest {
    /// The digest of `action` with `params` (any serde value: a struct, a map, `()`).
    pub fn compute<P: Serialize + ?Sized>(
        action: GuardedAction,
        params: &P,
    ) -> Result<Self, StepUpError> {
        let value = serde_json::to_value(params).map_err(|e| StepUpError::Params {
            action,
            reason: e.to_string(),
        })?;
        let mut canonical = String::new();
        write_canonical(&value, &mut canonical);
        let mut hasher = Sha256::new();
        hasher.update(action.name().as_bytes());
        hasher.update([0u8]);
        hasher.update(canonical.as_bytes());
        Ok(Self(hasher.finalize().into()))
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for ActionDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for ActionDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActionDigest({self})")
    }
}

impl FromStr for ActionDigest {
    type Err = StepUpError;

    fn from_str(hex: &str) -> Result<Self, Self::Err> {
        let hex = hex.as_bytes();
        // `from_str_radix` alone would also take a sign.
        if hex.len() != 64 || !hex.iter().all(u8::is_ascii_hexdigit) {
            return Err(StepUpError::MalformedDigest);
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            let text = std::str::from_utf8(pair).map_err(|_| StepUpError::MalformedDigest)?;
            *byte = u8::from_str_radix(text, 16).map_err(|_| StepUpError::MalformedDigest)?;
        }
        Ok(Self(bytes))
    }
}

impl Serialize for ActionDigest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ActionDigest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Compact JSON with object keys sorted at every level, independent of how serde_json orders
/// maps in this build.
pub(crate) fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        // Scalars print the same in every serde_json configuration.
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// What the UI must get confirmed: shown to the operator, answered with a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StepUpRequest {
    /// The guarded action.
    pub action: GuardedAction,
    /// Digest of the action with its exact parameters.
    pub digest: ActionDigest,
}

impl StepUpRequest {
    /// The request for `action` with `params`.
    pub fn new<P: Serialize + ?Sized>(
        action: GuardedAction,
        params: &P,
    ) -> Result<Self, StepUpError> {
        Ok(Self {
            action,
            digest: ActionDigest::compute(action, params)?,
        })
    }
}

/// A fresh code accepted for one action with one set of parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The approved action.
    pub action: GuardedAction,
    /// The digest of its approved parameters.
    pub digest: ActionDigest,
    /// The TOTP step the code was accepted for: the caller stores it as the last used step.
    pub step: u64,
    /// When the code was accepted.
    pub approved_at: DateTime<Utc>,
}

impl Approval {
    /// Checks `code` for `request` at `now`. The code must be fresh: its step later than
    /// `last_used_step`, shared with unlock, so a code that unlocked cannot also approve.
    pub fn grant(
        request: &StepUpRequest,
        secret: &TotpSecret,
        code: &str,
        now: DateTime<Utc>,
        last_used_step: Option<u64>,
    ) -> Result<Self, CodeError> {
        // Before 1970 no real code can be current; step 0's code is refused by the skew test.
        let unix = u64::try_from(now.timestamp()).unwrap_or(0);
        let step = totp::verify(secret, code, unix, last_used_step)?;
        Ok(Self {
            action: request.action,
            digest: request.digest,
            step,
            approved_at: now,
        })
    }

    /// Whether this approval covers running `action` with parameters of digest `digest` at
    /// `now`: the same action, the same digest, and at most 60 seconds old. A clock earlier
    /// than the approval authorizes nothing.
    pub fn authorizes(
        &self,
        action: GuardedAction,
        digest: &ActionDigest,
        now: DateTime<Utc>,
    ) -> bool {
        let same_digest: bool = self.digest.0.ct_eq(&digest.0).into();
        let age = now - self.approved_at;
        self.action == action && same_digest && age >= TimeDelta::zero() && age <= APPROVAL_VALIDITY
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::HashSet;

    use serde_json::json;

    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_010, 0).unwrap()
    }

    fn secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890").unwrap()
    }

    fn code_now() -> String {
        totp::code_at(&secret(), 1_700_000_010)
    }

    fn replay(ids: &[&str]) -> StepUpRequest {
        StepUpRequest::new(
            GuardedAction::BulkReplay,
            &json!({ "application_id": "app-1", "attempt_ids": ids }),
        )
        .unwrap()
    }

    #[test]
    fn action_names_match_their_json_and_are_distinct() {
        let names: HashSet<&str> = GuardedAction::ALL.iter().map(|a| a.name()).collect();
        assert_eq!(names.len(), GuardedAction::ALL.len());
        for action in GuardedAction::ALL {
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                json!(action.name()),
                "{action:?}"
            );
        }
    }

    #[test]
    fn the_digest_is_sha256_of_name_zero_and_canonical_json() {
        let digest = ActionDigest::compute(
            GuardedAction::Purge,
            &json!({ "b": [1, { "z": true, "a": null }], "a": "x\"y" }),
        )
        .unwrap();
        let canonical = br#"{"a":"x\"y","b":[1,{"a":null,"z":true}]}"#;
        let mut input = b"purge\0".to_vec();
        input.extend_from_slice(canonical);
        let expected: [u8; 32] = Sha256::digest(&input).into();
        assert_eq!(digest.as_bytes(), &expected);
        assert_eq!(digest.to_string().len(), 64);
        assert!(
            digest
                .to_string()
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }

    #[test]
    fn key_order_does_not_change_the_digest_but_any_value_does() {
        let a = ActionDigest::compute(GuardedAction::Purge, &json!({ "x": 1, "y": 2 })).unwrap();
        let b = ActionDigest::compute(GuardedAction::Purge, &json!({ "y": 2, "x": 1 })).unwrap();
        let c = ActionDigest::compute(GuardedAction::Purge, &json!({ "x": 1, "y": 3 })).unwrap();
        let d = ActionDigest::compute(GuardedAction::Erase, &json!({ "x": 1, "y": 2 })).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d, "the action is part of the digest");
    }

    #[test]
    fn digests_round_trip_as_hex_and_refuse_anything_else() {
        let request = replay(&["a1"]);
        let json = serde_json::to_string(&request).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"action":"bulk_replay","digest":"{}"}}"#,
                request.digest
            )
        );
        assert_eq!(
            serde_json::from_str::<StepUpRequest>(&json).unwrap(),
            request
        );
        for bad in [
            "",
            "abc",
            &"g".repeat(64),
            &"é".repeat(32),
            &"+f".repeat(32),
        ] {
            assert_eq!(
                bad.parse::<ActionDigest>(),
                Err(StepUpError::MalformedDigest),
                "{bad}"
            );
        }
        let upper = request.digest.to_string().to_uppercase();
        assert_eq!(upper.parse::<ActionDigest>().unwrap(), request.digest);
    }

    #[test]
    fn an_approval_authorizes_exactly_its_action_and_parameters() {
        let request = replay(&["a1", "a2"]);
        let approval = Approval::grant(&request, &secret(), &code_now(), t0(), None).unwrap();
        assert!(approval.authorizes(GuardedAction::BulkReplay, &request.digest, t0()));

        let other_selection = replay(&["a1", "a2", "a3"]);
        assert!(
            !approval.authorizes(GuardedAction::BulkReplay, &other_selection.digest, t0()),
            "a different selection needs its own approval"
        );
        for action in GuardedAction::ALL {
            if action != GuardedAction::BulkReplay {
                assert!(
                    !approval.authorizes(action, &request.digest, t0()),
                    "{action} is not covered by a bulk replay approval"
                );
            }
        }
        let purge = StepUpRequest::new(GuardedAction::Purge, &json!({})).unwrap();
        assert!(!approval.authorizes(GuardedAction::Purge, &purge.digest, t0()));
    }

    #[test]
    fn an_approval_lasts_sixty_seconds_and_not_before_it_was_given() {
        let request = replay(&["a1"]);
        let approval = Approval::grant(&request, &secret(), &code_now(), t0(), None).unwrap();
        let at = |s: i64| t0() + TimeDelta::seconds(s);
        assert!(approval.authorizes(request.action, &request.digest, at(60)));
        assert!(!approval.authorizes(request.action, &request.digest, at(61)));
        assert!(!approval.authorizes(request.action, &request.digest, at(-1)));
    }

    #[test]
    fn approval_needs_a_fresh_code() {
        let request = replay(&["a1"]);
        let secret = secret();
        let unlock_step = totp::verify(&secret, &code_now(), 1_700_000_010, None).unwrap();
        assert_eq!(
            Approval::grant(&request, &secret, &code_now(), t0(), Some(unlock_step)),
            Err(CodeError::Reused),
            "the code that unlocked cannot approve"
        );
        let wrong: String = code_now()
            .chars()
            .map(|c| {
                if c == '9' {
                    '0'
                } else {
                    char::from(c as u8 + 1)
                }
            })
            .collect();
        assert_eq!(
            Approval::grant(&request, &secret, &wrong, t0(), None),
            Err(CodeError::Wrong)
        );
        let next = totp::code_at(&secret, 1_700_000_040);
        let approval = Approval::grant(&request, &secret, &next, t0(), Some(unlock_step)).unwrap();
        assert_eq!(approval.step, unlock_step + 1);
    }

    #[test]
    fn errors_map_to_the_ui_codes() {
        assert_eq!(
            ErrorDto::from(StepUpError::Required(GuardedAction::Purge)).code,
            ErrorCode::StepUpRequired
        );
        assert_eq!(
            ErrorDto::from(StepUpError::MalformedDigest).code,
            ErrorCode::InvalidInput
        );
    }
}
