//! A full session — enroll, add a profile with its token, test it, sync it, lock, unlock,
//! change settings, approve guarded actions, export the audit log — and then a search of
//! every file of the data directory, every log line and every answer the UI would get, for
//! the API token, the TOTP secret and the cache key. None may appear.
//!
//! The one place the TOTP secret is shown is the enrollment offer (the operator must scan it)
//! and the one place recovery codes are shown is right after they are made; those answers
//! are searched for the token and the cache key only.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use console_core::api::ClientSettings;
use console_core::audit::AuditFilter;
use console_core::gate::{Clock as _, ManualClock};
use console_core::ipc::{PassphraseChange, UnlockRequest};
use console_core::profile::{AuthMethod, ProfileDraft};
use console_core::sync::{Cancel, SyncOptions};
use console_core::{Console, ErrorDto};
use serde::Serialize;

use crate::gate_support::{PASSPHRASE, code_at, options};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut log) = self.0.lock() {
            log.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every answer, serialised as the IPC would send it.
#[derive(Default)]
struct Answers(Vec<String>);

impl Answers {
    fn keep<T: Serialize>(&mut self, answer: Result<T, ErrorDto>) -> anyhow::Result<T> {
        let text = match &answer {
            Ok(value) => serde_json::to_string(value)?,
            Err(error) => serde_json::to_string(error)?,
        };
        self.0.push(text);
        Ok(answer?)
    }
}

fn files_under(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files_under(&path, out)?;
        } else {
            out.push((path.display().to_string(), std::fs::read(&path)?));
        }
    }
    Ok(())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn no_secret_reaches_files_logs_or_answers() -> anyhow::Result<()> {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

    let sandbox = hook0_sandbox::start(
        std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
        hook0_sandbox::SandboxOptions {
            scenario: hook0_sandbox::ScenarioConfig {
                seed: 5,
                applications: 1,
                subscriptions: 2,
                events: 20,
                failure_rate: 0.3,
            },
            rate_limit: false,
            worker_paused: true,
            ..hook0_sandbox::SandboxOptions::default()
        },
    )
    .await?;
    let token = sandbox.service_token().to_owned();
    let dir = tempfile::tempdir()?;
    let clock = ManualClock::new(chrono::Utc::now());
    let console = Console::open(dir.path(), ClientSettings::default(), options(&clock, None))?;
    let mut answers = Answers::default();
    let mut shown_once = Vec::new();

    answers.keep(console.status())?;
    answers.keep(console.assess_passphrase(PASSPHRASE))?;
    let offer = console.begin_enrollment(PASSPHRASE.into())?;
    shown_once.push(serde_json::to_string(&offer)?);
    let codes = console.confirm_enrollment(&code_at(&offer.secret, clock.now()))?;
    shown_once.push(serde_json::to_string(&codes)?);

    let profile = answers.keep(
        console
            .save_profile(ProfileDraft {
                id: None,
                name: "Production".into(),
                api_base_url: sandbox.api_base_url().to_string(),
                auth_method: AuthMethod::ApiToken,
                token: Some(token.clone()),
                email: None,
                password: None,
                default_organization_id: None,
                cache_retention_days: None,
            })
            .await,
    )?;
    answers.keep(console.list_profiles())?;
    answers.keep(console.test_connection(profile.id).await)?;
    let report = console
        .sync_profile(
            profile.id,
            &SyncOptions::default(),
            &Cancel::new(),
            &mut |_| {},
        )
        .await?;
    answers.0.push(format!("{report:?}"));
    let cache_key = console.cache_key(profile.id)?;
    answers.keep(console.status())?;
    answers.keep(console.lock())?;
    answers.keep(console.gate_status())?;
    let _ = answers.keep(console.list_profiles());
    let _ = answers.keep(console.unlock(UnlockRequest {
        passphrase: Some("a wrong passphrase".into()),
        code: "123456".into(),
    }));
    clock.advance(Duration::seconds(30));
    answers.keep(console.unlock(UnlockRequest {
        passphrase: Some(PASSPHRASE.into()),
        code: code_at(&offer.secret, clock.now()),
    }))?;
    answers.keep(console.test_connection(profile.id).await)?;
    answers.keep(console.security_settings())?;
    answers.keep(console.set_idle_lock_minutes(20))?;
    clock.advance(Duration::seconds(30));
    let fresh = console.regenerate_recovery_codes(&code_at(&offer.secret, clock.now()))?;
    shown_once.push(serde_json::to_string(&fresh)?);
    clock.advance(Duration::seconds(30));
    let new_passphrase = "another long passphrase for the vault";
    answers.keep(console.change_passphrase(PassphraseChange {
        current: PASSPHRASE.into(),
        new: new_passphrase.into(),
        code: code_at(&offer.secret, clock.now()),
    }))?;
    answers.keep(console.audit_list(AuditFilter::default()))?;
    answers.keep(console.audit_verify())?;
    clock.advance(Duration::seconds(30));
    answers.keep(console.audit_export(&code_at(&offer.secret, clock.now())))?;
    answers.keep(console.lock())?;
    drop(console);

    let totp_raw = totp_rs::Secret::Encoded(offer.secret.clone())
        .to_bytes()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let key_raw = cache_key.expose_bytes().to_vec();
    let secrets: Vec<(&str, Vec<u8>)> = vec![
        ("the API token", token.as_bytes().to_vec()),
        ("the TOTP secret (base32)", offer.secret.as_bytes().to_vec()),
        ("the TOTP secret (bytes)", totp_raw.clone()),
        ("the TOTP secret (hex)", hex(&totp_raw).into_bytes()),
        ("the cache key (bytes)", key_raw.clone()),
        ("the cache key (hex)", hex(&key_raw).into_bytes()),
        (
            "the cache key (HEX)",
            hex(&key_raw).to_uppercase().into_bytes(),
        ),
        ("the passphrase", PASSPHRASE.as_bytes().to_vec()),
        ("the new passphrase", new_passphrase.as_bytes().to_vec()),
    ];

    let mut files = Vec::new();
    files_under(dir.path(), &mut files)?;
    assert!(
        files.iter().any(|(name, _)| name.ends_with("audit.db")),
        "the data directory holds the audit log: {:?}",
        files.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    let log = captured.0.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(!log.is_empty(), "the session logged something");
    for (what, needle) in &secrets {
        for (name, bytes) in &files {
            assert!(!contains(bytes, needle), "{what} found in {name}");
        }
        assert!(!contains(&log, needle), "{what} found in the logs");
        for answer in &answers.0 {
            assert!(
                !contains(answer.as_bytes(), needle),
                "{what} in an answer: {answer}"
            );
        }
        for (name, value) in std::env::vars() {
            assert!(!contains(value.as_bytes(), needle), "{what} in ${name}");
        }
    }
    for answer in &shown_once {
        for (what, needle) in &secrets[..1] {
            assert!(!contains(answer.as_bytes(), needle), "{what} in {answer}");
        }
        for (what, needle) in &secrets[4..] {
            assert!(!contains(answer.as_bytes(), needle), "{what} in {answer}");
        }
    }
    sandbox.shutdown().await;
    Ok(())
}
