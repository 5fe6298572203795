//! `replay run` and `replay resume`.

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use console_core::api::ClientSettings;
use console_core::audit::{AuditAction, AuditOutcome};
use console_core::gate::GuardedAction;
use console_core::replay::{
    Consent, JobControl, JobState, Journal, Manifest, ProgressSink, ReplayError, ReplayProgress,
    RunConfig, RunOutcome, create_job, ensure_unchanged, run_job,
};
use indicatif::{ProgressBar, ProgressStyle};
use uuid::Uuid;

use super::status::journal;
use crate::output;
use crate::target::{Selection, Target};

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The manifest file written by `replay plan --out`.
    manifest: std::path::PathBuf,
    /// For a saved profile: a fresh authenticator code approving exactly this manifest (the
    /// next code after the one given to --totp, which unlocked the vault).
    #[arg(long, value_name = "CODE")]
    approve_code: Option<String>,
    /// Replay requests per second (1–10).
    #[arg(long, default_value_t = 5)]
    rate: u32,
    /// Replay requests in flight (1–4).
    #[arg(long, default_value_t = 3)]
    in_flight: u32,
    /// Progress as JSON lines even on a terminal.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ResumeArgs {
    /// The job id (`replay status` lists them).
    job: Uuid,
    /// Progress as JSON lines even on a terminal.
    #[arg(long)]
    json: bool,
}

pub async fn run(selection: &Selection, args: RunArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.manifest)
        .with_context(|| format!("cannot read {}", args.manifest.display()))?;
    let manifest = Manifest::import(&text)?;
    let config = RunConfig {
        rate_per_second: args.rate,
        in_flight: args.in_flight,
        ..RunConfig::default()
    };
    config.validate()?;
    let target = selection.resolve()?;
    let journal = journal(&target)?;
    // Before the approval code is asked for: a stale plan must not spend one.
    if let Err(error) = ensure_unchanged(&journal, &manifest, Utc::now()) {
        if let ReplayError::SetChanged { diff, .. } = &error {
            output::json_line(&serde_json::json!({ "set_changed": diff }))?;
        }
        return Err(error.into());
    }
    let approval = target.approve(
        GuardedAction::BulkReplay,
        &manifest.approval_params()?,
        args.approve_code.as_deref(),
    )?;
    let consent = match &approval {
        Some(approval) => Consent::Approved(approval),
        // The built-in sandbox and local servers have no gate.
        None => Consent::Waived,
    };
    let job = create_job(&journal, &manifest, consent, &config, Utc::now())?;
    let sha = manifest.sha256()?;
    target.audit(
        AuditAction::BulkReplay,
        AuditOutcome::Succeeded,
        &[
            format!("job={job}"),
            format!("manifest_sha256={sha}"),
            "started".into(),
        ],
        approval.map(|a| *a.digest.as_bytes()),
    )?;
    drive(&target, &journal, job, args.json).await
}

pub async fn resume(selection: &Selection, args: ResumeArgs) -> anyhow::Result<()> {
    let target = selection.resolve()?;
    let journal = journal(&target)?;
    drive(&target, &journal, args.job, args.json).await
}

async fn drive(target: &Target, journal: &Journal, job: Uuid, json: bool) -> anyhow::Result<()> {
    let (client, _sandbox) = target.client(ClientSettings::default()).await?;
    let json = output::wants_json(json) || !std::io::stderr().is_terminal();
    let bar = (!json).then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let shown = bar.clone();
    let sink: ProgressSink = Arc::new(move |p: &ReplayProgress| match &shown {
        Some(bar) => {
            bar.set_length(p.total);
            bar.set_position(p.done);
            bar.set_message(describe(p));
        }
        None => {
            let _ = output::json_line(&serde_json::json!({ "progress": p }));
        }
    });
    let control = JobControl::new();
    let result = tokio::select! {
        outcome = run_job(journal, &client, job, &control, Some(sink)) => Some(outcome),
        _ = tokio::signal::ctrl_c() => None,
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let Some(outcome) = result else {
        // Anything in flight is resolved against the API when the job is resumed.
        journal.set_state(job, JobState::Paused, Utc::now())?;
        output::json_line(&serde_json::json!({ "job": job, "state": JobState::Paused }))?;
        eprintln!("Paused. Resume with: hook0-console replay resume {job}");
        return target.finish();
    };
    let outcome: RunOutcome = match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            target.audit(
                AuditAction::BulkReplay,
                AuditOutcome::Failed,
                &[format!("job={job}"), format!("error={:?}", error.code())],
                None,
            )?;
            return Err(error.into());
        }
    };
    target.audit(
        AuditAction::BulkReplay,
        AuditOutcome::Succeeded,
        &[
            format!("job={job}"),
            format!("state={}", outcome.state.as_str()),
            format!("sent={}", outcome.counts.sent),
            format!("failed={}", outcome.counts.failed),
        ],
        None,
    )?;
    if json {
        output::json_line(&outcome)?;
    } else {
        println!(
            "Job {job}: {} — {} sent, {} failed, {} unknown, {} not sent; {} rate-limited answers.",
            outcome.state.as_str(),
            outcome.counts.sent,
            outcome.counts.failed,
            outcome.counts.unknown,
            outcome.counts.planned,
            outcome.rate_limited
        );
    }
    target.finish()
}

fn describe(p: &ReplayProgress) -> String {
    let eta = p
        .eta_seconds
        .map(|s| format!(", ~{}s left", s.round()))
        .unwrap_or_default();
    let paused = p
        .paused_for_ms
        .map(|ms| format!(" — paused {ms} ms after a 429"))
        .unwrap_or_default();
    format!(
        "{:.1}/s{eta}, {} failed, {} unknown{paused}",
        p.rate_per_second, p.counts.failed, p.counts.unknown
    )
}
