//! `incident report ID`: the incident's report — Markdown, self-contained HTML or JSON — on
//! stdout or into a file, the same document the window exports. Audited like the window's
//! export: profile, incident, format; never the text.

use std::path::PathBuf;

use chrono::Utc;
use console_core::audit::{AuditAction, AuditOutcome};
use console_core::incident::report::{IncidentReport, ReportFormat};
use uuid::Uuid;

use super::Records;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Markdown,
    Html,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The incident id.
    id: Uuid,
    /// The report's format.
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(records: &mut Records, args: Args) -> anyhow::Result<()> {
    let format = match args.format {
        Format::Markdown => ReportFormat::Markdown,
        Format::Html => ReportFormat::Html,
        Format::Json => ReportFormat::Json,
    };
    let text = IncidentReport::build(&records.store, args.id, Utc::now())?.render(format)?;
    match &args.out {
        Some(path) => std::fs::write(path, &text)?,
        None => print!("{text}"),
    }
    records.target.audit(
        AuditAction::IncidentExported,
        AuditOutcome::Succeeded,
        &[
            args.id.to_string(),
            format!("report:{}", format.extension()),
        ],
        None,
    )?;
    if let Some(path) = args.out {
        eprintln!("Report written to {}", path.display());
    }
    Ok(())
}
