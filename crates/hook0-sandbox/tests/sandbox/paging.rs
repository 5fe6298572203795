//! Cursor paging, bug included: the walk is compared with an independent model of Hook0's
//! query (`ORDER BY created_at DESC, id ASC` + `(created_at, id) < cursor`, pages of 50).

use crate::support::{Sandbox, quiet, str_of};
use anyhow::{Result, anyhow, ensure};
use chrono::{DateTime, Utc};
use hook0_sandbox::ScenarioConfig;
use serde_json::Value;
use std::collections::HashSet;
use uuid::Uuid;

type Key = (DateTime<Utc>, Uuid);

/// What the real server returns for a full walk over `rows` (those passing the filters).
fn expected_walk(rows: &[Key]) -> Vec<Key> {
    let mut sorted = rows.to_vec();
    sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out = Vec::new();
    let mut cursor: Option<Key> = None;
    loop {
        let page: Vec<Key> = sorted
            .iter()
            .filter(|k| cursor.is_none_or(|c| **k < c))
            .take(50)
            .copied()
            .collect();
        let Some(last) = page.last() else { return out };
        cursor = Some(*last);
        out.extend(page);
    }
}

fn key(attempt: &Value) -> Result<Key> {
    Ok((
        str_of(attempt, "created_at")?.parse()?,
        str_of(attempt, "request_attempt_id")?.parse()?,
    ))
}

async fn walked(sb: &Sandbox, first: &str) -> Result<Vec<Key>> {
    let pages = sb.walk(first).await?;
    for (i, page) in pages.iter().enumerate() {
        ensure!(page.len() <= 50, "page {i} has {} rows", page.len());
    }
    pages.iter().flatten().map(key).collect()
}

#[tokio::test]
async fn a_full_walk_duplicates_and_skips_tied_rows_like_hook0() -> Result<()> {
    let mut options = quiet(ScenarioConfig {
        seed: 7,
        applications: 1,
        subscriptions: 6,
        events: 500,
        failure_rate: 0.15,
    });
    options.public_url = Some("http://hook0.sandbox.example:8081/".parse()?);
    let sb = Sandbox::start(options).await?;
    let app = sb.app(0)?;
    let all = sb.running.control().attempt_keys(app);

    // The Link is built on the configured public URL, not the address we called.
    let first = sb
        .get(&format!("request_attempts?application_id={app}"))
        .await?;
    let link = first
        .header("link")
        .ok_or_else(|| anyhow!("first page has a Link"))?;
    ensure!(
        link.starts_with(&format!(
            "<http://hook0.sandbox.example:8081/api/v1/request_attempts?application_id={app}&pagination_cursor="
        )),
        "Link on the public URL: {link}"
    );

    let walk = walked(&sb, &format!("request_attempts?application_id={app}")).await?;
    let expected = expected_walk(&all);
    ensure!(
        walk == expected,
        "the walk is exactly what Hook0's query returns"
    );
    let unique: HashSet<&Key> = walk.iter().collect();
    let duplicates = walk.len() - unique.len();
    let skipped = all.len() - unique.len();
    println!(
        "{} attempts, walk {} rows, {duplicates} duplicates, {skipped} skipped",
        all.len(),
        walk.len()
    );
    ensure!(
        duplicates > 0,
        "tied rows with a lower id come back on the next page"
    );
    ensure!(skipped > 0, "tied rows with a higher id are never returned");
    Ok(())
}

#[tokio::test]
async fn filters_are_inclusive_and_survive_the_link() -> Result<()> {
    let sb = Sandbox::small().await?;
    let app = sb.app(0)?;
    let all = sb.running.control().attempt_keys(app);
    let attempts: Vec<Value> = sb
        .walk(&format!("request_attempts?application_id={app}"))
        .await?
        .into_iter()
        .flatten()
        .collect();

    // A window whose both ends are attempt timestamps: both ends included.
    let mut times: Vec<DateTime<Utc>> = all.iter().map(|k| k.0).collect();
    times.sort();
    times.dedup();
    let (min, max) = (times[times.len() / 3], times[times.len() / 3 + 40]);
    let first = format!(
        "request_attempts?application_id={app}&min_created_at={}&max_created_at={}",
        min.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        max.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    );
    let reply = sb.get(&first).await?;
    let link = reply
        .header("link")
        .ok_or_else(|| anyhow!("non-empty page has a Link"))?;
    ensure!(
        link.contains("&min_created_at=") && link.contains("+UTC") && link.contains("%3A"),
        "dates re-encoded like `2026-11-29+14%3A25%3A30+UTC`: {link}"
    );
    let walk = walked(&sb, &first).await?;
    let in_window: Vec<Key> = all
        .iter()
        .filter(|k| k.0 >= min && k.0 <= max)
        .copied()
        .collect();
    ensure!(
        walk == expected_walk(&in_window),
        "window walk matches the model"
    );
    let seen: HashSet<DateTime<Utc>> = walk.iter().map(|k| k.0).collect();
    ensure!(
        seen.contains(&min) && seen.contains(&max),
        "min and max are inclusive"
    );

    // Event, subscription and event type filters.
    let sample = &attempts[attempts.len() / 2];
    let event = str_of(sample, "event_id")?;
    let subscription = str_of(&sample["subscription"], "subscription_id")?;
    let event_type = str_of(&sample["event"], "event_type_name")?;
    for (param, check) in [
        (format!("event_id={event}"), "event_id"),
        (format!("subscription_id={subscription}"), "subscription"),
        (
            format!("event.event_type_names={event_type},%20no.such.type"),
            "type",
        ),
    ] {
        let rows: Vec<Value> = sb
            .walk(&format!("request_attempts?application_id={app}&{param}"))
            .await?
            .into_iter()
            .flatten()
            .collect();
        ensure!(!rows.is_empty(), "{param} finds rows");
        for row in &rows {
            let ok = match check {
                "event_id" => row["event_id"] == event,
                "subscription" => row["subscription"]["subscription_id"] == subscription,
                _ => row["event"]["event_type_name"] == event_type,
            };
            ensure!(ok, "{param} filters: {row}");
        }
    }

    // The end of the list is `[]` without Link.
    let oldest = all.iter().min().ok_or_else(|| anyhow!("attempts"))?;
    let past = (oldest.0 - chrono::Duration::seconds(1)).to_rfc3339();
    let end = sb
        .get(&format!(
            "request_attempts?application_id={app}&max_created_at={}",
            past.replace('+', "%2B")
        ))
        .await?;
    ensure!(
        end.json()? == serde_json::json!([]) && end.header("link").is_none(),
        "[] and no Link"
    );
    Ok(())
}

#[tokio::test]
async fn first_attempts_of_an_event_share_created_at() -> Result<()> {
    let sb = Sandbox::small().await?;
    let app = sb.app(0)?;
    let mut tied = 0;
    for event in sb.running.control().event_ids(app).iter().take(50) {
        let rows = sb
            .get_json(&format!(
                "request_attempts?application_id={app}&event_id={event}"
            ))
            .await?;
        let firsts: HashSet<&str> = rows
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["retry_count"] == 0)
            .filter_map(|r| r["created_at"].as_str())
            .collect();
        ensure!(
            firsts.len() <= 1,
            "first attempts of {event} share one created_at"
        );
        let count = rows
            .as_array()
            .map_or(0, |r| r.iter().filter(|r| r["retry_count"] == 0).count());
        if count > 1 {
            tied += 1;
        }
    }
    ensure!(tied > 0, "some events fan out to several subscriptions");
    Ok(())
}
