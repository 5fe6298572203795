//! A console behind its gate, on real files, with a clock the test moves and an
//! authenticator the test computes codes with.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use console_core::api::ClientSettings;
use console_core::gate::{Clock as _, GateOptions, KeyringChoice, ManualClock};
use console_core::ipc::{EnrollmentOffer, RecoveryCodes, UnlockRequest};
use console_core::vault::{KdfParams, Keyring};
use console_core::{Console, ErrorCode, ErrorDto};
use totp_rs::{Algorithm, Secret, TOTP};

pub const PASSPHRASE: &str = "correct horse battery staple, but longer";

/// A console with an enrolled gate.
pub struct Gated {
    pub dir: tempfile::TempDir,
    pub clock: ManualClock,
    pub console: Console,
    pub secret: String,
    pub recovery: Vec<String>,
    keyring: Option<Keyring>,
}

pub fn start_time() -> DateTime<Utc> {
    // On a step boundary, so that "the next code" is exactly 30 s later.
    Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0)
        .single()
        .expect("a valid instant")
}

pub fn options(clock: &ManualClock, keyring: Option<Keyring>) -> GateOptions {
    GateOptions {
        kdf: KdfParams::FAST_INSECURE_FOR_TESTS,
        clock: Arc::new(clock.clone()),
        keyring: match keyring {
            Some(keyring) => KeyringChoice::Use(keyring),
            None => KeyringChoice::Off,
        },
    }
}

pub fn open(dir: &Path, clock: &ManualClock, keyring: Option<Keyring>) -> Console {
    Console::open(dir, ClientSettings::default(), options(clock, keyring))
        .expect("the console opens")
}

/// The code an authenticator shows at `at` for a base32 secret.
pub fn code_at(secret: &str, at: DateTime<Utc>) -> String {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .expect("a base32 secret");
    TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, bytes, None, String::new())
        .generate(u64::try_from(at.timestamp()).expect("after 1970"))
}

impl Gated {
    /// Enrolls a fresh console at [`start_time`].
    pub fn enrolled() -> Self {
        Self::enrolled_with(None)
    }

    pub fn enrolled_with(keyring: Option<Keyring>) -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let clock = ManualClock::new(start_time());
        let console = open(dir.path(), &clock, keyring.clone());
        let offer: EnrollmentOffer = console
            .begin_enrollment(PASSPHRASE.to_owned())
            .expect("enrollment starts");
        let RecoveryCodes { codes, .. } = console
            .confirm_enrollment(&code_at(&offer.secret, clock.now()))
            .expect("enrollment completes");
        Self {
            dir,
            clock,
            console,
            secret: offer.secret,
            recovery: codes,
            keyring,
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// The current code (the test moves the clock past used steps itself).
    pub fn code(&self) -> String {
        code_at(&self.secret, self.clock.now())
    }

    /// Moves to the next 30-second step and returns its code.
    pub fn next_code(&self) -> String {
        self.clock.advance(Duration::seconds(30));
        self.code()
    }

    pub fn unlock(&self, passphrase: &str, code: &str) -> Result<(), ErrorDto> {
        self.console
            .unlock(UnlockRequest {
                passphrase: Some(passphrase.to_owned()),
                code: code.to_owned(),
            })
            .map(|_| ())
    }

    /// Closes the console and opens it again on the same files (a restart).
    pub fn restart(&mut self) {
        self.console = open(self.dir.path(), &self.clock, self.keyring.clone());
    }
}

pub fn code_of(result: Result<impl std::fmt::Debug, ErrorDto>) -> ErrorCode {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(error) => error.code,
    }
}

/// An enrolled, unlocked console for tests about something else than the gate, with what it
/// takes to reopen it unlocked (a restart).
pub struct TestGate {
    pub clock: ManualClock,
    pub secret: String,
}

pub fn enrolled_console(
    dir: &Path,
    settings: ClientSettings,
) -> anyhow::Result<(Console, TestGate)> {
    let clock = ManualClock::new(Utc::now());
    let console = Console::open(dir, settings, options(&clock, None))?;
    let offer = console.begin_enrollment(PASSPHRASE.to_owned())?;
    console.confirm_enrollment(&code_at(&offer.secret, clock.now()))?;
    Ok((
        console,
        TestGate {
            clock,
            secret: offer.secret,
        },
    ))
}

impl TestGate {
    /// Opens the console again and unlocks it with the next code.
    pub fn reopen(&self, dir: &Path, settings: ClientSettings) -> anyhow::Result<Console> {
        let console = Console::open(dir, settings, options(&self.clock, None))?;
        self.clock.advance(Duration::seconds(30));
        console.unlock(UnlockRequest {
            passphrase: Some(PASSPHRASE.to_owned()),
            code: code_at(&self.secret, self.clock.now()),
        })?;
        Ok(console)
    }
}

/// Saves a profile that signs in with `token` at `api_base_url`, and makes it the active one.
pub async fn active_token_profile(
    console: &Console,
    name: &str,
    api_base_url: String,
    token: &str,
) -> anyhow::Result<uuid::Uuid> {
    let profile = console
        .save_profile(console_core::profile::ProfileDraft {
            id: None,
            name: name.into(),
            api_base_url,
            auth_method: console_core::profile::AuthMethod::ApiToken,
            token: Some(token.to_owned()),
            email: None,
            password: None,
            default_organization_id: None,
            cache_retention_days: None,
        })
        .await?;
    console.set_active_profile(profile.id)?;
    Ok(profile.id)
}

/// A "Staging" profile on `sandbox`'s service token, made the active one.
pub async fn sandbox_profile(
    console: &Console,
    sandbox: &hook0_sandbox::RunningSandbox,
) -> anyhow::Result<uuid::Uuid> {
    active_token_profile(
        console,
        "Staging",
        sandbox.api_base_url().to_string(),
        sandbox.service_token(),
    )
    .await
}
