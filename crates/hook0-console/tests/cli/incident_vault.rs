//! `hook0-console incident` on a saved profile: the records go to the same encrypted file,
//! under the same key, as the window's, and the audit trail names ids, never the text.

use console_core::Console;
use console_core::api::ClientSettings;
use console_core::audit::{AuditAction, AuditFilter};
use console_core::ipc::{IncidentListFilter, UnlockRequest};

use crate::support::{PASSPHRASE, gate_options, run_unlocking, still_sandbox};

#[tokio::test(flavor = "multi_thread")]
async fn a_declared_incident_is_the_windows_and_its_audit_holds_no_title() -> anyhow::Result<()> {
    let sandbox = still_sandbox(5).await?;
    let dir = tempfile::tempdir()?;
    let (profile, recovery) = crate::support::saved_profile(&sandbox, dir.path()).await?;

    let title = "Token pasted in ticket ACME-42";
    let out = run_unlocking(
        dir.path(),
        PASSPHRASE,
        &[
            "--profile",
            "Staging",
            "--totp",
            &recovery[0],
            "incident",
            "declare",
            "--template",
            "leaked-secret",
            "--title",
            title,
            "--severity",
            "sev2",
        ],
    )?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let view: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let id = view["incident"]["id"].as_str().unwrap().to_owned();
    assert!(
        dir.path()
            .join(format!("incidents-{}.db", profile.id))
            .exists(),
        "the profile's own incident file"
    );

    let console = Console::open(dir.path(), ClientSettings::default(), gate_options())?;
    console.unlock(UnlockRequest {
        passphrase: Some(PASSPHRASE.into()),
        code: recovery[1].clone(),
    })?;
    console.set_active_profile(profile.id)?;
    let seen = console.incidents(IncidentListFilter::All)?;
    assert!(
        seen.iter()
            .any(|i| i.incident.id.to_string() == id && i.incident.title == title),
        "the window reads what the command line wrote"
    );
    let trail = console.audit_list(AuditFilter::default())?;
    let changed: Vec<&Vec<String>> = trail
        .records
        .iter()
        .filter(|r| r.action == AuditAction::IncidentChanged)
        .map(|r| &r.targets)
        .collect();
    assert_eq!(
        changed,
        vec![&vec![
            profile.id.to_string(),
            id.clone(),
            "created".to_owned()
        ]],
        "one record, by ids, like the window's"
    );
    assert!(
        trail
            .records
            .iter()
            .all(|r| r.targets.iter().all(|t| !t.contains("ACME"))),
        "no title in the unencrypted audit log"
    );
    console.lock()?;
    sandbox.shutdown().await;
    Ok(())
}
