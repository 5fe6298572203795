//! What the lock screen, the enrollment wizard, the step-up dialog and the security settings
//! exchange with the gate.
//!
//! Secrets go one way only, and only where the operator must read them: the TOTP secret in
//! the enrollment offer (shown once, to be scanned) and fresh recovery codes (shown once, to be
//! written down). Nothing the gate answers afterwards contains either; passphrases and codes
//! travel from the web view to Rust and are never sent back.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::LockState;

/// The gate as the lock screen sees it; readable while locked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GateStatus {
    /// Not enrolled, locked or unlocked.
    pub lock: LockState,
    /// RFC 3339 instant until which unlocking is refused after repeated failures.
    pub throttled_until: Option<String>,
    /// Failed unlock attempts in a row (reset by a success).
    pub consecutive_failures: u32,
    /// After too many failures the authenticator code is no longer accepted: only a
    /// recovery code unlocks.
    pub recovery_code_required: bool,
    /// The OS keyring, as far as the console uses it.
    pub keyring: KeyringReport,
    /// Minutes of inactivity after which the console locks itself.
    pub idle_lock_minutes: u32,
    /// RFC 3339 instant at which the console will lock itself if nothing happens (unlocked
    /// only): the earlier of the idle and the absolute limit.
    pub locks_at: Option<String>,
    /// How the audit log verified at the last unlock (unlocked only).
    pub audit: Option<AuditIntegrity>,
}

/// Which OS keyring the console can use and whether it keeps the vault's wrapping key there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeyringReport {
    /// The store's name ("Secret Service", "macOS Keychain", …), when one answered.
    pub store: Option<String>,
    /// Whether the vault can currently be opened from the keyring instead of the passphrase.
    pub enabled: bool,
    /// Why no keyring is used, in words for the operator (absent when one is in use).
    pub notice: Option<String>,
}

/// The outcome of verifying the audit log's hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditIntegrity {
    /// Every record verified and the log ends where the vault says it ends.
    pub intact: bool,
    /// Records checked.
    #[ts(type = "number")]
    pub records: u64,
    /// What is wrong, naming the first bad record (absent when intact).
    pub problem: Option<String>,
    /// RFC 3339 time of the check.
    pub checked_at: String,
}

/// What the authenticator app needs to enroll: shown once, during enrollment only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EnrollmentOffer {
    /// `otpauth://totp/…` for apps that take a link.
    pub otpauth_uri: String,
    /// The secret in base32, for typing in by hand.
    pub secret: String,
    /// The same URI as a QR code, a `data:image/png;base64,…` URL.
    pub qr_png_data_url: String,
    /// The account label the authenticator will show.
    pub account: String,
}

/// Single-use recovery codes, shown once right after they are made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RecoveryCodes {
    /// The codes, formatted for writing down.
    pub codes: Vec<String>,
    /// RFC 3339 time they were made; any older set no longer works.
    pub generated_at: String,
}

/// How to unlock: a passphrase (or the keyring, when none is given) and a one-time code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UnlockRequest {
    /// The passphrase; absent to open the vault with the OS keyring.
    pub passphrase: Option<String>,
    /// A current authenticator code or one unused recovery code.
    pub code: String,
}

/// A passphrase change, confirmed with a fresh code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PassphraseChange {
    /// The passphrase in use.
    pub current: String,
    /// The new one.
    pub new: String,
    /// A fresh authenticator code approving exactly this change.
    pub code: String,
}

/// How strong a candidate passphrase is, for the strength meter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PassphraseStrength {
    /// 0 (guessed at once) to 4 (very hard to guess).
    pub score: u8,
    /// Whether the console accepts it.
    pub acceptable: bool,
    /// The main weakness, if any.
    pub warning: Option<String>,
    /// How to make it stronger.
    pub suggestions: Vec<String>,
    /// Rough time to guess it offline, in words.
    pub crack_time: String,
}

/// The security settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SecuritySettings {
    /// Minutes of inactivity after which the console locks itself.
    pub idle_lock_minutes: u32,
    /// The largest value allowed for `idle_lock_minutes`.
    pub max_idle_lock_minutes: u32,
    /// Hours after unlocking at which the console locks regardless of activity.
    pub absolute_lock_hours: u32,
    /// The OS keyring.
    pub keyring: KeyringReport,
    /// Unused recovery codes left.
    pub recovery_codes_left: u32,
    /// RFC 3339 time the authenticator was enrolled.
    pub enrolled_at: String,
}

/// The written audit export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditExport {
    /// Where the file was written.
    pub path: String,
    /// Records exported.
    #[ts(type = "number")]
    pub records: u64,
    /// Whether the chain verified before export (a broken chain is exported and flagged).
    pub intact: bool,
}
