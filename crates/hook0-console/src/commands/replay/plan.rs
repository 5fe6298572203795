//! `replay plan`.

use anyhow::Context;
use chrono::Utc;
use console_core::replay::{DeliveryRef, PlanOptions, Selection as ReplaySelection, plan};
use uuid::Uuid;

use crate::commands::deliveries::{FilterArgs, reader};
use crate::output;
use crate::target::Selection;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    filter: FilterArgs,
    /// One delivery `EVENT_ID:SUBSCRIPTION_ID` (repeatable); replaces the filters.
    #[arg(long = "delivery", value_parser = parse_delivery)]
    deliveries: Vec<DeliveryRef>,
    /// Keep deliveries that have succeeded since they failed.
    #[arg(long)]
    include_recovered: bool,
    /// Write the manifest here (JSON with its SHA-256), for `replay run`.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// JSON lines even on a terminal.
    #[arg(long)]
    json: bool,
}

fn parse_delivery(text: &str) -> Result<DeliveryRef, String> {
    let (event, sub) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}`: write a delivery as EVENT_ID:SUBSCRIPTION_ID"))?;
    let id = |t: &str| Uuid::parse_str(t).map_err(|e| format!("`{t}`: {e}"));
    Ok(DeliveryRef {
        event_id: id(event)?,
        subscription_id: id(sub)?,
    })
}

pub fn run(selection: &Selection, args: Args) -> anyhow::Result<()> {
    let target = selection.resolve()?;
    let reader = reader(&target)?;
    let chosen = if args.deliveries.is_empty() {
        ReplaySelection::Filter(Box::new(args.filter.into_filter()))
    } else {
        ReplaySelection::Deliveries(args.deliveries)
    };
    let options = PlanOptions {
        include_recovered: args.include_recovered,
    };
    let planned = plan(reader.conn(), &chosen, options, Utc::now())?;
    if let Some(out) = &args.out {
        if planned.events.is_empty() {
            anyhow::bail!(
                "nothing to replay ({} deliveries selected, {} excluded): no manifest written",
                planned.deliveries_selected,
                planned.excluded.len()
            );
        }
        std::fs::write(out, planned.manifest.export()?)
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    if output::wants_json(args.json) {
        output::json_line(&serde_json::json!({
            "manifest_sha256": planned.sha256,
            "events": planned.events.len(),
            "deliveries_selected": planned.deliveries_selected,
            "excluded": planned.excluded.len(),
            "healthy_duplicates": planned.healthy_duplicates,
            "out": args.out,
        }))?;
        for s in &planned.subscriptions {
            output::json_line(&serde_json::json!({ "subscription": s }))?;
        }
        for x in &planned.excluded {
            output::json_line(&serde_json::json!({ "excluded": x }))?;
        }
    } else {
        println!(
            "{} events to replay ({} deliveries selected, {} excluded); SHA-256 {}",
            planned.events.len(),
            planned.deliveries_selected,
            planned.excluded.len(),
            planned.sha256
        );
        println!(
            "{:<36} {:>8} {:>8} {:>10} {:>11}  description",
            "subscription", "replays", "failed", "duplicates", "not reached"
        );
        for s in &planned.subscriptions {
            println!(
                "{:<36} {:>8} {:>8} {:>10} {:>11}  {}",
                s.subscription_id,
                s.replays,
                s.failed,
                s.healthy_duplicates,
                s.failed_not_reached,
                s.description.as_deref().unwrap_or("—")
            );
        }
        if planned.healthy_duplicates > 0 {
            println!(
                "Warning: {} replays go to subscriptions that had not failed (Hook0 replays \
                 to every matching subscription).",
                planned.healthy_duplicates
            );
        }
        if let Some(out) = &args.out {
            println!("Manifest written to {}", out.display());
        }
    }
    target.finish()
}
