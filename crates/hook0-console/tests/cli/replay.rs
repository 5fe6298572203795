//! `hook0-console replay …` as a script runs it: plan to a file, run it, read the status.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::support::{console, run_sync, still_sandbox};

fn lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_run_and_status_replay_each_planned_event_once() -> anyhow::Result<()> {
    let sandbox = still_sandbox(300).await?;
    let dir = tempfile::tempdir()?;
    run_sync(&sandbox, dir.path())?;
    let plan_file = dir.path().join("plan.json");
    let out = console(
        &sandbox,
        dir.path(),
        // This history's failures were all retried to success: replay them anyway.
        &[
            "replay",
            "plan",
            "--status",
            "failed",
            "--include-recovered",
            "--out",
        ],
    )
    .arg(&plan_file)
    .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = &lines(&out.stdout)[0];
    let events = summary["events"].as_u64().unwrap();
    assert!(events > 0, "{summary}");
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&plan_file)?)?;
    assert_eq!(file["sha256"], summary["manifest_sha256"]);
    let planned: BTreeSet<Uuid> = file["manifest"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(planned.len() as u64, events);

    // An edited manifest is refused before anything is sent.
    let edited = dir.path().join("edited.json");
    let mut tampered = file.clone();
    tampered["manifest"]["events"].as_array_mut().unwrap().pop();
    std::fs::write(&edited, tampered.to_string())?;
    let out = console(&sandbox, dir.path(), &["replay", "run", "--rate", "10"])
        .arg(&edited)
        .output()?;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("SHA-256"));
    assert!(sandbox.control().replay_counts().is_empty());

    let out = console(&sandbox, dir.path(), &["replay", "run", "--rate", "10"])
        .arg(&plan_file)
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports = lines(&out.stdout);
    let last = reports.last().unwrap();
    assert_eq!(last["state"], "finished", "{last}");
    assert_eq!(last["counts"]["sent"].as_u64(), Some(events));
    assert!(
        reports.iter().any(|r| r.get("progress").is_some()),
        "progress as JSON lines"
    );
    let counts = sandbox.control().replay_counts();
    assert_eq!(counts.keys().copied().collect::<BTreeSet<_>>(), planned);
    assert!(counts.values().all(|&n| n == 1));

    let out = console(&sandbox, dir.path(), &["replay", "status"]).output()?;
    let jobs = lines(&out.stdout);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["state"], "finished");
    let job = jobs[0]["id"].as_str().unwrap().to_owned();
    let out = console(&sandbox, dir.path(), &["replay", "status", &job]).output()?;
    assert_eq!(
        lines(&out.stdout)[0]["counts"]["sent"].as_u64(),
        Some(events)
    );
    let out = console(&sandbox, dir.path(), &["replay", "resume", &job]).output()?;
    assert!(!out.status.success(), "a finished job does not run again");
    let out = console(&sandbox, dir.path(), &["replay", "cancel", &job]).output()?;
    assert!(!out.status.success());
    assert_eq!(
        sandbox.control().replay_counts().values().sum::<u64>(),
        events
    );
    sandbox.shutdown().await;
    Ok(())
}
