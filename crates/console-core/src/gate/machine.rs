//! The gate as one state machine: not enrolled → unlocked ⇄ locked.
//!
//! It composes the vault (what is secret), the throttle (what survives failed attempts), the
//! lock policy (when to lock by itself) and the audit log (what happened). Invariants:
//! - while locked, nothing secret is in memory: the decrypted [`VaultSecrets`] and the vault's
//!   data key live only inside [`Unlocked`], which is dropped (and zeroed) on lock;
//! - a one-time code is accepted at most once: the last accepted time step is sealed into the
//!   vault before the operation it approves goes on, so a restart or a clock moved back does
//!   not make an old code valid again;
//! - every failure is counted in the throttle file *before* the error is returned, and goes to
//!   the audit log (sealed into the chain at the next unlock when it happened while locked).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use secrecy::SecretString;

use super::audit_trail::AuditTrail;
use super::secrets::VaultSecrets;
use super::{Clock, CodeError, GateSettings, LockReason, Throttle, TotpSecret, totp};
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::{ErrorCode, ErrorDto};
use crate::ipc::{GateStatus, KeyringReport, LockState};
use crate::vault::{KdfParams, Keyring, Vault, VaultError};

/// The vault file in the data directory.
pub const VAULT_FILE: &str = "vault.h0cv";
/// The throttle's state (not secret).
pub const THROTTLE_FILE: &str = super::throttle::STATE_FILE;
/// The audit log.
pub const AUDIT_FILE: &str = "audit.db";

/// How long keyring detection may take before the console goes on without one.
const KEYRING_PROBE: std::time::Duration = std::time::Duration::from_millis(800);

/// Which OS keyring the gate may use.
#[derive(Debug)]
pub enum KeyringChoice {
    /// Probe the platform's store (bounded in time).
    Detect,
    /// Use this one (tests: the mock store).
    Use(Keyring),
    /// Use none.
    Off,
}

/// What the gate is built with.
#[derive(Debug)]
pub struct GateOptions {
    /// Argon2id cost of the passphrase (the vault records it; unlock uses what it records).
    pub kdf: KdfParams,
    /// The time source for codes, lockouts and idle locks.
    pub clock: Arc<dyn Clock>,
    /// The OS keyring.
    pub keyring: KeyringChoice,
}

impl GateOptions {
    /// Production settings: recommended Argon2id cost, system clock, platform keyring.
    pub fn standard() -> Self {
        Self {
            kdf: KdfParams::RECOMMENDED,
            clock: Arc::new(super::SystemClock),
            keyring: KeyringChoice::Detect,
        }
    }
}

/// The decrypted state, present only while unlocked.
pub(crate) struct Unlocked {
    pub vault: Vault,
    pub secrets: VaultSecrets,
    pub unlocked_at: DateTime<Utc>,
    pub last_activity: DateTime<Utc>,
    /// A new authenticator secret waiting for its first code (re-enrollment).
    pub reenrollment: Option<TotpSecret>,
}

pub(crate) enum State {
    /// First run; holds the chosen passphrase and secret between the two enrollment steps.
    NotEnrolled(Option<super::enroll::PendingEnrollment>),
    Locked,
    Unlocked(Box<Unlocked>),
}

/// The two-factor gate of one installation.
pub struct Gate {
    pub(crate) dir: PathBuf,
    pub(crate) kdf: KdfParams,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) keyring: Result<Keyring, String>,
    pub(crate) throttle: Throttle,
    pub(crate) trail: AuditTrail,
    pub(crate) state: State,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::NotEnrolled(_) => "not enrolled",
            State::Locked => "locked",
            State::Unlocked(_) => "unlocked",
        };
        f.debug_struct("Gate")
            .field("dir", &self.dir)
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl Gate {
    /// Opens the gate of the installation in `dir`: locked when a vault exists, otherwise
    /// waiting for enrollment.
    pub fn open(dir: &Path, options: GateOptions) -> Result<Self, ErrorDto> {
        std::fs::create_dir_all(dir).map_err(|e| {
            ErrorDto::new(
                ErrorCode::Storage,
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
        let keyring = match options.keyring {
            KeyringChoice::Detect => Keyring::detect(KEYRING_PROBE).map_err(|e| e.reason),
            KeyringChoice::Use(keyring) => Ok(keyring),
            KeyringChoice::Off => Err("not used by this program".into()),
        };
        if let Err(reason) = &keyring {
            tracing::info!(%reason, "no system keyring: the passphrase is needed at every unlock");
        }
        let throttle = Throttle::load(&dir.join(THROTTLE_FILE))?;
        let trail = AuditTrail::open(dir)?;
        let state = if Vault::exists(&dir.join(VAULT_FILE)) {
            State::Locked
        } else {
            State::NotEnrolled(None)
        };
        Ok(Self {
            dir: dir.to_owned(),
            kdf: options.kdf,
            clock: options.clock,
            keyring,
            throttle,
            trail,
            state,
        })
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) fn vault_path(&self) -> PathBuf {
        self.dir.join(VAULT_FILE)
    }

    fn throttle_path(&self) -> PathBuf {
        self.dir.join(THROTTLE_FILE)
    }

    /// Locks if the idle or absolute limit has passed; says why it locked.
    pub fn enforce_policy(&mut self) -> Option<LockReason> {
        let now = self.now();
        let State::Unlocked(unlocked) = &self.state else {
            return None;
        };
        let policy = unlocked.secrets.settings.lock_policy().unwrap_or_default();
        let reason = policy.due(unlocked.unlocked_at, unlocked.last_activity, now)?;
        self.lock(reason);
        Some(reason)
    }

    /// Not enrolled, locked or unlocked — after applying the lock policy.
    pub fn lock_state(&mut self) -> LockState {
        self.enforce_policy();
        match self.state {
            State::NotEnrolled(_) => LockState::NotEnrolled,
            State::Locked => LockState::Locked,
            State::Unlocked(_) => LockState::Unlocked,
        }
    }

    /// The unlocked state, counting this call as activity; `locked` or `not_enrolled`
    /// otherwise.
    pub(crate) fn unlocked(&mut self) -> Result<&mut Unlocked, ErrorDto> {
        self.enforce_policy();
        let now = self.now();
        match &mut self.state {
            State::Unlocked(unlocked) => {
                unlocked.last_activity = now;
                Ok(unlocked)
            }
            State::Locked => Err(locked()),
            State::NotEnrolled(_) => Err(not_enrolled()),
        }
    }

    /// The unlocked state without counting as activity (background work), `None` otherwise.
    pub(crate) fn unlocked_quietly(&mut self) -> Option<&mut Unlocked> {
        match &mut self.state {
            State::Unlocked(unlocked) => Some(unlocked),
            _ => None,
        }
    }

    /// Refuses unless unlocked, without counting as activity (background work asking).
    pub fn require_unlocked_quietly(&mut self) -> Result<(), ErrorDto> {
        match self.lock_state() {
            LockState::Unlocked => Ok(()),
            LockState::Locked => Err(locked()),
            LockState::NotEnrolled => Err(not_enrolled()),
        }
    }

    /// Refuses unless unlocked; counts as activity.
    pub fn require_unlocked(&mut self) -> Result<(), ErrorDto> {
        self.unlocked().map(|_| ())
    }

    /// What the lock screen shows.
    pub fn status(&mut self) -> GateStatus {
        let lock = self.lock_state();
        let now = self.now();
        let throttled_until = self.throttle.check(now).err().map(|t| rfc3339(t.until));
        let keyring = self.keyring_report();
        let (idle_lock_minutes, locks_at, audit) = match &self.state {
            State::Unlocked(unlocked) => {
                let settings = &unlocked.secrets.settings;
                let policy = settings.lock_policy().unwrap_or_default();
                (
                    settings.idle_lock_minutes,
                    Some(rfc3339(
                        policy.locks_at(unlocked.unlocked_at, unlocked.last_activity),
                    )),
                    self.trail.integrity().cloned(),
                )
            }
            _ => (GateSettings::default().idle_lock_minutes, None, None),
        };
        GateStatus {
            lock,
            throttled_until,
            consecutive_failures: self.throttle.failures(),
            recovery_code_required: !self.throttle.totp_allowed(),
            keyring,
            idle_lock_minutes,
            locks_at,
            audit,
        }
    }

    pub(crate) fn keyring_report(&self) -> KeyringReport {
        let enabled = Vault::info(&self.vault_path())
            .map(|info| info.has_keyring_slot)
            .unwrap_or(false);
        match &self.keyring {
            Ok(keyring) => KeyringReport {
                store: Some(keyring.store_name().to_owned()),
                enabled,
                notice: None,
            },
            Err(reason) => KeyringReport {
                store: None,
                enabled: false,
                notice: Some(format!(
                    "No system keyring: the passphrase is asked at every unlock. Tried: {reason}."
                )),
            },
        }
    }

    /// Unlocks with the passphrase (or the keyring) and a TOTP or recovery code.
    pub fn unlock(
        &mut self,
        passphrase: Option<SecretString>,
        code: &str,
    ) -> Result<GateStatus, ErrorDto> {
        match self.lock_state() {
            LockState::Unlocked => return Ok(self.status()),
            LockState::NotEnrolled => return Err(not_enrolled()),
            LockState::Locked => {}
        }
        let now = self.now();
        if let Err(throttled) = self.throttle.check(now) {
            self.trail.pending(
                AuditEntry::operator(AuditAction::UnlockFailed, AuditOutcome::Denied)
                    .with_targets(["throttled"]),
                now,
            );
            return Err(ErrorDto::new(
                ErrorCode::Throttled,
                format!(
                    "too many failed attempts: unlocking is possible again at {}",
                    throttled.until.format("%H:%M:%S UTC")
                ),
            ));
        }
        let opened = match &passphrase {
            Some(passphrase) => Vault::open(&self.vault_path(), passphrase),
            None => match &self.keyring {
                Ok(keyring) => Vault::open_with_keyring(&self.vault_path(), keyring),
                Err(reason) => {
                    return Err(ErrorDto::new(
                        ErrorCode::KeyringUnavailable,
                        format!("no system keyring ({reason}): enter the passphrase"),
                    ));
                }
            },
        };
        let (vault, bytes) = match opened {
            Ok(opened) => opened,
            Err(VaultError::WrongPassphrase) => {
                return Err(self.failed_unlock(now, "passphrase", wrong_passphrase()));
            }
            Err(other) => return Err(other.into()),
        };
        let mut secrets = VaultSecrets::from_bytes(&bytes).map_err(|e| {
            ErrorDto::new(
                ErrorCode::Tampered,
                format!("the vault cannot be used: {e}"),
            )
        })?;
        drop(bytes);
        if let Err((target, error)) = self.check_unlock_code(&mut secrets, code, now) {
            return Err(self.failed_unlock(now, target, error));
        }
        self.throttle.record_success();
        self.throttle.save(&self.throttle_path())?;
        let mut unlocked = Box::new(Unlocked {
            vault,
            secrets,
            unlocked_at: now,
            last_activity: now,
            reenrollment: None,
        });
        self.trail.open_chain(&mut unlocked.secrets, now)?;
        self.trail.record(
            &mut unlocked.secrets,
            AuditEntry::operator(AuditAction::UnlockSucceeded, AuditOutcome::Succeeded)
                .with_targets([if passphrase.is_some() {
                    "passphrase"
                } else {
                    "keyring"
                }]),
            now,
        )?;
        seal(&mut unlocked)?;
        self.state = State::Unlocked(unlocked);
        Ok(self.status())
    }

    /// Checks the one-time code of an unlock, consuming it in `secrets` when it is good.
    fn check_unlock_code(
        &self,
        secrets: &mut VaultSecrets,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), (&'static str, ErrorDto)> {
        let looks_like_totp = code.chars().filter(|c| !c.is_whitespace()).count() == 6;
        if looks_like_totp {
            if !self.throttle.totp_allowed() {
                return Err((
                    "totp_disabled",
                    ErrorDto::new(
                        ErrorCode::WrongCode,
                        "after too many failed attempts only a recovery code unlocks the console",
                    ),
                ));
            }
            let secret = secrets.totp_secret().map_err(|e| ("code", e))?;
            let step = totp::verify(&secret, code, unix(now), secrets.last_used_step)
                .map_err(|e| ("code", code_error(e)))?;
            secrets.last_used_step = Some(step);
            return Ok(());
        }
        match secrets.recovery.redeem(code, now) {
            Ok(_) => Ok(()),
            Err(_) => Err((
                "recovery_code",
                ErrorDto::new(
                    ErrorCode::WrongCode,
                    "that is neither a current 6-digit code nor an unused recovery code",
                ),
            )),
        }
    }

    /// Counts a failed unlock, logs it (and a lockout it starts) and returns `error`.
    fn failed_unlock(&mut self, now: DateTime<Utc>, target: &str, error: ErrorDto) -> ErrorDto {
        let outcome = self.throttle.record_failure(now);
        if let Err(save) = self.throttle.save(&self.throttle_path()) {
            // Refusing is safer than unlocking on: report the storage problem instead.
            return save.into();
        }
        self.trail.pending(
            AuditEntry::operator(AuditAction::UnlockFailed, AuditOutcome::Failed)
                .with_targets([target]),
            now,
        );
        if let Some(until) = outcome.lockout_until {
            self.trail.pending(
                AuditEntry::operator(AuditAction::Lockout, AuditOutcome::Denied)
                    .with_targets([format!("until={}", rfc3339(until))]),
                now,
            );
        }
        if outcome.totp_disabled {
            self.trail.pending(
                AuditEntry::operator(AuditAction::Lockout, AuditOutcome::Denied)
                    .with_targets(["totp_disabled"]),
                now,
            );
        }
        error
    }

    /// Locks: records why, seals, and drops every decrypted secret.
    pub fn lock(&mut self, reason: LockReason) -> GateStatus {
        let now = self.now();
        if let State::Unlocked(unlocked) = &mut self.state {
            let recorded = self.trail.record(
                &mut unlocked.secrets,
                AuditEntry::operator(AuditAction::Lock, AuditOutcome::Succeeded)
                    .with_targets([reason.as_str()]),
                now,
            );
            if let Err(error) = recorded.and_then(|()| seal(unlocked)) {
                tracing::error!(%error, "the lock could not be recorded; locking anyway");
            }
            self.state = State::Locked;
        }
        self.status()
    }

    /// Records an operator action in the audit chain (unlocked only).
    pub fn record(&mut self, entry: AuditEntry) -> Result<(), ErrorDto> {
        let now = self.now();
        let State::Unlocked(unlocked) = &mut self.state else {
            return Err(locked());
        };
        self.trail.record(&mut unlocked.secrets, entry, now)?;
        seal(unlocked)
    }
}

/// Writes the secrets back into the vault (fresh nonce; no key derivation).
pub(crate) fn seal(unlocked: &mut Unlocked) -> Result<(), ErrorDto> {
    let bytes = unlocked
        .secrets
        .to_bytes()
        .map_err(|e| ErrorDto::new(ErrorCode::Internal, e.to_string()))?;
    unlocked.vault.seal(&bytes)?;
    Ok(())
}

pub(crate) fn code_error(error: CodeError) -> ErrorDto {
    match error {
        CodeError::Reused => ErrorDto::new(
            ErrorCode::CodeReused,
            "this code was already used: wait for the next one",
        ),
        other => ErrorDto::new(ErrorCode::WrongCode, other.to_string()),
    }
}

pub(crate) fn locked() -> ErrorDto {
    ErrorDto::new(
        ErrorCode::Locked,
        "the console is locked: unlock it with your passphrase and a code",
    )
}

pub(crate) fn not_enrolled() -> ErrorDto {
    ErrorDto::new(
        ErrorCode::NotEnrolled,
        "the console is not set up yet: choose a passphrase and enroll an authenticator",
    )
}

fn wrong_passphrase() -> ErrorDto {
    ErrorDto::new(
        ErrorCode::WrongPassphrase,
        "the passphrase does not open the vault",
    )
}

/// Seconds since 1970 as TOTP counts them (a clock before 1970 counts as 1970).
pub(crate) fn unix(at: DateTime<Utc>) -> u64 {
    u64::try_from(at.timestamp()).unwrap_or(0)
}

pub(crate) fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
