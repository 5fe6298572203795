//! `sync`: how fast the sync fills the cache, against how fast a bare HTTP client can merely
//! fetch the same pages from the same server — and how much memory the sync needs.
//!
//! The sync runs in a child process so that its peak RSS is its own (not the bare walk's,
//! nor the sandbox's). Rate limiting is off: the point is the console's own overhead.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use console_core::api::{ApiBaseUrl, ApiClient, ClientSettings, Pacing};
use console_core::cache::{Cache, CacheKey};
use console_core::sync::{Cancel, ContentPolicy, SyncOptions};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::emit::{figure, note};
use crate::{rss, sandbox};

/// Hidden sub-command: run one sync and print its figures.
pub const CHILD: &str = "__sync-child";

/// Events giving ~200,000 attempts over one application with 10 subscriptions.
const EVENTS_FULL: u32 = 36_000;

#[derive(Debug, Serialize, Deserialize)]
struct ChildFigures {
    attempts: u64,
    seconds: f64,
    peak_rss_mb: f64,
}

/// Runs the benchmark; returns the bare HTTP walk's rate (attempts/s).
pub async fn run() -> anyhow::Result<f64> {
    let full = measure(EVENTS_FULL).await?;
    let half = measure(EVENTS_FULL / 2).await?;
    figure("sync", "attempts", full.attempts as f64, "attempts");
    figure(
        "sync",
        "bare_http_attempts_per_s",
        full.bare_rate,
        "attempts/s",
    );
    figure("sync", "attempts_per_s", full.sync_rate, "attempts/s");
    figure(
        "sync",
        "ratio_vs_bare_http",
        full.sync_rate / full.bare_rate,
        "ratio",
    );
    figure("sync", "peak_rss_mb", full.peak_rss_mb, "MiB");
    figure("sync", "peak_rss_mb_half_n", half.peak_rss_mb, "MiB");
    Ok(full.bare_rate)
}

struct Measured {
    attempts: u64,
    bare_rate: f64,
    sync_rate: f64,
    peak_rss_mb: f64,
}

async fn measure(events: u32) -> anyhow::Result<Measured> {
    let server = sandbox::start(1, 10, events)?;
    let started = &server.started;
    note(&format!(
        "sync: sandbox serves {} attempts",
        started.attempts
    ));
    let (bare_attempts, bare_seconds) = bare_walk(started).await?;
    let db = tempfile::tempdir()?;
    let path = db.path().join("cache.db");
    let output = Command::new(std::env::current_exe()?)
        .args([CHILD, &started.api_base_url, &started.service_token])
        .arg(&path)
        .output()
        .context("cannot run the sync child")?;
    if !output.status.success() {
        bail!(
            "sync child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let child: ChildFigures = serde_json::from_slice(&output.stdout)?;
    note(&format!(
        "sync: bare walk {bare_attempts} rows in {bare_seconds:.2}s; sync {} rows in {:.2}s",
        child.attempts, child.seconds
    ));
    Ok(Measured {
        attempts: child.attempts,
        bare_rate: bare_attempts as f64 / bare_seconds,
        sync_rate: child.attempts as f64 / child.seconds,
        peak_rss_mb: child.peak_rss_mb,
    })
}

/// Fetches every page with the plain cursor, one request at a time, parsing nothing but the
/// `Link` header: the ceiling any client of this server can reach.
async fn bare_walk(started: &sandbox::Started) -> anyhow::Result<(u64, f64)> {
    let http = reqwest::Client::new();
    let base = started.api_base_url.trim_end_matches('/');
    let clock = Instant::now();
    let mut rows = 0u64;
    for application in &started.applications {
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("{base}/request_attempts?application_id={}", application.id);
            if let Some(c) = &cursor {
                url.push_str("&pagination_cursor=");
                url.push_str(c);
            }
            let response = http
                .get(&url)
                .bearer_auth(&started.service_token)
                .send()
                .await?
                .error_for_status()?;
            cursor = response
                .headers()
                .get("link")
                .and_then(|v| v.to_str().ok())
                .and_then(|link| link.split("pagination_cursor=").nth(1))
                .and_then(|rest| rest.split(['>', '&']).next())
                .map(str::to_owned);
            let body = response.bytes().await?;
            // Counting objects without building them: one `request_attempt_id` per row.
            rows += memchr_count(&body, b"\"request_attempt_id\"");
            if cursor.is_none() {
                break;
            }
        }
    }
    Ok((rows, clock.elapsed().as_secs_f64()))
}

fn memchr_count(haystack: &[u8], needle: &[u8]) -> u64 {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count() as u64
}

/// The child side: one sync into a fresh cache, then its figures on stdout.
pub async fn child(args: &[String]) -> anyhow::Result<()> {
    let [url, token, path] = args else {
        bail!("usage: {CHILD} API_BASE_URL TOKEN CACHE_PATH");
    };
    let settings = ClientSettings {
        pacing: Pacing::unlimited(4),
        ..ClientSettings::default()
    };
    let token = SecretString::from(token.clone());
    let client = ApiClient::new(ApiBaseUrl::parse(url)?, Some(&token), settings)?;
    let mut cache = Cache::open(
        std::path::Path::new(path),
        &CacheKey::from_bytes([42u8; 32]),
    )?;
    let options = SyncOptions {
        content: ContentPolicy::None,
        ..SyncOptions::default()
    };
    let clock = Instant::now();
    let report =
        console_core::sync::sync(&client, &mut cache, &options, &Cancel::new(), &mut |_| {})
            .await?;
    let figures = ChildFigures {
        attempts: report.attempts_inserted,
        seconds: clock.elapsed().as_secs_f64(),
        peak_rss_mb: rss::peak_mib().unwrap_or(f64::NAN),
    };
    println!("{}", serde_json::to_string(&figures)?);
    Ok(())
}
