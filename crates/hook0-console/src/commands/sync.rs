//! `hook0-console sync`.

use std::io::IsTerminal;
use std::num::NonZeroU32;
use std::time::Duration;

use console_core::api::{ClientSettings, Pacing, RequestRate};
use console_core::sync::{Cancel, ContentPolicy, Progress, Stage, SyncOptions};
use indicatif::{ProgressBar, ProgressStyle};

use crate::output;
use crate::target::Selection;
use console_core::audit::{AuditAction, AuditOutcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to download besides attempts: none, failures (default) or everything.
    #[arg(long, default_value = "failures", value_parser = parse_content)]
    content: ContentPolicy,
    /// Most pages stored per transaction (a transaction also ends after about a second).
    #[arg(long)]
    pages_per_commit: Option<usize>,
    /// Requests per second sent to the API; 0 removes the limit (only for a local server —
    /// Hook0 allows about 10 per second per token).
    #[arg(long, default_value_t = 9)]
    rate: u32,
    /// Print progress as JSON lines even on a terminal.
    #[arg(long)]
    json: bool,
}

fn parse_content(text: &str) -> Result<ContentPolicy, String> {
    match text {
        "none" => Ok(ContentPolicy::None),
        "failures" => Ok(ContentPolicy::Failures),
        "everything" => Ok(ContentPolicy::Everything),
        other => Err(format!("`{other}`: use none, failures or everything")),
    }
}

pub async fn run(selection: &Selection, args: Args) -> anyhow::Result<()> {
    let target = selection.resolve()?;
    let pacing = match NonZeroU32::new(args.rate) {
        Some(requests) => Pacing {
            rate: RequestRate::PerSecond {
                requests,
                burst: NonZeroU32::MIN.saturating_add(requests.get() / 2),
            },
            ..Pacing::default()
        },
        None => Pacing::unlimited(Pacing::default().max_in_flight),
    };
    let settings = ClientSettings {
        pacing,
        ..ClientSettings::default()
    };
    let (client, _sandbox) = target.client(settings).await?;
    let mut cache = target.open_cache()?;
    let defaults = SyncOptions::default();
    let options = SyncOptions {
        content: args.content,
        pages_per_commit: args
            .pages_per_commit
            .unwrap_or(defaults.pages_per_commit)
            .max(1),
        retention_days: target.retention_days,
        ..defaults
    };
    let cancel = Cancel::new();
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
        }
    });
    let json = output::wants_json(args.json) || !std::io::stderr().is_terminal();
    let bar = (!json).then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix:>16} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let mut sink = |p: &Progress| match &bar {
        Some(bar) => {
            bar.set_prefix(format!("{:?}", p.stage));
            bar.set_message(describe(p));
        }
        None => {
            let _ = output::json_line(&serde_json::json!({ "progress": p }));
        }
    };
    target.audit(AuditAction::SyncStarted, AuditOutcome::Succeeded, &[], None)?;
    let result = console_core::sync::sync(&client, &mut cache, &options, &cancel, &mut sink)
        .await
        .map_err(console_core::ErrorDto::from);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let detail = match &result {
        Ok(report) => format!("attempts_inserted={}", report.attempts_inserted),
        Err(error) => format!("error={:?}", error.code),
    };
    let outcome = if result.is_ok() {
        AuditOutcome::Succeeded
    } else {
        AuditOutcome::Failed
    };
    target.audit(AuditAction::SyncFinished, outcome, &[detail], None)?;
    drop(cache);
    drop(client);
    let report = result?;
    let summary = serde_json::json!({
        "synced": target.name,
        "cache": target.cache_path().display().to_string(),
        "applications": report.applications,
        "attempts_inserted": report.attempts_inserted,
        "attempts_updated": report.attempts_updated,
        "payloads": report.payloads,
        "responses": report.responses,
        "missing": report.missing,
        "requests": report.requests,
    });
    if json {
        output::json_line(&summary)?;
    } else {
        println!(
            "Synced {}: {} new and {} updated attempts, {} payloads, {} responses, {} requests.",
            target.name,
            report.attempts_inserted,
            report.attempts_updated,
            report.payloads,
            report.responses,
            report.requests
        );
    }
    target.finish()
}

fn describe(p: &Progress) -> String {
    let app = p
        .application
        .as_deref()
        .map(|a| format!("{a}: "))
        .unwrap_or_default();
    let unit = match p.stage {
        Stage::Attempts => "pages",
        Stage::FailingDeliveries | Stage::EarlierFailures => "payloads and responses",
        Stage::Payloads => "payloads",
        Stage::Unfinished => "attempts refreshed",
        Stage::Retention => "old events purged",
        Stage::Metadata | Stage::Done => "steps",
    };
    let eta = p
        .eta_seconds
        .map(|s| format!(", ~{}s left", s.round()))
        .unwrap_or_default();
    let count = match p.total {
        Some(total) => format!("{}/{total}", p.done),
        None => p.done.to_string(),
    };
    format!(
        "{app}{count} {unit} ({:.1}/s){eta} — {} attempts stored, {} requests",
        p.rate_per_second, p.attempts, p.requests
    )
}
