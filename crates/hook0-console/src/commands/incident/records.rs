//! Declaring and listing incidents, working their checklist, moving them on, and notes.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use console_core::incident::{
    EntryKind, IncidentError, IncidentFilter, IncidentKind, IncidentStatus, NewEntry, NewIncident,
    Phase, Roles, Scope, Severity,
};
use uuid::Uuid;

use super::{OPERATOR, Records, show};
use crate::output;

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Which incidents.
    #[arg(long, value_enum, default_value_t = StatusFilter::Open)]
    status: StatusFilter,
    /// JSON lines even on a terminal.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum StatusFilter {
    Open,
    Closed,
    All,
}

#[derive(Debug, clap::Args)]
pub struct DeclareArgs {
    /// The template whose checklist the incident starts with.
    #[arg(long)]
    template: String,
    /// A short line the team recognises.
    #[arg(long)]
    title: String,
    /// sev1 (most severe) to sev4.
    #[arg(long, default_value = "sev2", value_parser = parse_severity)]
    severity: Severity,
    /// What went wrong (default: the template's kind).
    #[arg(long, value_parser = parse_kind)]
    kind: Option<IncidentKind>,
    /// The first signal (RFC 3339); deadlines such as GDPR's 72 hours count from it.
    #[arg(long)]
    detected_at: Option<DateTime<Utc>>,
    /// Who leads the response.
    #[arg(long)]
    commander: Option<String>,
    /// An application concerned (repeatable): its subscriptions are in the scope.
    #[arg(long = "application", value_name = "ID")]
    applications: Vec<Uuid>,
    /// A subscription concerned (repeatable).
    #[arg(long = "subscription", value_name = "ID")]
    subscriptions: Vec<Uuid>,
    /// JSON even on a terminal.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct TickArgs {
    /// The incident id.
    id: Uuid,
    /// The item's phase (identification, containment, eradication, recovery, lessons_learned).
    #[arg(value_parser = parse_phase)]
    phase: Phase,
    /// The item's position in its phase, as `incident show` numbers it (from 0).
    position: u32,
    /// What to note with it.
    #[arg(long)]
    note: Option<String>,
    /// JSON even on a terminal.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct AdvanceArgs {
    /// The incident id.
    id: Uuid,
    /// Why it moves on with required items open (refused without one when there are).
    #[arg(long)]
    reason: Option<String>,
    /// JSON even on a terminal.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct NoteArgs {
    /// The incident id.
    id: Uuid,
    /// What happened or was decided.
    text: String,
    /// A decision rather than an observation.
    #[arg(long)]
    decision: bool,
    /// When it happened, if earlier than now (RFC 3339); the entry is marked back-dated.
    #[arg(long)]
    at: Option<DateTime<Utc>>,
    /// JSON even on a terminal.
    #[arg(long)]
    json: bool,
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(&text.to_ascii_lowercase())
        .ok_or_else(|| format!("`{text}`: use sev1, sev2, sev3 or sev4"))
}

fn parse_kind(text: &str) -> Result<IncidentKind, String> {
    IncidentKind::parse(text).ok_or_else(|| {
        let names: Vec<&str> = IncidentKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("`{text}`: use one of {}", names.join(", "))
    })
}

fn parse_phase(text: &str) -> Result<Phase, String> {
    Phase::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Phase::ALL.iter().map(|p| p.as_str()).collect();
        format!("`{text}`: use one of {}", names.join(", "))
    })
}

pub fn list(records: &mut Records, args: ListArgs) -> anyhow::Result<()> {
    let statuses = match args.status {
        StatusFilter::Open => IncidentStatus::ALL
            .into_iter()
            .filter(|s| *s != IncidentStatus::Closed)
            .collect(),
        StatusFilter::Closed => vec![IncidentStatus::Closed],
        StatusFilter::All => Vec::new(),
    };
    let incidents = records.store.list(&IncidentFilter { statuses })?;
    let json = output::wants_json(args.json);
    if !json {
        println!(
            "{:<36}  {:<4}  {:<15}  {:<20}  {:<16}  title",
            "id", "sev", "status", "kind", "declared"
        );
    }
    for incident in &incidents {
        if json {
            output::json_line(incident)?;
        } else {
            println!(
                "{:<36}  {:<4}  {:<15}  {:<20}  {:<16}  {}",
                incident.id,
                incident.severity.as_str(),
                incident.status.as_str(),
                incident.kind.as_str(),
                show::when(incident.milestones.declared_at),
                incident.title
            );
        }
    }
    Ok(())
}

pub fn declare(records: &mut Records, args: DeclareArgs) -> anyhow::Result<()> {
    let kind = match args.kind {
        Some(kind) => kind,
        None => records.store.template(&args.template)?.kind,
    };
    let new = NewIncident {
        title: args.title,
        kind,
        severity: args.severity,
        template_id: args.template,
        roles: Roles {
            commander: args.commander,
            ..Roles::default()
        },
        scope: Scope {
            application_ids: args.applications,
            subscription_ids: args.subscriptions,
            ..Scope::default()
        },
        detected_at: args.detected_at,
        impact_started_at: None,
    };
    let now = Utc::now();
    let incident = records.store.create(&new, OPERATOR, now)?;
    records.audit(incident.id.to_string(), "created")?;
    show::print(records, incident.id, args.json)
}

pub fn tick(records: &mut Records, args: TickArgs, done: bool) -> anyhow::Result<()> {
    let now = Utc::now();
    let note = args.note.as_deref();
    let (id, phase, position) = (args.id, args.phase, args.position);
    if done {
        records
            .store
            .tick(id, phase, position, OPERATOR, note, now)?;
    } else {
        records
            .store
            .untick(id, phase, position, OPERATOR, note, now)?;
    }
    let change = if done { "item_done" } else { "item_reopened" };
    records.audit(
        id.to_string(),
        format!("{change}:{}:{position}", phase.as_str()),
    )?;
    show::print(records, id, args.json)
}

pub fn advance(records: &mut Records, args: AdvanceArgs) -> anyhow::Result<()> {
    let now = Utc::now();
    let current = records.store.get(args.id)?;
    let Some(to) = current.status.next() else {
        bail!(
            "incident {} is closed and can no longer be changed",
            args.id
        );
    };
    match records
        .store
        .advance(args.id, to, args.reason.as_deref(), OPERATOR, now)
    {
        Ok(_) => {}
        Err(IncidentError::ReasonRequired { phase, open_items }) => {
            let list: String = open_items.iter().map(|i| format!("\n  - {i}")).collect();
            bail!(
                "{} required item(s) of {phase} are still open:{list}\nto move on to {to} \
                 anyway, say why with --reason",
                open_items.len()
            );
        }
        Err(error) => return Err(error.into()),
    }
    records.audit(args.id.to_string(), format!("advanced:{}", to.as_str()))?;
    show::print(records, args.id, args.json)
}

pub fn note(records: &mut Records, args: NoteArgs) -> anyhow::Result<()> {
    let kind = if args.decision {
        EntryKind::Decision
    } else {
        EntryKind::Note
    };
    let entry = NewEntry {
        kind,
        text: args.text,
        at: args.at,
        reference: None,
    };
    let written = records
        .store
        .add_entry(args.id, &entry, OPERATOR, Utc::now())
        .with_context(|| format!("cannot add to incident {}", args.id))?;
    let change = if written.backdated {
        format!("{}:backdated", kind.as_str())
    } else {
        kind.as_str().to_owned()
    };
    records.audit(args.id.to_string(), change)?;
    if output::wants_json(args.json) {
        output::json_line(&written)?;
    } else {
        let backdated = if written.backdated {
            format!(
                " (back-dated; recorded {})",
                written.recorded_at.format("%Y-%m-%d %H:%M:%S UTC")
            )
        } else {
            String::new()
        };
        println!(
            "{} added at {}{backdated}",
            kind.as_str(),
            written.at.format("%Y-%m-%d %H:%M:%S UTC")
        );
    }
    Ok(())
}
