//! Enrollment (first run) and re-enrollment of the authenticator.
//!
//! Nothing is written until the operator proves the authenticator works: the chosen
//! passphrase and the new secret wait in memory until one valid code arrives, and only then is
//! the vault created. Re-enrollment works the same way inside an unlocked console, after a
//! step-up with the old authenticator.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret as _, SecretString};

use super::machine::{Gate, State, code_error, not_enrolled, rfc3339, seal, unix};
use super::secrets::VaultSecrets;
use super::{Enrollment, GuardedAction, RecoveryCodes as CodeSet, TotpSecret, passphrase, totp};
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::{ErrorCode, ErrorDto};
use crate::ipc::{EnrollmentOffer, PassphraseStrength, RecoveryCodes};
use crate::vault::Vault;

/// The label authenticator apps show next to the code.
const ACCOUNT: &str = "operator";

/// Between the two steps of the first enrollment.
pub(crate) struct PendingEnrollment {
    passphrase: SecretString,
    secret: TotpSecret,
}

impl Gate {
    /// How strong a candidate passphrase is.
    pub fn assess_passphrase(&self, candidate: &str) -> PassphraseStrength {
        let assessment = passphrase::assess(candidate, &["hook0", "console", "operator"]);
        PassphraseStrength {
            score: assessment.score,
            acceptable: assessment.acceptable,
            warning: assessment.warning.clone(),
            suggestions: assessment.suggestions.clone(),
            crack_time: assessment.crack_time_display.clone(),
        }
    }

    /// First enrollment, step one: takes the passphrase and offers a new authenticator secret.
    pub fn begin_enrollment(&mut self, chosen: SecretString) -> Result<EnrollmentOffer, ErrorDto> {
        if !matches!(self.state, State::NotEnrolled(_)) {
            return Err(ErrorDto::new(
                ErrorCode::InvalidInput,
                "the console is already enrolled: re-enroll from the security settings",
            ));
        }
        let strength = self.assess_passphrase(chosen.expose_secret());
        if !strength.acceptable {
            return Err(ErrorDto::new(
                ErrorCode::InvalidInput,
                format!(
                    "this passphrase is too easy to guess{}",
                    strength
                        .warning
                        .map(|w| format!(": {w}"))
                        .unwrap_or_default()
                ),
            ));
        }
        let secret = TotpSecret::generate()?;
        let offer = offer(&secret)?;
        self.state = State::NotEnrolled(Some(PendingEnrollment {
            passphrase: chosen,
            secret,
        }));
        Ok(offer)
    }

    /// First enrollment, step two: one valid code creates the vault; the console is unlocked
    /// and the recovery codes are returned, once.
    pub fn confirm_enrollment(&mut self, code: &str) -> Result<RecoveryCodes, ErrorDto> {
        let State::NotEnrolled(pending) = &self.state else {
            return Err(ErrorDto::new(
                ErrorCode::InvalidInput,
                "the console is already enrolled",
            ));
        };
        let Some(pending) = pending else {
            return Err(not_enrolled());
        };
        let now = self.now();
        let step = totp::verify(&pending.secret, code, unix(now), None).map_err(code_error)?;
        let (codes, hashes) = CodeSet::generate()?;
        let secrets = VaultSecrets::new(&pending.secret, step, hashes, now);
        let bytes = secrets
            .to_bytes()
            .map_err(|e| ErrorDto::new(ErrorCode::Internal, e.to_string()))?;
        let vault = Vault::create(&self.vault_path(), &pending.passphrase, self.kdf, &bytes)?;
        let mut unlocked = Box::new(super::machine::Unlocked {
            vault,
            secrets,
            unlocked_at: now,
            last_activity: now,
            reenrollment: None,
        });
        self.trail.open_chain(&mut unlocked.secrets, now)?;
        self.trail.record(
            &mut unlocked.secrets,
            AuditEntry::operator(AuditAction::Enroll, AuditOutcome::Succeeded),
            now,
        )?;
        seal(&mut unlocked)?;
        self.state = State::Unlocked(unlocked);
        Ok(shown_once(codes, now))
    }

    /// Re-enrollment, step one (step-up with the current authenticator): offers a new secret.
    pub fn begin_reenrollment(&mut self, code: &str) -> Result<EnrollmentOffer, ErrorDto> {
        self.step_up(GuardedAction::Reenroll, &(), code)?;
        let secret = TotpSecret::generate()?;
        let offer = offer(&secret)?;
        self.unlocked()?.reenrollment = Some(secret);
        Ok(offer)
    }

    /// Re-enrollment, step two: a code from the new authenticator replaces the secret and
    /// the recovery codes.
    pub fn confirm_reenrollment(&mut self, code: &str) -> Result<RecoveryCodes, ErrorDto> {
        let now = self.now();
        let unlocked = self.unlocked()?;
        let Some(secret) = &unlocked.reenrollment else {
            return Err(ErrorDto::new(
                ErrorCode::InvalidInput,
                "no re-enrollment is in progress: start it again from the security settings",
            ));
        };
        let step = totp::verify(secret, code, unix(now), None).map_err(code_error)?;
        let (codes, hashes) = CodeSet::generate()?;
        unlocked.secrets.totp_secret = secret.as_bytes().to_vec();
        // The new authenticator's steps start over: only later steps of the new secret count.
        unlocked.secrets.last_used_step = Some(step);
        unlocked.secrets.enrolled_at = now;
        unlocked.secrets.recovery = hashes;
        unlocked.secrets.recovery_generated_at = now;
        unlocked.reenrollment = None;
        self.record(AuditEntry::operator(
            AuditAction::Reenroll,
            AuditOutcome::Succeeded,
        ))?;
        Ok(shown_once(codes, now))
    }
}

fn offer(secret: &TotpSecret) -> Result<EnrollmentOffer, ErrorDto> {
    let offer = Enrollment::new(secret, ACCOUNT)?;
    Ok(EnrollmentOffer {
        otpauth_uri: offer.otpauth_uri.clone(),
        secret: offer.secret_base32.clone(),
        qr_png_data_url: offer.qr_png_data_url.clone(),
        account: ACCOUNT.to_owned(),
    })
}

pub(crate) fn shown_once(codes: Vec<SecretString>, now: DateTime<Utc>) -> RecoveryCodes {
    RecoveryCodes {
        codes: codes.iter().map(|c| c.expose_secret().to_owned()).collect(),
        generated_at: rfc3339(now),
    }
}
