//! Steps several end-to-end tests share.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use console_e2e::{App, xpath_literal};
use fantoccini::Locator;
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};

/// A delivery row of the explorer.
pub const ROWS: &str = "//*[@role='row'][@data-attempt-id]";
/// The window's banner for a failure spike.
pub const SPIKE_ALERT: &str =
    "//*[@role='alert'][contains(normalize-space(.), 'Failures spiked on')]";

/// A sandbox whose generated history ended two days ago, so only what a test seeds (a
/// failure spike) is recent.
pub async fn quiet_sandbox() -> anyhow::Result<RunningSandbox> {
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 11,
            applications: 1,
            subscriptions: 4,
            events: 60,
            failure_rate: 0.2,
        },
        rate_limit: false,
        worker_paused: true,
        history_end: Some(chrono::Utc::now() - chrono::Duration::days(2)),
        ..SandboxOptions::default()
    };
    Ok(hook0_sandbox::start(
        std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
        options,
    )
    .await?)
}

/// Adds a connection profile named `name` for `sandbox` through Settings and makes it active.
pub async fn add_active_profile(
    app: &App,
    name: &str,
    sandbox: &RunningSandbox,
) -> anyhow::Result<()> {
    app.click("Settings").await?;
    app.click("Connection profiles").await?;
    app.click("Add profile").await?;
    app.fill("Name", name).await?;
    app.fill("API base URL", sandbox.api_base_url().as_str())
        .await?;
    app.fill("Token", sandbox.service_token()).await?;
    app.click("Save profile").await?;
    let row = format!(
        "//article[contains(normalize-space(.), {})]",
        xpath_literal(name)
    );
    app.wait_for_text(&row, &[name]).await?;
    app.find(Locator::XPath(&format!(
        "{row}//button[normalize-space(.)='Make active']"
    )))
    .await?
    .click()
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(())
}

/// The address part after `#` the window shows.
pub async fn location_hash(app: &App) -> anyhow::Result<String> {
    let hash = app
        .client()
        .execute("return location.hash;", vec![])
        .await?;
    Ok(hash.as_str().unwrap_or_default().to_owned())
}

/// Waits until the window's address holds `needle`.
pub async fn wait_for_hash(app: &App, needle: &str) -> anyhow::Result<String> {
    let deadline = std::time::Instant::now() + console_e2e::UI_TIMEOUT;
    loop {
        let hash = location_hash(app).await?;
        if hash.contains(needle) {
            return Ok(hash);
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the window never showed {needle} (it shows {hash})"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Runs the sandbox's delivery worker while the test lasts, so replays are delivered.
pub fn keep_delivering(sandbox: &RunningSandbox) -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let control = sandbox.control();
    let stopped = Arc::clone(&stop);
    tokio::spawn(async move {
        while !stopped.load(Ordering::SeqCst) {
            control.flush();
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });
    stop
}

pub async fn show(app: &App, hash: &str) -> anyhow::Result<()> {
    app.client()
        .execute(
            "location.hash = arguments[0];",
            vec![serde_json::Value::String(hash.to_owned())],
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(700)).await;
    Ok(())
}

/// Waits (up to `within`) until the element at `xpath` shows every needle.
pub async fn wait_long(
    app: &App,
    xpath: &str,
    needles: &[&str],
    within: Duration,
) -> anyhow::Result<String> {
    let deadline = std::time::Instant::now() + within;
    let mut last = String::new();
    while std::time::Instant::now() < deadline {
        if let Ok(element) = app.client().find(Locator::XPath(xpath)).await
            && let Ok(text) = element.text().await
        {
            if needles.iter().all(|n| text.contains(n)) {
                return Ok(text);
            }
            last = text;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let shot = app.screenshot("wait-failure").await;
    anyhow::bail!("{xpath} never showed {needles:?}; last text: {last:?} (window: {shot:?})")
}

/// Starts a sync and waits for it to end (the button comes back).
pub async fn sync(app: &App) -> anyhow::Result<()> {
    app.click("Sync now").await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while app
        .client()
        .find(Locator::XPath("//button[normalize-space(.)='Sync now']"))
        .await
        .is_err()
    {
        anyhow::ensure!(std::time::Instant::now() < deadline, "the sync did not end");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    Ok(())
}
