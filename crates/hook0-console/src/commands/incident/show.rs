//! `incident show`: one incident in full, with due, deadline and overdue judged at one instant
//! exactly as the window judges them.

use chrono::{DateTime, Utc};
use console_core::incident::IncidentStore;
use console_core::ipc::{ChecklistItemView, IncidentView};
use uuid::Uuid;

use super::Records;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The incident id.
    id: Uuid,
    /// JSON even on a terminal.
    #[arg(long)]
    json: bool,
}

pub fn run(records: &mut Records, args: Args) -> anyhow::Result<()> {
    print(records, args.id, args.json)
}

/// Prints the incident as it stands now: a table on a terminal, one JSON line otherwise.
pub fn print(records: &Records, id: Uuid, json: bool) -> anyhow::Result<()> {
    let view = view(&records.store, id, Utc::now())?;
    if output::wants_json(json) {
        return output::json_line(&view);
    }
    let i = &view.incident;
    println!("{}  {}", i.id, i.title);
    println!(
        "{} {} — {} since {} (template {} v{})",
        i.severity.as_str(),
        i.kind.as_str(),
        i.status.as_str(),
        when(Some(i.phase_entered_at)),
        i.template_id,
        i.template_version
    );
    let role = |r: &Option<String>| r.clone().unwrap_or_else(|| "—".into());
    println!(
        "Roles: commander {}, scribe {}, communications {}",
        role(&i.roles.commander),
        role(&i.roles.scribe),
        role(&i.roles.communications)
    );
    let m = &i.milestones;
    println!(
        "Milestones: impact {}, detected {}, declared {}, contained {}, eradicated {}, \
         recovered {}, closed {}",
        when(m.impact_started_at),
        when(m.detected_at),
        when(m.declared_at),
        when(m.contained_at),
        when(m.eradicated_at),
        when(m.recovered_at),
        when(m.closed_at)
    );
    let t = &view.metrics;
    println!(
        "Times from detection: acknowledged {}, contained {}, recovered {}, closed {}",
        seconds(t.time_to_acknowledge_s),
        seconds(t.time_to_contain_s),
        seconds(t.time_to_recover_s),
        seconds(t.time_to_close_s)
    );
    for phase in view.phases.iter().filter(|p| p.current) {
        println!("Checklist — {} (current):", phase.phase.as_str());
        for v in &phase.items {
            println!("{}", item_line(v));
        }
    }
    println!("Timeline:");
    for e in &view.timeline {
        let backdated = if e.backdated { " (back-dated)" } else { "" };
        println!(
            "  {}  {:<14} {:<10} {}{backdated}",
            when(Some(e.at)),
            e.kind.as_str(),
            e.author,
            e.text
        );
    }
    if !view.evidence.is_empty() {
        println!("Evidence:");
        for e in &view.evidence {
            let kept = if e.truncated { ", first ones kept" } else { "" };
            println!(
                "  #{:<3} {}  {:<15} {} ({} rows{kept}) sha256 {}",
                e.id,
                when(Some(e.captured_at)),
                e.kind.as_str(),
                e.label,
                e.rows,
                e.sha256
            );
        }
    }
    Ok(())
}

fn item_line(v: &ChecklistItemView) -> String {
    let it = &v.item;
    let mark = if it.done_at.is_some() { "[x]" } else { "[ ]" };
    let required = if it.required { "*" } else { " " };
    let mut line = format!("  {mark} {:>2}{required} {}", it.position, it.text);
    if let Some(due) = it.due_at {
        line.push_str(&format!("  — due {}", when(Some(due))));
        if v.overdue {
            line.push_str(" OVERDUE");
        }
    }
    if let Some(deadline) = &it.deadline {
        line.push_str(&format!(
            "  — deadline {} ({})",
            when(Some(deadline.at)),
            deadline.label
        ));
        if v.deadline_passed {
            line.push_str(" PASSED");
        }
    }
    if let Some(reason) = &it.skipped_reason {
        line.push_str(&format!("  — left open: {reason}"));
    }
    line
}

/// An instant for a table cell, or a dash.
pub fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "—".to_owned(),
        |at| at.format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// A duration in hours and minutes, or a dash when the milestone is not reached.
fn seconds(s: Option<i64>) -> String {
    s.map_or_else(
        || "—".to_owned(),
        |s| {
            let minutes = s / 60;
            format!("{}h{:02}", minutes / 60, minutes % 60)
        },
    )
}

/// The incident in full at `now`, as the console's window receives it.
fn view(store: &IncidentStore, id: Uuid, now: DateTime<Utc>) -> anyhow::Result<IncidentView> {
    Ok(console_core::console::incident_view(store, id, now)?)
}
