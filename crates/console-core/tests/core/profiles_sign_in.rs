//! Profiles that sign in with email and password, against the sandbox: the password is used
//! once and never kept, refreshed tokens replace the held ones, an ended session asks for a
//! new sign-in, and no secret reaches the data directory, an IPC answer or the logs.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use console_core::api::{ClientSettings, Credentials, Pacing};
use console_core::cache::{Cache, CacheKey};
use console_core::ipc::ConnectionState;
use console_core::profile::{AuthMethod, Profile, ProfileDraft};
use console_core::sync::{Cancel, Progress, Stage, SyncOptions, sync};
use console_core::{Console, ErrorCode};
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig, UserAccount};
use secrecy::ExposeSecret;

async fn sandbox(user: UserAccount) -> anyhow::Result<RunningSandbox> {
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 11,
            applications: 2,
            subscriptions: 3,
            events: 120,
            failure_rate: 0.2,
        },
        rate_limit: false,
        worker_paused: true,
        user,
        ..SandboxOptions::built_in_profile()
    };
    Ok(hook0_sandbox::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), options).await?)
}

fn console(dir: &std::path::Path) -> anyhow::Result<Console> {
    let settings = ClientSettings {
        pacing: Pacing::unlimited(4),
        ..ClientSettings::default()
    };
    Ok(crate::gate_support::enrolled_console(dir, settings)?.0)
}

fn user_draft(sandbox: &RunningSandbox, password: Option<&str>) -> ProfileDraft {
    // Read as the form sends it, so fields this test does not care about take their defaults.
    let draft = serde_json::json!({
        "id": null,
        "name": "Operator",
        "api_base_url": sandbox.api_base_url().to_string(),
        "auth_method": "email_password",
        "token": null,
        "email": sandbox.user().email,
        "password": password,
        "default_organization_id": null,
    });
    serde_json::from_value(draft).expect("a draft as the form sends it")
}

/// The access and refresh tokens a profile's clients send now.
fn held_tokens(console: &Console, profile: &Profile) -> anyhow::Result<(String, String)> {
    let Credentials::User(tokens) = console.client(profile.id)?.credentials() else {
        anyhow::bail!("a user profile holds a user session");
    };
    let refresh = tokens
        .refresh_token
        .map(|t| t.expose_secret().to_owned())
        .unwrap_or_default();
    Ok((tokens.access_token.expose_secret().to_owned(), refresh))
}

/// The profile as the list shows it now.
fn current(console: &Console, profile: &Profile) -> anyhow::Result<Profile> {
    console
        .list_profiles()?
        .into_iter()
        .find(|p| p.id == profile.id)
        .ok_or_else(|| anyhow::anyhow!("the profile is listed"))
}

/// Every file under `dir`, as text.
fn everything_written(dir: &std::path::Path) -> anyhow::Result<String> {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&path)?));
        }
    }
    Ok(text)
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_keeps_the_session_in_memory_and_the_password_nowhere() -> anyhow::Result<()> {
    let sandbox = sandbox(UserAccount::default()).await?;
    let password = sandbox.user().password.clone();
    let dir = tempfile::tempdir()?;
    let console = console(dir.path())?;

    let wrong = console
        .save_profile(user_draft(&sandbox, Some("not the password")))
        .await
        .expect_err("a wrong password");
    assert_eq!(wrong.code, ErrorCode::InvalidInput, "{wrong:?}");
    assert_eq!(
        console.list_profiles()?.len(),
        1,
        "a failed sign-in saves nothing"
    );

    let profile = console
        .save_profile(user_draft(&sandbox, Some(&password)))
        .await?;
    assert_eq!(profile.auth_method, AuthMethod::EmailPassword);
    assert_eq!(
        profile.sign_in_email.as_deref(),
        Some(sandbox.user().email.as_str())
    );
    assert!(profile.token_present, "signed in");
    console.test_connection(profile.id).await?;

    let (access, refresh) = held_tokens(&console, &profile)?;
    let ipc_answers = serde_json::to_string(&(console.list_profiles()?, console.status()?))?;
    let on_disk = everything_written(dir.path())?;
    for secret in [password.as_str(), &access, &refresh] {
        assert!(
            !on_disk.contains(secret),
            "a secret reached the data directory"
        );
        assert!(
            !ipc_answers.contains(secret),
            "a secret reached an IPC answer"
        );
    }
    assert!(
        on_disk.contains(&sandbox.user().email),
        "the email is kept, to sign in again"
    );

    // Saved again without a password: the same account keeps its session.
    let edited = console
        .save_profile(ProfileDraft {
            id: Some(profile.id),
            name: "Operator (renamed)".into(),
            ..user_draft(&sandbox, None)
        })
        .await?;
    assert!(edited.token_present, "the session survives an edit");
    assert_eq!(held_tokens(&console, &edited)?.0, access);

    let signed_out = console.sign_out(profile.id).await?;
    assert!(!signed_out.token_present);
    let error = console
        .test_connection(profile.id)
        .await
        .expect_err("signed out");
    assert_eq!(error.code, ErrorCode::SessionExpired, "{error:?}");
    let again = console.sign_in(profile.id, password.clone()).await?;
    assert!(again.token_present, "signed in again with the stored email");
    assert_ne!(held_tokens(&console, &again)?.0, access, "a new session");
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_survives_the_access_token_expiring_and_later_clients_get_the_fresh_pair()
-> anyhow::Result<()> {
    let sandbox = sandbox(UserAccount::default()).await?;
    let dir = tempfile::tempdir()?;
    let console = console(dir.path())?;
    let password = sandbox.user().password.clone();
    let profile = console
        .save_profile(user_draft(&sandbox, Some(&password)))
        .await?;
    let (first_access, first_refresh) = held_tokens(&console, &profile)?;

    let client = console.client(profile.id)?;
    let mut cache = Cache::open(&dir.path().join("cache.db"), &CacheKey::from_bytes([3; 32]))?;
    let control = sandbox.control();
    let mut expired = false;
    let mut sink = |p: &Progress| {
        if !expired && p.stage != Stage::Metadata {
            control.expire_access_tokens();
            expired = true;
        }
    };
    let report = sync(
        &client,
        &mut cache,
        &SyncOptions::default(),
        &Cancel::new(),
        &mut sink,
    )
    .await?;
    assert!(expired, "the access token expired during the sync");
    assert!(report.attempts_inserted > 0, "{report:?}");
    assert!(
        client.stats().refreshes >= 1,
        "the sync renewed the session: {:?}",
        client.stats()
    );

    let (access, refresh) = held_tokens(&console, &profile)?;
    assert_ne!(
        access, first_access,
        "the profile holds the refreshed access token"
    );
    assert_ne!(refresh, first_refresh, "and the new refresh token");
    let later = console.client(profile.id)?;
    later.organizations().await?;
    assert_eq!(
        later.stats().refreshes,
        0,
        "a later client starts from the fresh pair"
    );
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ended_session_asks_to_sign_in_again() -> anyhow::Result<()> {
    let sandbox = sandbox(UserAccount {
        access_token_lifetime: Duration::from_secs(1),
        refresh_token_lifetime: Duration::from_secs(3),
        ..UserAccount::default()
    })
    .await?;
    let dir = tempfile::tempdir()?;
    let console = console(dir.path())?;
    let password = sandbox.user().password.clone();
    let profile = console
        .save_profile(user_draft(&sandbox, Some(&password)))
        .await?;
    console.set_active_profile(profile.id)?;

    // Revoked on the server (the refresh is refused): the API says so, typed.
    sandbox.control().expire_user_sessions();
    let error = console
        .test_connection(profile.id)
        .await
        .expect_err("the session ended on the server");
    assert_eq!(error.code, ErrorCode::SessionExpired, "{error:?}");
    assert!(error.message.contains("sign in again"), "{}", error.message);
    assert!(!current(&console, &profile)?.token_present);

    // Outlived its refresh token: known without asking the API.
    console.sign_in(profile.id, password).await?;
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    assert!(
        !current(&console, &profile)?.token_present,
        "the list shows the profile signed out"
    );
    let error = console
        .test_connection(profile.id)
        .await
        .expect_err("the refresh token expired");
    assert_eq!(error.code, ErrorCode::SessionExpired, "{error:?}");
    match console.status()?.connection {
        ConnectionState::Offline { code, .. } => assert_eq!(code, ErrorCode::SessionExpired),
        other => panic!("the status bar should ask to sign in again, got {other:?}"),
    }
    sandbox.shutdown().await;
    Ok(())
}

/// Collects everything written to the log, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut bytes) = self.0.lock() {
            bytes.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn no_secret_reaches_the_logs() -> anyhow::Result<()> {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = sandbox(UserAccount::default()).await?;
    let password = sandbox.user().password.clone();
    let dir = tempfile::tempdir()?;
    let console = console(dir.path())?;
    let profile = console
        .save_profile(user_draft(&sandbox, Some(&password)))
        .await?;
    let (first_access, first_refresh) = held_tokens(&console, &profile)?;
    sandbox.control().expire_access_tokens();
    console.test_connection(profile.id).await?;
    let (access, refresh) = held_tokens(&console, &profile)?;
    console.sign_out(profile.id).await?;
    sandbox.shutdown().await;

    let log = String::from_utf8_lossy(&captured.0.lock().map_err(|_| anyhow::anyhow!("poisoned"))?)
        .into_owned();
    assert!(
        log.contains("user session refreshed"),
        "the log was captured: {log}"
    );
    for secret in [
        password.as_str(),
        &first_access,
        &first_refresh,
        &access,
        &refresh,
    ] {
        assert!(!log.contains(secret), "a secret reached the log");
    }
    Ok(())
}
