//! `hook0-console show ATTEMPT_ID`: one delivery in full — the attempt, every attempt of its
//! delivery, the event payload and the response — fetching missing content from the API
//! unless `--offline`.

use anyhow::{Context, bail};
use console_core::api::ClientSettings;
use console_core::query::{Content, ContentStatus, DeliveryDetail, DeliveryRow, delivery_detail};
use console_core::sync::fetch_delivery_content;
use uuid::Uuid;

use super::deliveries::{reader, word};
use crate::output;
use crate::target::Selection;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The request attempt to show.
    attempt_id: Uuid,
    /// Show only what the cache holds; never contact the API.
    #[arg(long)]
    offline: bool,
    /// JSON even on a terminal.
    #[arg(long)]
    json: bool,
}

pub async fn run(selection: &Selection, args: Args) -> anyhow::Result<()> {
    let target = selection.resolve()?;
    let id = args.attempt_id;
    let not_cached = || format!("attempt {id} is not in the cache of {}", target.name);
    let detail = if args.offline {
        delivery_detail(reader(&target)?.conn(), id)?.with_context(not_cached)?
    } else {
        if !target.cache_path().exists() {
            bail!(
                "no cache for {} yet: run `hook0-console sync` first",
                target.name
            );
        }
        let mut cache = target.open_cache()?;
        let cached = delivery_detail(cache.conn(), id)?.with_context(not_cached)?;
        // Only reach for the API (and, for the sandbox profile, start it) when something
        // can still be fetched.
        if [cached.payload_status, cached.response_status].contains(&ContentStatus::NotCached) {
            let (client, _sandbox) = target.client(ClientSettings::default()).await?;
            fetch_delivery_content(&client, &mut cache, id).await?
        } else {
            cached
        }
    };
    if output::wants_json(args.json) {
        output::json_line(&detail)
    } else {
        print_detail(&detail);
        Ok(())
    }
}

fn print_detail(d: &DeliveryDetail) {
    let a = &d.attempt;
    println!("Attempt    {}", a.attempt_id);
    println!("  {}", summary(a));
    println!(
        "Event      {}  {}  (application {})",
        a.event_id,
        a.event_type,
        a.application_name.as_deref().unwrap_or("?")
    );
    println!(
        "Target     {}  (subscription {})",
        a.target_url.as_deref().unwrap_or("?"),
        a.subscription_id
    );
    println!(
        "Delivery   {}, {} attempt(s)",
        word(&a.outcome),
        d.chain.len()
    );
    for row in &d.chain {
        let mark = if row.attempt_id == a.attempt_id {
            ">"
        } else {
            " "
        };
        println!("  {mark} {}", summary(row));
    }
    println!();
    match &d.event {
        Some(event) => {
            println!(
                "Payload    {}",
                event.content_type.as_deref().unwrap_or("(no content type)")
            );
            for (key, value) in &event.labels {
                println!("  label {key}={value}");
            }
            print_content(event.payload.as_ref());
        }
        None => println!("Payload    {}", missing(d.payload_status)),
    }
    println!();
    match &d.response {
        Some(response) => {
            let code = response
                .http_code
                .map_or_else(|| "no HTTP status".to_owned(), |c| format!("HTTP {c}"));
            let elapsed = response
                .elapsed_ms
                .map(|ms| format!(", {ms} ms"))
                .unwrap_or_default();
            let error = response
                .error_name
                .as_deref()
                .map(|e| format!(", {e}"))
                .unwrap_or_default();
            println!("Response   {code}{elapsed}{error}");
            if let Some(headers) = &response.headers {
                println!("  headers {headers}");
            }
            print_content(response.body.as_ref());
        }
        None => println!("Response   {}", missing(d.response_status)),
    }
}

fn summary(row: &DeliveryRow) -> String {
    let http = row
        .http_status
        .map(|s| format!("HTTP {s}"))
        .or_else(|| row.error_kind.map(|k| k.as_str().to_owned()))
        .unwrap_or_default();
    format!(
        "{}  try {:<2} {:<11} {}",
        row.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
        row.retry_count,
        word(&row.status),
        http
    )
}

fn missing(status: ContentStatus) -> &'static str {
    match status {
        ContentStatus::ExpiredUpstream => {
            "expired upstream (Hook0 answered 404: removed by its retention, or deleted)"
        }
        ContentStatus::NotCached => "not cached (run without --offline to fetch it)",
        ContentStatus::Absent => "none (the attempt has no response)",
        ContentStatus::Cached => "cached",
    }
}

fn print_content(content: Option<&Content>) {
    match content {
        Some(Content::Text(text)) => {
            for line in text.lines() {
                println!("  {line}");
            }
        }
        Some(Content::Base64(data)) => println!("  (binary, base64) {data}"),
        None => println!("  (empty)"),
    }
}
