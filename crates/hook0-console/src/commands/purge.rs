//! `hook0-console purge`: retention and erasure.

use anyhow::bail;
use uuid::Uuid;

use console_core::audit::{AuditAction, AuditOutcome};
use console_core::gate::GuardedAction;

use crate::output;
use crate::target::Selection;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Remove events (and their attempts, responses and index entries) older than N days.
    /// Without it (and without --event or --application), the profile's own retention.
    #[arg(long, visible_alias = "days")]
    older_than_days: Option<u32>,
    /// Erase one event (repeatable).
    #[arg(long = "event")]
    events: Vec<Uuid>,
    /// Erase everything of one application.
    #[arg(long)]
    application: Option<Uuid>,
    /// Rewrite the file afterwards so erased bytes leave the disk too.
    #[arg(long)]
    vacuum: bool,
    /// For a saved profile: a fresh authenticator code approving exactly this purge (the
    /// next code after the one that unlocked).
    #[arg(long, value_name = "CODE")]
    approve_code: Option<String>,
}

pub fn run(selection: &Selection, args: Args) -> anyhow::Result<()> {
    let chosen = usize::from(args.older_than_days.is_some())
        + usize::from(!args.events.is_empty())
        + usize::from(args.application.is_some());
    if chosen > 1 {
        bail!("say at most one of --older-than-days, --event or --application");
    }
    let target = selection.resolve()?;
    let older_than_days = match (chosen, args.older_than_days, target.retention_days) {
        (0, _, None) => bail!(
            "{} keeps its whole history: say --older-than-days, --event or --application, \
             or set the profile's cache retention",
            target.name
        ),
        (0, _, Some(days)) | (_, Some(days), _) => Some(days),
        _ => None,
    };
    if !target.cache_path().exists() {
        bail!("no cache for {} yet", target.name);
    }
    let params = serde_json::json!({
        "older_than_days": older_than_days,
        "events": args.events,
        "application": args.application,
        "vacuum": args.vacuum,
    });
    let erasing = older_than_days.is_none();
    let action = if erasing {
        GuardedAction::Erase
    } else {
        GuardedAction::Purge
    };
    // Trimming to the retention the profile is set to is what every sync does anyway; a
    // purge beyond it, or an erasure, destroys history on purpose and needs its approval.
    let digest = if chosen == 0 {
        None
    } else {
        target.step_up(action, &params, args.approve_code.as_deref())?
    };
    let mut cache = target.open_cache()?;
    let mut ingest = cache.ingest()?;
    let erased = if let Some(days) = older_than_days {
        ingest.purge_older_than(chrono::Utc::now(), days)?
    } else if let Some(application) = args.application {
        ingest.erase_application(application)?
    } else {
        ingest.erase_events(&args.events)?
    };
    ingest.commit()?;
    if erased.events > 0 {
        // Erased text must leave the full-text segments too, not only the tables.
        cache.compact()?;
    }
    if args.vacuum {
        cache.vacuum()?;
    }
    target.audit(
        if erasing {
            AuditAction::Erase
        } else {
            AuditAction::Purge
        },
        AuditOutcome::Succeeded,
        &[format!("erased_events={}", erased.events)],
        digest,
    )?;
    output::json_line(&serde_json::json!({
        "erased_events": erased.events,
        "erased_attempts": erased.attempts,
        "erased_responses": erased.responses,
        "older_than_days": older_than_days,
    }))?;
    target.finish()
}
