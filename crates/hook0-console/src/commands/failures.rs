//! `hook0-console failures`: failed attempts grouped by cause and target.

use chrono::{DateTime, Utc};
use console_core::query::{DeliveryFilter, FailureCause, failure_groups};
use uuid::Uuid;

use super::deliveries::reader;
use crate::output;
use crate::target::Selection;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Application id (repeatable).
    #[arg(long = "application")]
    applications: Vec<Uuid>,
    /// Created at or after (RFC 3339).
    #[arg(long)]
    since: Option<DateTime<Utc>>,
    /// Created before (RFC 3339).
    #[arg(long)]
    until: Option<DateTime<Utc>>,
    /// Groups to print.
    #[arg(long, default_value_t = 30)]
    limit: u32,
    /// JSON lines even on a terminal.
    #[arg(long)]
    json: bool,
}

pub fn run(selection: &Selection, args: Args) -> anyhow::Result<()> {
    let target = selection.resolve()?;
    let reader = reader(&target)?;
    let filter = DeliveryFilter {
        application_ids: (!args.applications.is_empty()).then_some(args.applications),
        created_from: args.since,
        created_until: args.until,
        ..DeliveryFilter::default()
    };
    let groups = failure_groups(reader.conn(), filter, args.limit)?;
    if output::wants_json(args.json) {
        for group in &groups {
            output::json_line(group)?;
        }
        return Ok(());
    }
    println!(
        "{:>8}  {:<14} {:<40} {:<20} {:<20}",
        "failures", "cause", "target", "first", "last"
    );
    for group in &groups {
        let cause = match &group.cause {
            FailureCause::Http { status } => format!("HTTP {status}"),
            FailureCause::Error { error } => error.as_str().to_owned(),
        };
        println!(
            "{:>8}  {:<14} {} {:<20} {:<20}",
            group.failures,
            cause,
            output::cell(group.target_url.as_deref().unwrap_or("—"), 40),
            group.first_seen.format("%Y-%m-%d %H:%M"),
            group.last_seen.format("%Y-%m-%d %H:%M")
        );
    }
    Ok(())
}
