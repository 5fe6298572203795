//! `hook0-console deliveries`: the query layer's filters, from the command line.

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use console_core::cache::{AttemptStatus, CacheReader, ChainOutcome, ErrorKind};
use console_core::query::{DeliveryFilter, DeliveryQuery, Direction, LabelFilter, Sort, SortKey};
use uuid::Uuid;

use super::parse_word;
use crate::output;
use crate::target::{Selection, Target};

/// The explorer's filters as flags (shared by `deliveries` and `replay plan`).
#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// Attempt status: waiting, pending, in_progress, successful, failed (repeatable).
    #[arg(long = "status", value_parser = parse_word::<AttemptStatus>)]
    statuses: Vec<AttemptStatus>,
    /// Delivery outcome: delivered, retrying, gave_up, pending (repeatable).
    #[arg(long = "outcome", value_parser = parse_word::<ChainOutcome>)]
    outcomes: Vec<ChainOutcome>,
    /// Exact HTTP status.
    #[arg(long)]
    http_status: Option<u16>,
    /// HTTP class: 2, 3, 4 or 5.
    #[arg(long)]
    http_class: Option<u8>,
    /// Error kind: timeout, connection, dns, … (repeatable).
    #[arg(long = "error-kind", value_parser = parse_word::<ErrorKind>)]
    error_kinds: Vec<ErrorKind>,
    /// Organization id.
    #[arg(long)]
    organization: Option<Uuid>,
    /// Application id (repeatable).
    #[arg(long = "application")]
    applications: Vec<Uuid>,
    /// Subscription id (repeatable).
    #[arg(long = "subscription")]
    subscriptions: Vec<Uuid>,
    /// Text in the target URL.
    #[arg(long)]
    target_url: Option<String>,
    /// Event type name (repeatable).
    #[arg(long = "event-type")]
    event_types: Vec<String>,
    /// Label `key=value` (repeatable, all must match).
    #[arg(long = "label", value_parser = parse_label)]
    labels: Vec<LabelFilter>,
    /// Created at or after (RFC 3339).
    #[arg(long)]
    since: Option<DateTime<Utc>>,
    /// Created before (RFC 3339).
    #[arg(long)]
    until: Option<DateTime<Utc>>,
    /// Lowest retry count.
    #[arg(long)]
    min_retry: Option<u32>,
    /// Highest retry count.
    #[arg(long)]
    max_retry: Option<u32>,
    /// Full-text search over payloads and response bodies.
    #[arg(long)]
    search: Option<String>,
}

impl FilterArgs {
    /// The core's filter.
    pub fn into_filter(self) -> DeliveryFilter {
        DeliveryFilter {
            statuses: non_empty(self.statuses),
            outcomes: non_empty(self.outcomes),
            http_status: self.http_status,
            http_class: self.http_class,
            error_kinds: non_empty(self.error_kinds),
            organization_id: self.organization,
            application_ids: non_empty(self.applications),
            subscription_ids: non_empty(self.subscriptions),
            target_url: self.target_url,
            event_types: non_empty(self.event_types),
            labels: non_empty(self.labels),
            created_from: self.since,
            created_until: self.until,
            min_retry_count: self.min_retry,
            max_retry_count: self.max_retry,
            search: self.search,
            ..DeliveryFilter::default()
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    filter: FilterArgs,
    /// Sort key: created_at, latency, retry_count, http_status.
    #[arg(long, default_value = "created_at", value_parser = parse_word::<SortKey>)]
    sort: SortKey,
    /// Smallest first.
    #[arg(long)]
    asc: bool,
    /// Rows to print (at most 1000 per page; more pages follow the cursor).
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// JSON lines even on a terminal.
    #[arg(long)]
    json: bool,
}

fn parse_label(text: &str) -> Result<LabelFilter, String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: write a label as key=value"))?;
    Ok(LabelFilter {
        key: key.to_owned(),
        value: value.to_owned(),
    })
}

fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

/// Opens the cache read-only; a missing cache is an error, not an empty one.
pub fn reader(target: &Target) -> anyhow::Result<CacheReader> {
    if !target.cache_path().exists() {
        bail!(
            "no cache for {} yet: run `hook0-console sync` first",
            target.name
        );
    }
    CacheReader::open(target.cache_path(), &target.key)
        .with_context(|| format!("cannot open the cache of {}", target.name))
}

pub fn run(selection: &Selection, args: Args) -> anyhow::Result<()> {
    let target = selection.resolve()?;
    let reader = reader(&target)?;
    let json = output::wants_json(args.json);
    let filter = args.filter.into_filter();
    let sort = Sort {
        key: args.sort,
        direction: if args.asc {
            Direction::Asc
        } else {
            Direction::Desc
        },
    };
    let mut remaining = args.limit;
    let mut cursor = None;
    if !json {
        println!(
            "{:<20} {:<10} {:<9} {:>5} {:<28} {:<32} {:>3}",
            "created (UTC)", "status", "outcome", "http", "event type", "target", "try"
        );
    }
    while remaining > 0 {
        let page = DeliveryQuery {
            filter: filter.clone(),
            sort,
            limit: Some(remaining.min(1000)),
            cursor: cursor.take(),
        }
        .run(reader.conn())?;
        remaining = remaining.saturating_sub(page.rows.len() as u32);
        for row in &page.rows {
            if json {
                output::json_line(row)?;
            } else {
                let http = row
                    .http_status
                    .map(|s| s.to_string())
                    .or_else(|| row.error_kind.map(|k| k.as_str().to_owned()))
                    .unwrap_or_default();
                println!(
                    "{:<20} {:<10} {:<9} {:>5} {} {} {:>3}",
                    row.created_at.format("%Y-%m-%d %H:%M:%S"),
                    word(&row.status),
                    word(&row.outcome),
                    output::cell(&http, 5),
                    output::cell(&row.event_type, 28),
                    output::cell(row.target_url.as_deref().unwrap_or("—"), 32),
                    row.retry_count
                );
            }
        }
        match page.next_cursor {
            Some(next) if !page.rows.is_empty() => cursor = Some(next),
            _ => break,
        }
    }
    Ok(())
}

/// The snake_case word of one of the core's serde enums (`failed`, `gave_up`, …).
pub fn word(value: &impl serde::Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
