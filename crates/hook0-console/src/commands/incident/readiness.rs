//! `incident preparation` and `incident metrics`.

use chrono::Utc;
use console_core::incident::metrics::{MeanTime, summarize};
use console_core::incident::{CheckSource, IncidentFilter, PreparationFacts};

use super::Records;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSON even on a terminal.
    #[arg(long)]
    json: bool,
}

pub fn preparation(records: &mut Records, args: Args) -> anyhow::Result<()> {
    let templates = records.store.templates()?.len();
    // Only what this invocation can prove: an unlocked vault proves two-factor and shows the
    // codes left; the sandbox has no vault, so those items stay with the operator's ticks.
    let codes_left = records.target.recovery_codes_left()?;
    let facts = PreparationFacts {
        profiles_configured: codes_left.map(|_| true),
        two_factor_enrolled: codes_left.map(|_| true),
        recovery_codes_stored: codes_left.and_then(|left| (left == 0).then_some(false)),
        notification_channel_working: None,
        templates_reviewed: (templates == 0).then_some(false),
    };
    let status = records.store.preparation(&facts, Utc::now())?;
    if output::wants_json(args.json) {
        return output::json_line(&serde_json::json!({
            "status": status,
            "facts": facts,
            "recovery_codes_left": codes_left,
            "templates": templates,
        }));
    }
    println!("{}", if status.ready { "Ready." } else { "Not ready:" });
    for check in &status.checks {
        let source = match check.source {
            CheckSource::Computed => "known",
            CheckSource::Ticked => "ticked",
            CheckSource::Open => "open",
        };
        let stale = if check.stale { " (tick is stale)" } else { "" };
        println!(
            "  [{}] {:<7} {}{stale}",
            if check.ok { "x" } else { " " },
            source,
            check.label
        );
    }
    Ok(())
}

pub fn metrics(records: &mut Records, args: Args) -> anyhow::Result<()> {
    let incidents = records.store.list(&IncidentFilter::default())?;
    let summary = summarize(&incidents);
    if output::wants_json(args.json) {
        return output::json_line(&summary);
    }
    println!("{} incidents", summary.incidents);
    for (name, mean) in [
        ("time to detect", summary.mttd),
        ("time to acknowledge", summary.mtta),
        ("time to contain", summary.mttc),
        ("time to recover", summary.mttr),
        ("time to close", summary.mtt_close),
    ] {
        println!("  {name:<20} {}", duration(mean));
    }
    Ok(())
}

fn duration(mean: MeanTime) -> String {
    match mean.mean_s {
        None => "—".to_owned(),
        Some(s) => {
            let minutes = (s / 60.0).round();
            format!(
                "{}h{:02} (mean of {})",
                (minutes / 60.0).floor(),
                minutes % 60.0,
                mean.count
            )
        }
    }
}
