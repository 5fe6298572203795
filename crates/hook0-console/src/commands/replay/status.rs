//! `replay status` and `replay cancel`.

use anyhow::bail;
use chrono::Utc;
use console_core::replay::{EntryState, JobState, Journal};
use uuid::Uuid;

use crate::output;
use crate::target::{Selection, Target};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// One job in detail (default: every job).
    job: Option<Uuid>,
    /// JSON lines even on a terminal.
    #[arg(long)]
    json: bool,
}

/// The journal in the target's cache.
pub fn journal(target: &Target) -> anyhow::Result<Journal> {
    if !target.cache_path().exists() {
        bail!(
            "no cache for {} yet: run `hook0-console sync` first",
            target.name
        );
    }
    Ok(Journal::new(target.open_cache()?)?)
}

pub fn run(selection: &Selection, args: Args) -> anyhow::Result<()> {
    let target = selection.resolve()?;
    let journal = journal(&target)?;
    let json = output::wants_json(args.json);
    match args.job {
        None => {
            for job in journal.jobs()? {
                if json {
                    output::json_line(&job)?;
                } else {
                    println!(
                        "{}  {:<9}  {}/{} done, {} failed, {} unknown  sha256 {}",
                        job.id,
                        job.state.as_str(),
                        job.counts.done(),
                        job.counts.total(),
                        job.counts.failed,
                        job.counts.unknown,
                        job.manifest_sha256
                    );
                }
            }
        }
        Some(id) => {
            let job = journal.job(id)?;
            let counts = journal.counts(id)?;
            let unsettled = journal.entries(
                id,
                &[EntryState::Failed, EntryState::Unknown, EntryState::Sending],
            )?;
            if json {
                output::json_line(&serde_json::json!({
                    "job": id,
                    "state": job.state,
                    "manifest_sha256": job.manifest_sha256,
                    "created_at": job.created_at,
                    "finished_at": job.finished_at,
                    "config": job.config,
                    "counts": counts,
                }))?;
                for entry in &unsettled {
                    output::json_line(&serde_json::json!({ "entry": entry }))?;
                }
            } else {
                println!(
                    "Job {id}: {} — {}/{} done ({} sent, {} failed, {} unknown, {} planned)",
                    job.state.as_str(),
                    counts.done(),
                    counts.total(),
                    counts.sent,
                    counts.failed,
                    counts.unknown,
                    counts.planned
                );
                for entry in &unsettled {
                    let why = entry.failure.as_ref().map_or("", |f| f.reason.as_str());
                    println!("  {} {:<8} {why}", entry.event_id, entry.state.as_str());
                }
            }
        }
    }
    target.finish()
}

pub fn cancel(selection: &Selection, job: Uuid) -> anyhow::Result<()> {
    let target = selection.resolve()?;
    let journal = journal(&target)?;
    let state = journal.job(job)?.state;
    if state.is_over() {
        bail!("job {job} is already {}", state.as_str());
    }
    journal.set_state(job, JobState::Cancelled, Utc::now())?;
    output::json_line(&serde_json::json!({ "job": job, "state": JobState::Cancelled }))?;
    target.finish()
}
