//! `hook0-console incident …`: the incident records of a saved profile (or the sandbox) from
//! the command line — templates, declaring, the checklist, phases, notes, readiness, metrics,
//! containment actions (disabling a subscription of the scope in Hook0, enabling it again),
//! the report — and the check of a sealed incident bundle, which needs none of them.
//!
//! The console's incident methods work on the window's active profile, while a command names
//! its profile with `--profile`; so the command line opens the profile's own encrypted file,
//! `<data_dir>/incidents-<profile>.db`, with the key the app uses (the vault's cache key for
//! a saved profile, the fixed sandbox key for the sandbox) and drives the same store. Changes
//! are audited like the window's: profile, subject and kind of change, never titles or notes.

mod bundle;
mod containment;
mod evidence;
mod readiness;
mod records;
mod report;
mod show;
mod templates;

use anyhow::bail;
use console_core::audit::{AuditAction, AuditOutcome};
use console_core::incident::IncidentStore;

use crate::target::{Selection, Target};

/// Who the records name as having done what: the console's single operator, so that the
/// window and the command line write the same author.
const OPERATOR: &str = "operator";

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The templates an incident can start from (shipped, then imported).
    Templates(templates::ListArgs),
    /// Export or import one template.
    #[command(subcommand)]
    Template(templates::Command),
    /// The profile's incidents, most recently declared first.
    List(records::ListArgs),
    /// Declare an incident from a template.
    Declare(records::DeclareArgs),
    /// One incident: phase, roles, milestones, checklist with due times, timeline.
    Show(show::Args),
    /// One piece of evidence with its snapshot, checked against its SHA-256.
    Evidence(evidence::Args),
    /// Mark a checklist item done.
    Tick(records::TickArgs),
    /// Open a done checklist item again.
    Untick(records::TickArgs),
    /// Move an incident on to its next phase.
    Advance(records::AdvanceArgs),
    /// Add a note or a decision to the timeline.
    Note(records::NoteArgs),
    /// The standing preparation checklist.
    Preparation(readiness::Args),
    /// Response-time means over the profile's incidents.
    Metrics(readiness::Args),
    /// The subscriptions of the incident's scope, and what may be done to each now.
    Containment(containment::ViewArgs),
    /// Disable a subscription of the scope in Hook0 (Containment, Eradication, Recovery).
    DisableSubscription(containment::SetArgs),
    /// Enable a subscription of the scope again in Hook0 (Recovery).
    EnableSubscription(containment::SetArgs),
    /// The incident's report (Markdown, self-contained HTML or JSON) on stdout or in a file.
    Report(report::Args),
    /// Check a sealed incident bundle (no profile or vault needed); fails naming what changed.
    VerifyBundle(bundle::VerifyArgs),
}

pub async fn run(selection: &Selection, command: Command) -> anyhow::Result<()> {
    // A bundle is checked by whoever received it: no profile, vault or records involved.
    let command = match command {
        Command::VerifyBundle(args) => return bundle::verify(args),
        other => other,
    };
    let mut incidents = Records::open(selection)?;
    let result = match command {
        Command::Templates(args) => templates::list(&mut incidents, args),
        Command::Template(command) => templates::run(&mut incidents, command),
        Command::List(args) => records::list(&mut incidents, args),
        Command::Declare(args) => records::declare(&mut incidents, args),
        Command::Show(args) => show::run(&mut incidents, args),
        Command::Evidence(args) => evidence::run(&mut incidents, args),
        Command::Tick(args) => records::tick(&mut incidents, args, true),
        Command::Untick(args) => records::tick(&mut incidents, args, false),
        Command::Advance(args) => records::advance(&mut incidents, args),
        Command::Note(args) => records::note(&mut incidents, args),
        Command::Preparation(args) => readiness::preparation(&mut incidents, args),
        Command::Metrics(args) => readiness::metrics(&mut incidents, args),
        Command::Containment(args) => containment::view(&mut incidents, args),
        Command::DisableSubscription(args) => containment::set(&mut incidents, args, false).await,
        Command::EnableSubscription(args) => containment::set(&mut incidents, args, true).await,
        Command::Report(args) => report::run(&mut incidents, args),
        Command::VerifyBundle(args) => bundle::verify(args),
    };
    result?;
    incidents.target.finish()
}

/// A target and its incident records, open for one invocation.
pub struct Records {
    target: Target,
    store: IncidentStore,
}

impl Records {
    fn open(selection: &Selection) -> anyhow::Result<Self> {
        let target = selection.resolve()?;
        let Some(profile) = target.profile else {
            bail!(
                "incident records belong to a profile: pass --profile (or use the sandbox \
                 profile) rather than --api-url"
            );
        };
        let path = target.data_dir.join(format!("incidents-{profile}.db"));
        std::fs::create_dir_all(&target.data_dir)?;
        let store = IncidentStore::open(&path, &target.key)?;
        Ok(Self { target, store })
    }

    /// Records a change: `subject` and `change` name what changed, never its text.
    fn audit(&self, subject: impl Into<String>, change: impl Into<String>) -> anyhow::Result<()> {
        self.target.audit(
            AuditAction::IncidentChanged,
            AuditOutcome::Succeeded,
            &[subject.into(), change.into()],
            None,
        )
    }
}
