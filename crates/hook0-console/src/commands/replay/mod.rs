//! `hook0-console replay …`: the replay core from the command line.
//!
//! `plan` writes the manifest (JSON with its SHA-256) from the cache; `run` replays a manifest
//! file once approved (a fresh code on a saved profile) and the cache still plans the same
//! set; `status`, `resume` and `cancel` work on the jobs journaled in the profile's cache.
//! Progress goes to a bar on a terminal, JSON lines otherwise. Ctrl-C pauses the job: resume
//! it later with `replay resume JOB` (anything possibly in flight is checked first).

mod plan;
mod run;
mod status;

use uuid::Uuid;

use crate::target::Selection;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Dry run: the events a replay would send and who receives them; writes the manifest.
    Plan(Box<plan::Args>),
    /// Replay a manifest file (written by `replay plan`).
    Run(run::RunArgs),
    /// Jobs, or one job in detail.
    Status(status::Args),
    /// Go on with a paused or interrupted job.
    Resume(run::ResumeArgs),
    /// Stop a job for good (also a job running in another process).
    Cancel {
        /// The job id.
        job: Uuid,
    },
}

pub async fn run(selection: &Selection, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Plan(args) => plan::run(selection, *args),
        Command::Run(args) => run::run(selection, args).await,
        Command::Status(args) => status::run(selection, args),
        Command::Resume(args) => run::resume(selection, args).await,
        Command::Cancel { job } => status::cancel(selection, job),
    }
}
