//! `explorer`: the deliveries explorer in the real window, driven through WebDriver, over a
//! cache of about a million attempts.
//!
//! - `first_rows_ms`: from sending the unlock form to the first delivery row shown;
//! - `filter_p95_ms`: from a filter change (the URL) to the rows of that filter shown;
//! - `pss_ratio_vs_bare_tauri`: the app's proportional memory (its whole process tree) after
//!   a minute of browsing, over a bare Tauri window's measured the same way in the same run.
//!   On Linux the console turns WebKitGTK's accelerated compositing off (src-tauri's
//!   `rendering.rs`), which a bare Tauri window keeps; so the bare window is also measured
//!   without it (`pss_ratio_vs_bare_tauri_no_compositing`), to show what the console's own
//!   code costs on equal terms.
//!
//! Times are taken inside the page (`performance.now()`, polled every animation frame), so no
//! WebDriver round trip falls inside a timed span. Needs a display, the release app
//! (`HOOK0_CONSOLE_APP`), the bare window (`HOOK0_BARE_WINDOW`) and tauri-driver
//! (`TAURI_DRIVER` or on PATH); `cargo xtask bench explorer` provides all of them.
//!
//! The console is enrolled with the test-only Argon2id cost, so `first_rows_ms` leaves out
//! the passphrase derivation an operator's unlock also pays.

mod page;
mod prepare;
mod pss;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::DateTime;
use console_e2e::{App, PASSPHRASE};
use fantoccini::Locator;
use fantoccini::wd::TimeoutConfiguration;
use serde_json::{Value, json};

use crate::emit::{figure, note, percentile};

/// How long an in-page wait may take before it counts as a failure.
const PAGE_LIMIT_MS: u64 = 30_000;
/// Browsing before the app's memory is read.
const BROWSE_FOR: Duration = Duration::from_secs(60);
/// The bare window idles this long before its memory is read.
const BARE_IDLE: Duration = Duration::from_secs(30);

pub async fn run() -> anyhow::Result<()> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!("explorer needs a display: run it through `cargo xtask bench explorer` (Xvfb)");
    }
    let app_binary = binary("HOOK0_CONSOLE_APP")?;
    let bare_binary = binary("HOOK0_BARE_WINDOW")?;
    let prepared = prepare::data_dir().await?;
    figure(
        "explorer",
        "attempts_cached",
        prepared.attempts as f64,
        "attempts",
    );

    let app_pss = console_window(&prepared, &app_binary).await?;
    let bare_pss = bare_window(&bare_binary, &[]).await?;
    let bare_software_pss =
        bare_window(&bare_binary, &[("WEBKIT_DISABLE_COMPOSITING_MODE", "1")]).await?;
    figure("explorer", "app_pss_mib", app_pss, "MiB");
    figure("explorer", "bare_tauri_pss_mib", bare_pss, "MiB");
    figure(
        "explorer",
        "pss_ratio_vs_bare_tauri",
        app_pss / bare_pss,
        "ratio",
    );
    figure(
        "explorer",
        "bare_tauri_no_compositing_pss_mib",
        bare_software_pss,
        "MiB",
    );
    figure(
        "explorer",
        "pss_ratio_vs_bare_tauri_no_compositing",
        app_pss / bare_software_pss,
        "ratio",
    );
    Ok(())
}

fn binary(var: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .with_context(|| format!("{var} must name a built binary (cargo xtask bench sets it)"))?;
    path.canonicalize()
        .with_context(|| format!("no binary at {}", path.display()))
}

/// Unlock, filters, a minute of browsing; answers the app's tree PSS in MiB.
async fn console_window(prepared: &prepare::Prepared, binary: &Path) -> anyhow::Result<f64> {
    let mut authenticator = prepared.authenticator.clone();
    let app = App::launch_with(&prepared.data_dir, binary).await?;
    let outcome = drive(&app, prepared, &mut authenticator, binary).await;
    let closed = app.close().await;
    let pss = outcome?;
    closed?;
    Ok(pss)
}

async fn drive(
    app: &App,
    prepared: &prepare::Prepared,
    authenticator: &mut console_e2e::Authenticator,
    binary: &Path,
) -> anyhow::Result<f64> {
    let client = app.client();
    client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_millis(PAGE_LIMIT_MS + 10_000)),
            None,
            None,
        ))
        .await?;
    app.find(Locator::XPath(page::UNLOCK_FORM_XPATH)).await?;
    // Unlocking lands on the deliveries (with only the sandbox profile the console would
    // otherwise open its profile settings).
    client
        .execute(
            "location.hash = arguments[0]; return true;",
            vec![json!(page::DELIVERIES_HASH)],
        )
        .await?;
    app.fill("Passphrase", PASSPHRASE).await?;
    let code = authenticator.next_code().await?;
    app.fill("Code", &code).await?;
    let first = client
        .execute_async(
            page::FIRST_ROWS_SCRIPT,
            vec![
                json!(page::UNLOCK_SUBMIT_SELECTOR),
                json!(page::ROW_SELECTOR),
                json!(page::PLACEHOLDER_HEADING_SELECTOR),
                json!(PAGE_LIMIT_MS),
            ],
        )
        .await?;
    let ms = timed(&first, "unlock to first rows")?;
    let rows = first["found"].as_str() == Some("rows");
    if rows {
        figure("explorer", "first_rows_ms", ms, "ms");
    } else {
        note(&format!(
            "explorer: no delivery rows ({} absent): the deliveries page is not built yet; \
             unlock to its placeholder took {ms:.0} ms (not a first_rows_ms figure)",
            page::ROW_SELECTOR
        ));
        figure("explorer", "placeholder_unlock_ms", ms, "ms");
    }

    let filters = filters(prepared);
    let mut samples = Vec::with_capacity(filters.len());
    for query in &filters {
        let hash = format!("{}?{query}", page::DELIVERIES_HASH);
        let answer = if rows {
            client
                .execute_async(
                    page::FILTER_SCRIPT,
                    vec![
                        json!(hash),
                        json!(query),
                        json!(page::LOADED_FILTER_SELECTOR),
                        json!(page::LOADED_FILTER_ATTRIBUTE),
                        json!(PAGE_LIMIT_MS),
                    ],
                )
                .await?
        } else {
            client
                .execute_async(page::HASH_ONLY_SCRIPT, vec![json!(hash)])
                .await?
        };
        samples.push(timed(&answer, &format!("filter {query}"))?);
    }
    figure(
        "explorer",
        "filter_changes",
        samples.len() as f64,
        "changes",
    );
    if rows {
        figure(
            "explorer",
            "filter_p50_ms",
            percentile(&mut samples, 50.0),
            "ms",
        );
        figure(
            "explorer",
            "filter_p95_ms",
            percentile(&mut samples, 95.0),
            "ms",
        );
    } else {
        note("explorer: filter_p95_ms needs the deliveries page; timed hash changes only");
        figure(
            "explorer",
            "placeholder_hash_p95_ms",
            percentile(&mut samples, 95.0),
            "ms",
        );
    }

    note(&format!(
        "explorer: browsing for {} s",
        BROWSE_FOR.as_secs()
    ));
    let start = Instant::now();
    let mut step = 0u64;
    let mut mode = Value::Null;
    while start.elapsed() < BROWSE_FOR {
        mode = client
            .execute(
                page::BROWSE_SCRIPT,
                vec![
                    json!(step),
                    json!(page::TABLE_SELECTOR),
                    json!(page::ROW_SELECTOR),
                    json!(page::DETAIL_SELECTOR),
                ],
            )
            .await?;
        step += 1;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    note(&format!("explorer: {step} browsing steps ({mode})"));

    let app_pid = pss::find_running(app.driver_pid(), binary)?
        .context("the app's process is not below tauri-driver")?;
    let members = pss::tree(app_pid)?;
    require_web_process(&members, "the console")?;
    note(&format!(
        "explorer: console tree: {}",
        pss::describe(&members)
    ));
    Ok(pss::total_mib(&members))
}

/// A bare Tauri window on the same display, idle, with `env` added to its environment;
/// answers its tree PSS in MiB.
async fn bare_window(binary: &Path, env: &[(&str, &str)]) -> anyhow::Result<f64> {
    note(&format!(
        "explorer: bare Tauri window {env:?}, idle {} s",
        BARE_IDLE.as_secs()
    ));
    let mut child = Command::new(binary)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let pid = child.id();
    tokio::time::sleep(BARE_IDLE).await;
    let measured = match child.try_wait()? {
        Some(status) => Err(anyhow::anyhow!("the bare window exited early ({status})")),
        None => pss::tree(pid),
    };
    let tree = pss::descendants_and_self(pid).unwrap_or_else(|_| vec![pid]);
    stop(&mut child, &tree);
    let members = measured?;
    require_web_process(&members, "the bare window")?;
    note(&format!("explorer: bare tree: {}", pss::describe(&members)));
    Ok(pss::total_mib(&members))
}

/// A window whose web process is missing shows nothing: its memory would mean nothing.
fn require_web_process(members: &[pss::Member], what: &str) -> anyhow::Result<()> {
    if members
        .iter()
        .any(|m| m.name.starts_with("WebKitWebProces"))
    {
        Ok(())
    } else {
        bail!(
            "{what} has no WebKit web process: {}",
            pss::describe(members)
        )
    }
}

/// SIGTERM to the window, then to whatever of its tree outlives it.
fn stop(child: &mut std::process::Child, tree: &[u32]) {
    let term = |pid: u32| {
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .stderr(Stdio::null())
            .status();
    };
    term(child.id());
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
        std::thread::sleep(Duration::from_millis(50));
    }
    if matches!(child.try_wait(), Ok(None)) {
        let _ = child.kill();
    }
    let _ = child.wait();
    std::thread::sleep(Duration::from_millis(500));
    for &pid in tree.iter().skip(1) {
        if pss::alive(pid) {
            term(pid);
        }
    }
}

/// The `ms` of an in-page answer, or its error.
fn timed(answer: &Value, what: &str) -> anyhow::Result<f64> {
    if let Some(ms) = answer["ms"].as_f64() {
        return Ok(ms);
    }
    bail!(
        "{what}: {}",
        answer["error"]
            .as_str()
            .unwrap_or("no answer from the page")
    )
}

/// At least twenty filter changes an operator would make, from what the cache holds; each
/// differs from the one before it.
fn filters(prepared: &prepare::Prepared) -> Vec<String> {
    use page::param::*;
    let u = &prepared.universe;
    let pick = |list: &[String], i: usize| list.get(i % list.len().max(1)).cloned();
    let subscription = |i: usize| {
        u.subscriptions
            .get(i % u.subscriptions.len().max(1))
            .map(|s| format!("{SUBSCRIPTION}={s}"))
            .unwrap_or_default()
    };
    let event_type = |i: usize| {
        pick(&prepared.event_types, i)
            .map(|t| format!("{EVENT_TYPE}={}", encode(&t)))
            .unwrap_or_default()
    };
    let search = |i: usize| {
        pick(&u.words, i)
            .map(|w| format!("{SEARCH}={}", encode(&w)))
            .unwrap_or_default()
    };
    let at = |micros: i64| {
        DateTime::from_timestamp_micros(micros)
            .unwrap_or_default()
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let day = format!(
        "{FROM}={}&{UNTIL}={}",
        at(u.last - 86_400_000_000),
        at(u.last + 1)
    );
    let failed = format!("{STATUS}=failed");
    let five = format!("{HTTP_CLASS}=5");
    let retry = format!("{MIN_RETRY}=3");
    let and = |parts: &[&str]| {
        parts
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("&")
    };
    let list = vec![
        failed.clone(),
        five.clone(),
        format!("{HTTP_CLASS}=4"),
        subscription(0),
        event_type(0),
        day.clone(),
        search(0),
        retry.clone(),
        and(&[&failed, &five]),
        and(&[&failed, &subscription(1)]),
        and(&[&subscription(2), &five]),
        and(&[&event_type(1), &failed]),
        and(&[&day, &failed]),
        and(&[&search(1), &failed]),
        and(&[&retry, &failed]),
        and(&[&subscription(3), &day]),
        and(&[&event_type(2), &retry]),
        search(2),
        format!("{STATUS}=successful"),
        and(&[&format!("{HTTP_CLASS}=2"), &event_type(0)]),
        and(&[&failed, &five, &day]),
        and(&[&search(3), &subscription(4)]),
        and(&[&failed, &event_type(3), &five]),
        format!("{STATUS}=failed&{MIN_RETRY}=5"),
    ];
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for query in list {
        if !query.is_empty() && out.last() != Some(&query) {
            out.push(query);
        }
    }
    out
}

/// Percent-encodes what a URL query value cannot hold as is.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
