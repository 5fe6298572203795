//! The gate's building blocks through the public API, driven by a shared `ManualClock` the way
//! the gate and other crates' tests use them: codes from an authenticator, throttling across a
//! restart, the recovery fallback, idle lock and step-up.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use console_core::gate::{
    Approval, Clock, CodeError, Enrollment, GuardedAction, LockPolicy, LockReason, ManualClock,
    RecoveryCodes, StepUpRequest, Throttle, Throttled, TotpSecret, throttle::STATE_FILE, totp,
};
use console_core::{ErrorCode, ErrorDto};
use secrecy::ExposeSecret as _;
use serde_json::json;
use ts_rs::{Config, TS};

fn start() -> anyhow::Result<DateTime<Utc>> {
    DateTime::from_timestamp(1_750_000_000, 0).ok_or_else(|| anyhow::anyhow!("bad start"))
}

fn unix(clock: &dyn Clock) -> u64 {
    u64::try_from(clock.now().timestamp()).unwrap_or(0)
}

#[test]
fn gate_enroll_then_unlock_once_per_code_then_step_up() -> anyhow::Result<()> {
    let clock = ManualClock::new(start()?);
    let gate_clock: Arc<dyn Clock> = Arc::new(clock.clone());

    let secret = TotpSecret::generate()?;
    let offer = Enrollment::new(&secret, "on-call")?;
    let app = totp_rs::TOTP::from_url(&offer.otpauth_uri)?;
    let stored = TotpSecret::from_bytes(secret.as_bytes())?;

    // Unlock with the app's code; the same code is refused afterwards, even a step later.
    let code = app.generate(unix(&clock));
    let last = totp::verify(&stored, &code, unix(gate_clock.as_ref()), None)?;
    clock.advance(TimeDelta::seconds(30));
    assert_eq!(
        totp::verify(&stored, &code, unix(gate_clock.as_ref()), Some(last)),
        Err(CodeError::Reused)
    );

    // Step-up for a purge of one application: the approval covers that purge only.
    let purge = StepUpRequest::new(GuardedAction::Purge, &json!({ "application_id": "a" }))?;
    let fresh = app.generate(unix(&clock));
    let approval = Approval::grant(&purge, &stored, &fresh, gate_clock.now(), Some(last))?;
    assert!(approval.step > last);
    let other = StepUpRequest::new(GuardedAction::Purge, &json!({ "application_id": "b" }))?;
    assert!(approval.authorizes(purge.action, &purge.digest, gate_clock.now()));
    assert!(!approval.authorizes(other.action, &other.digest, gate_clock.now()));
    // The same step cannot approve twice.
    assert_eq!(
        Approval::grant(
            &purge,
            &stored,
            &fresh,
            gate_clock.now(),
            Some(approval.step)
        ),
        Err(CodeError::Reused)
    );
    clock.advance(TimeDelta::seconds(61));
    assert!(!approval.authorizes(purge.action, &purge.digest, gate_clock.now()));
    Ok(())
}

#[test]
fn gate_throttle_survives_restarts_until_a_recovery_code_is_needed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join(STATE_FILE);
    let clock = ManualClock::new(start()?);
    let (codes, mut recovery) = RecoveryCodes::generate()?;

    for attempt in 1..=100u32 {
        // Every attempt is a fresh process: load, check, fail, save.
        let mut throttle = Throttle::load(&path)?;
        if let Err(Throttled { until }) = throttle.check(clock.now()) {
            let dto = ErrorDto::from(Throttled { until });
            assert_eq!(dto.code, ErrorCode::Throttled);
            clock.set(until);
        }
        throttle.check(clock.now())?;
        let outcome = throttle.record_failure(clock.now());
        throttle.save(&path)?;
        assert_eq!(outcome.failures, attempt);
        assert_eq!(outcome.totp_disabled, attempt >= 100, "attempt {attempt}");
    }

    let mut throttle = Throttle::load(&path)?;
    assert!(
        !throttle.totp_allowed(),
        "TOTP stays disabled after a restart"
    );
    assert!(
        throttle.check(clock.now()).is_err(),
        "the 15-minute wait persists"
    );
    clock.advance(TimeDelta::minutes(15));
    throttle.check(clock.now())?;

    let index = recovery.redeem(codes[4].expose_secret(), clock.now())?;
    assert_eq!(index, 4);
    throttle.record_success();
    throttle.save(&path)?;
    assert!(Throttle::load(&path)?.totp_allowed());
    assert_eq!(
        recovery.redeem(codes[4].expose_secret(), clock.now()),
        Err(CodeError::Reused)
    );
    assert_eq!(recovery.remaining(), 9);
    Ok(())
}

#[test]
fn gate_idle_lock_follows_the_clock() -> anyhow::Result<()> {
    let clock = ManualClock::new(start()?);
    let policy = LockPolicy::new(2)?;
    let unlocked_at = clock.now();
    clock.advance(TimeDelta::seconds(90));
    let last_activity = clock.now();
    clock.advance(TimeDelta::seconds(119));
    assert_eq!(policy.due(unlocked_at, last_activity, clock.now()), None);
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(
        policy.due(unlocked_at, last_activity, clock.now()),
        Some(LockReason::Idle)
    );
    Ok(())
}

#[test]
fn gate_types_render_for_the_ui() {
    let cfg = Config::default();
    let request = StepUpRequest::decl(&cfg);
    assert!(request.contains("action: GuardedAction"), "{request}");
    assert!(request.contains("digest: ActionDigest"), "{request}");
    let digest = console_core::gate::ActionDigest::decl(&cfg);
    assert!(digest.contains("type ActionDigest = string"), "{digest}");
    let action = GuardedAction::decl(&cfg);
    assert!(action.contains("\"regenerate_recovery_codes\""), "{action}");
    assert!(action.contains("\"disable_keyring\""), "{action}");
    let assessment = console_core::gate::PassphraseAssessment::decl(&cfg);
    assert!(assessment.contains("score: number"), "{assessment}");
    let offer = Enrollment::decl(&cfg);
    assert!(offer.contains("qr_png_data_url: string"), "{offer}");
}
