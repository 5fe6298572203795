//! The gate end to end on real files: enrollment, unlock with both factors, single-use codes
//! across restarts and clock changes, throttling, recovery codes, auto-lock and step-up.

use chrono::Duration;
use console_core::ErrorCode;
use console_core::gate::Clock as _;
use console_core::ipc::{LockState, PassphraseChange, UnlockRequest};

use crate::gate_support::{Gated, PASSPHRASE, code_at, code_of, open, start_time};

#[test]
fn first_run_is_not_enrolled_and_refuses_everything_but_enrollment() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let clock = console_core::gate::ManualClock::new(start_time());
    let console = open(dir.path(), &clock, None);
    assert_eq!(console.gate_status()?.lock, LockState::NotEnrolled);
    assert_eq!(console.status()?.lock, LockState::NotEnrolled);
    assert_eq!(code_of(console.list_profiles()), ErrorCode::NotEnrolled);

    let weak = console.begin_enrollment("password".into());
    assert_eq!(
        code_of(weak),
        ErrorCode::InvalidInput,
        "a very weak passphrase is refused"
    );

    let offer = console.begin_enrollment(PASSPHRASE.into())?;
    assert!(
        offer.otpauth_uri.starts_with("otpauth://totp/"),
        "{}",
        offer.otpauth_uri
    );
    assert!(offer.qr_png_data_url.starts_with("data:image/png;base64,"));
    assert!(
        !dir.path().join(console_core::gate::VAULT_FILE).exists(),
        "nothing is written before a code proves the authenticator works"
    );
    let wrong = console.confirm_enrollment("000000");
    assert_eq!(code_of(wrong), ErrorCode::WrongCode);
    let codes = console.confirm_enrollment(&code_at(&offer.secret, clock.now()))?;
    assert_eq!(codes.codes.len(), 10);
    assert_eq!(console.gate_status()?.lock, LockState::Unlocked);
    assert!(dir.path().join(console_core::gate::VAULT_FILE).exists());
    Ok(())
}

#[test]
fn unlock_needs_the_passphrase_and_a_fresh_code() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    gated.console.lock()?;
    assert_eq!(gated.console.gate_status()?.lock, LockState::Locked);
    assert_eq!(code_of(gated.console.list_profiles()), ErrorCode::Locked);

    let enrollment_code = gated.code();
    assert_eq!(
        code_of(gated.unlock(PASSPHRASE, &enrollment_code)),
        ErrorCode::CodeReused,
        "the code that confirmed enrollment is spent"
    );
    let fresh = gated.next_code();
    assert_eq!(
        code_of(gated.unlock("not the passphrase at all", &fresh)),
        ErrorCode::WrongPassphrase
    );
    assert_eq!(
        code_of(gated.unlock(PASSPHRASE, "123456")),
        ErrorCode::WrongCode
    );
    gated.unlock(PASSPHRASE, &fresh)?;
    assert_eq!(gated.console.gate_status()?.lock, LockState::Unlocked);
    assert!(gated.console.list_profiles().is_ok());
    Ok(())
}

#[test]
fn a_used_code_stays_used_after_a_restart_and_with_the_clock_moved_back() -> anyhow::Result<()> {
    let mut gated = Gated::enrolled();
    let code = gated.next_code();
    gated.console.lock()?;
    gated.unlock(PASSPHRASE, &code)?;
    gated.console.lock()?;
    gated.restart();
    assert_eq!(
        code_of(gated.unlock(PASSPHRASE, &code)),
        ErrorCode::CodeReused
    );

    // Back by five minutes: those codes are older than the last one used.
    gated.clock.advance(Duration::minutes(-5));
    let older = gated.code();
    assert_eq!(
        code_of(gated.unlock(PASSPHRASE, &older)),
        ErrorCode::CodeReused,
        "a code of an earlier step is refused"
    );
    Ok(())
}

#[test]
fn five_failures_lock_unlocking_out_for_30_seconds_then_longer() -> anyhow::Result<()> {
    let mut gated = Gated::enrolled();
    gated.console.lock()?;
    for _ in 0..5 {
        assert_eq!(
            code_of(gated.unlock(PASSPHRASE, "999999")),
            ErrorCode::WrongCode
        );
    }
    let status = gated.console.gate_status()?;
    assert_eq!(status.consecutive_failures, 5);
    let until = status.throttled_until.expect("a lockout after 5 failures");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(&until)?.to_utc(),
        gated.clock.now() + Duration::seconds(30)
    );
    gated.clock.advance(Duration::seconds(10));
    let good = gated.code();
    assert_eq!(
        code_of(gated.unlock(PASSPHRASE, &good)),
        ErrorCode::Throttled,
        "even the right factors wait out the lockout"
    );

    // The counter survives a restart.
    gated.restart();
    assert_eq!(gated.console.gate_status()?.consecutive_failures, 5);
    gated.clock.advance(Duration::seconds(25));
    assert_eq!(
        code_of(gated.unlock(PASSPHRASE, "999999")),
        ErrorCode::WrongCode
    );
    let status = gated.console.gate_status()?;
    let until =
        chrono::DateTime::parse_from_rfc3339(&status.throttled_until.expect("a longer lockout"))?;
    assert_eq!(until.to_utc(), gated.clock.now() + Duration::seconds(60));

    gated.clock.advance(Duration::seconds(61));
    let code = gated.code();
    gated.unlock(PASSPHRASE, &code)?;
    let status = gated.console.gate_status()?;
    assert_eq!(
        status.consecutive_failures, 0,
        "a success resets the counter"
    );
    let audit = status.audit.expect("verified at unlock");
    assert!(audit.intact, "{audit:?}");

    let page = gated
        .console
        .audit_list(console_core::audit::AuditFilter::default())?;
    let actions: Vec<String> = page
        .records
        .iter()
        .map(|r| serde_json::to_value(r.action).map(|v| v.to_string()))
        .collect::<Result<_, _>>()?;
    let failures = actions
        .iter()
        .filter(|a| a.contains("unlock_failed"))
        .count();
    assert!(
        failures >= 6,
        "every failure is in the audit log: {actions:?}"
    );
    assert!(
        actions.iter().any(|a| a.contains("lockout")),
        "the lockout is in the audit log: {actions:?}"
    );
    Ok(())
}

#[test]
fn after_100_failures_only_a_recovery_code_unlocks_and_each_works_once() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    gated.console.lock()?;
    for _ in 0..100 {
        // Each lockout is waited out so that every attempt is counted.
        gated.clock.advance(Duration::minutes(16));
        let _ = gated.unlock(PASSPHRASE, "999999");
    }
    let status = gated.console.gate_status()?;
    assert!(status.recovery_code_required, "{status:?}");
    gated.clock.advance(Duration::minutes(16));
    let code = gated.code();
    assert_eq!(
        code_of(gated.unlock(PASSPHRASE, &code)),
        ErrorCode::WrongCode
    );
    gated.clock.advance(Duration::minutes(16));

    let recovery = gated.recovery[3].clone();
    gated.unlock(PASSPHRASE, &recovery.to_lowercase().replace('-', " "))?;
    gated.console.lock()?;
    assert_eq!(
        code_of(gated.unlock(PASSPHRASE, &recovery)),
        ErrorCode::WrongCode,
        "a recovery code works once"
    );
    let settings_left = {
        gated.unlock(PASSPHRASE, &gated.recovery[4])?;
        gated.console.security_settings()?.recovery_codes_left
    };
    assert_eq!(settings_left, 8);
    Ok(())
}

#[test]
fn it_locks_itself_when_idle_and_after_twelve_hours() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    gated.clock.advance(Duration::minutes(14));
    gated.console.report_activity()?;
    gated.clock.advance(Duration::minutes(14));
    assert_eq!(gated.console.gate_status()?.lock, LockState::Unlocked);
    gated.clock.advance(Duration::minutes(2));
    assert_eq!(
        gated.console.enforce_lock_policy()?.map(|r| r.as_str()),
        Some("idle")
    );
    assert_eq!(code_of(gated.console.list_profiles()), ErrorCode::Locked);

    let code = gated.next_code();
    gated.unlock(PASSPHRASE, &code)?;
    assert_eq!(
        code_of(gated.console.set_idle_lock_minutes(31)),
        ErrorCode::InvalidInput,
        "at most 30 minutes"
    );
    gated.console.set_idle_lock_minutes(30)?;
    for _ in 0..(12 * 60 / 20) {
        gated.clock.advance(Duration::minutes(20));
        let _ = gated.console.report_activity();
    }
    assert_eq!(
        gated.console.gate_status()?.lock,
        LockState::Locked,
        "twelve hours after unlocking, activity or not"
    );
    Ok(())
}

#[test]
fn step_up_codes_approve_one_action_once() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    let first = gated.recovery.clone();
    assert_eq!(
        code_of(gated.console.regenerate_recovery_codes("")),
        ErrorCode::StepUpRequired
    );
    let spent = gated.code();
    assert_eq!(
        code_of(gated.console.regenerate_recovery_codes(&spent)),
        ErrorCode::CodeReused,
        "the enrollment code cannot approve anything else"
    );
    let code = gated.next_code();
    let fresh = gated.console.regenerate_recovery_codes(&code)?;
    assert_ne!(fresh.codes, first);
    assert_eq!(
        code_of(gated.console.audit_export(&code)),
        ErrorCode::CodeReused,
        "one approval, one action"
    );
    gated.console.lock()?;
    let code = gated.next_code();
    assert_eq!(
        code_of(gated.unlock(PASSPHRASE, &first[0])),
        ErrorCode::WrongCode,
        "the old set no longer works"
    );
    gated.unlock(PASSPHRASE, &code)?;
    Ok(())
}

#[tokio::test]
async fn a_passphrase_change_keeps_the_cache_key() -> anyhow::Result<()> {
    let mut gated = Gated::enrolled();
    let profile = gated
        .console
        .save_profile(console_core::profile::ProfileDraft {
            id: None,
            name: "Production".into(),
            api_base_url: "https://hook0.example/api/v1/".into(),
            auth_method: console_core::profile::AuthMethod::ApiToken,
            token: Some("a-token".into()),
            email: None,
            password: None,
            default_organization_id: None,
            cache_retention_days: None,
        })
        .await?
        .id;
    let cache_path = gated.path().join("caches-test.db");
    drop(console_core::cache::Cache::open(
        &cache_path,
        &gated.console.cache_key(profile)?,
    )?);
    let new = "a different passphrase, also long enough";
    let code = gated.next_code();
    let refused = gated.console.change_passphrase(PassphraseChange {
        current: "wrong current passphrase".into(),
        new: new.into(),
        code: code.clone(),
    });
    assert_eq!(code_of(refused), ErrorCode::WrongPassphrase);
    gated.console.change_passphrase(PassphraseChange {
        current: PASSPHRASE.into(),
        new: new.into(),
        code,
    })?;
    gated.console.lock()?;
    gated.restart();
    let code = gated.next_code();
    assert_eq!(
        code_of(gated.unlock(PASSPHRASE, &code)),
        ErrorCode::WrongPassphrase
    );
    gated.unlock(new, &code)?;
    let reopened =
        console_core::cache::Cache::open(&cache_path, &gated.console.cache_key(profile)?);
    assert!(
        reopened.is_ok(),
        "no cache needs re-encrypting: {reopened:?}"
    );
    Ok(())
}

#[test]
fn a_tampered_audit_log_is_kept_aside_and_shown_after_unlock() -> anyhow::Result<()> {
    let gated = Gated::enrolled();
    gated.console.set_idle_lock_minutes(20)?;
    gated.console.lock()?;

    // Someone with file access drops the guards and rewrites a record.
    let audit = gated.path().join(console_core::gate::AUDIT_FILE);
    let raw = rusqlite::Connection::open(&audit)?;
    let triggers: Vec<String> = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for trigger in triggers {
        raw.execute_batch(&format!("DROP TRIGGER \"{trigger}\""))?;
    }
    raw.execute(
        "UPDATE audit_record SET actor = 'someone-else' WHERE seq = 2",
        [],
    )?;
    drop(raw);

    let code = gated.next_code();
    let status = gated.console.unlock(UnlockRequest {
        passphrase: Some(PASSPHRASE.into()),
        code,
    })?;
    let integrity = status.audit.expect("verified at unlock");
    assert!(!integrity.intact, "{integrity:?}");
    let problem = integrity.problem.unwrap_or_default();
    assert!(
        problem.contains("record 2") && problem.contains("edited"),
        "{problem}"
    );
    let kept: Vec<_> = std::fs::read_dir(gated.path())?
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("audit-broken-"))
        .collect();
    assert!(!kept.is_empty(), "the damaged log is kept as evidence");

    // The new chain verifies, and the break stays on record.
    let again = gated.console.audit_verify()?;
    assert!(!again.intact, "the break is still reported: {again:?}");
    let page = gated
        .console
        .audit_list(console_core::audit::AuditFilter::default())?;
    assert!(
        page.records
            .iter()
            .any(|r| r.action == console_core::audit::AuditAction::AuditChainBroken),
        "the new chain starts by saying so"
    );
    Ok(())
}

#[test]
fn the_keyring_can_stand_in_for_the_passphrase_but_not_for_the_code() -> anyhow::Result<()> {
    let gated = Gated::enrolled_with(Some(console_core::vault::Keyring::mock()));
    let code = gated.next_code();
    let settings = gated.console.set_keyring_enabled(true, &code)?;
    assert!(settings.keyring.enabled, "{settings:?}");
    gated.console.lock()?;
    assert!(gated.console.gate_status()?.keyring.enabled);

    let refused = gated.console.unlock(UnlockRequest {
        passphrase: None,
        code: "000000".into(),
    });
    assert_eq!(
        code_of(refused),
        ErrorCode::WrongCode,
        "the code is still needed"
    );
    let code = gated.next_code();
    gated.console.unlock(UnlockRequest {
        passphrase: None,
        code,
    })?;
    assert_eq!(gated.console.gate_status()?.lock, LockState::Unlocked);

    let code = gated.next_code();
    let settings = gated.console.set_keyring_enabled(false, &code)?;
    assert!(!settings.keyring.enabled);
    gated.console.lock()?;
    let code = gated.next_code();
    let refused = gated.console.unlock(UnlockRequest {
        passphrase: None,
        code,
    });
    assert_eq!(code_of(refused), ErrorCode::KeyringUnavailable);
    Ok(())
}
