//! A saved profile through the vault: the command line unlocks with the passphrase from a file
//! descriptor and a one-time code, works, records what it did and locks again.

use console_core::Console;
use console_core::api::ClientSettings;
use console_core::audit::{AuditAction, AuditFilter};
use console_core::ipc::{LockState, UnlockRequest};

use crate::support::{PASSPHRASE, gate_options as options, run_unlocking as run, still_sandbox};

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_profile_syncs_through_the_vault_and_leaves_a_trail() -> anyhow::Result<()> {
    let sandbox = still_sandbox(30).await?;
    let dir = tempfile::tempdir()?;
    let (profile, recovery) = crate::support::saved_profile(&sandbox, dir.path()).await?;

    let no_code = run(dir.path(), PASSPHRASE, &["--profile", "Staging", "sync"])?;
    assert!(!no_code.status.success());
    let said = String::from_utf8_lossy(&no_code.stderr);
    assert!(said.contains("--totp"), "asks for the code: {said}");

    let wrong = run(
        dir.path(),
        "not the passphrase",
        &["--profile", "Staging", "--totp", &recovery[0], "sync"],
    )?;
    assert!(!wrong.status.success());
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(said.contains("passphrase"), "{said}");

    // Each invocation spends a code; recovery codes spare the test the 30-second steps.
    let synced = run(
        dir.path(),
        PASSPHRASE,
        &[
            "--profile",
            "Staging",
            "--totp",
            &recovery[1],
            "sync",
            "--json",
        ],
    )?;
    assert!(
        synced.status.success(),
        "{}",
        String::from_utf8_lossy(&synced.stderr)
    );
    let cache = dir
        .path()
        .join(console_core::console::CACHES_DIR)
        .join(format!("{}.db", profile.id));
    assert!(cache.exists(), "the profile's cache is filled");

    let purge = run(
        dir.path(),
        PASSPHRASE,
        &[
            "--profile",
            "Staging",
            "--totp",
            &recovery[2],
            "purge",
            "--days",
            "1",
        ],
    )?;
    assert!(!purge.status.success(), "a purge needs its own approval");
    let said = String::from_utf8_lossy(&purge.stderr);
    assert!(said.contains("--approve-code"), "{said}");

    let console = Console::open(dir.path(), ClientSettings::default(), options())?;
    assert_eq!(
        console.gate_status()?.lock,
        LockState::Locked,
        "left locked"
    );
    console.unlock(UnlockRequest {
        passphrase: Some(PASSPHRASE.into()),
        code: recovery[3].clone(),
    })?;
    let trail = console.audit_list(AuditFilter::default())?;
    let actions: Vec<AuditAction> = trail.records.iter().map(|r| r.action).collect();
    for wanted in [
        AuditAction::SyncStarted,
        AuditAction::SyncFinished,
        AuditAction::UnlockFailed,
        AuditAction::Lock,
    ] {
        assert!(
            actions.contains(&wanted),
            "{wanted:?} missing from {actions:?}"
        );
    }
    assert!(console.audit_verify()?.intact);
    sandbox.shutdown().await;
    Ok(())
}
