//! The deliveries explorer in the real window, against a sandbox the test runs: sync, filter to
//! one subscription's failures, search a payload word, open a delivery (its chain and its
//! response), then lose the API and ask again from the cache.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use console_e2e::App;
use fantoccini::Locator;
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};

use crate::support::ROWS;

const DETAIL: &str = "//aside[@aria-label='Delivery details']";
const CHAIN: &str = "//ol[@aria-label='Attempts of this delivery, oldest first']/li";
const COUNTS: &str = "//span[contains(@class, 'counts')][@role='status']";

async fn sandbox() -> anyhow::Result<RunningSandbox> {
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 31,
            applications: 1,
            subscriptions: 3,
            events: 120,
            failure_rate: 0.3,
        },
        rate_limit: false,
        worker_paused: true,
        ..SandboxOptions::default()
    };
    Ok(hook0_sandbox::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), options).await?)
}

/// Waits until the table shows at least one row and returns how many it shows.
async fn rows(app: &App) -> anyhow::Result<usize> {
    app.find(Locator::XPath(ROWS)).await?;
    Ok(app.client().find_all(Locator::XPath(ROWS)).await?.len())
}

/// Shows a view through the address the page keeps its filters in.
async fn show_view(app: &App, query: &str) -> anyhow::Result<()> {
    app.client()
        .execute(
            "location.hash = arguments[0];",
            vec![serde_json::Value::String(format!("#/deliveries?{query}"))],
        )
        .await?;
    // The rows of the previous view stay, dimmed, until the new answer: let it land.
    tokio::time::sleep(Duration::from_millis(700)).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_filter_search_open_and_query_offline() -> anyhow::Result<()> {
    let sandbox = sandbox().await?;
    let app = App::launch().await?;
    app.enroll().await?;

    // A profile for this sandbox, made active.
    crate::support::add_active_profile(&app, "Staging", &sandbox).await?;

    app.click("Deliveries").await?;
    app.wait_for_text(
        "//*[@data-testid='deliveries-empty']",
        &["No deliveries cached yet"],
    )
    .await?;
    app.click("Sync now").await?;
    let shown = rows(&app).await?;
    assert!(shown > 0, "the synced deliveries are listed");
    app.screenshot("explorer").await?;

    // One subscription's failures.
    let application = sandbox.applications()[0].0;
    let subscription = sandbox.control().subscriptions(application)[0].id;
    show_view(&app, &format!("sub={subscription}&status=failed")).await?;
    let failed = app.client().find_all(Locator::XPath(ROWS)).await?;
    assert!(!failed.is_empty(), "the subscription has failures");
    let counted = app.wait_for_text(COUNTS, &["match"]).await?;
    for row in &failed {
        let text = row.text().await?;
        assert!(
            !text.contains("Successful"),
            "only failed attempts are listed: {text}"
        );
    }

    // A word of the payloads (every one carries `livemode`); the failing deliveries' payloads
    // are cached, so they answer.
    show_view(&app, "q=livemode").await?;
    assert!(rows(&app).await? > 0, "the search finds cached payloads");

    // One delivery in full.
    show_view(&app, "status=failed").await?;
    app.find(Locator::XPath(ROWS)).await?.click().await?;
    app.find(Locator::XPath(DETAIL)).await?;
    let attempts = app.client().find_all(Locator::XPath(CHAIN)).await?;
    assert!(!attempts.is_empty(), "the delivery chain is shown");
    app.wait_for_text(DETAIL, &["Response"]).await?;
    app.screenshot("explorer-detail").await?;

    // The API goes away: the sync says so, the cache still answers.
    sandbox.shutdown().await;
    app.click("Close details").await?;
    app.click("Sync now").await?;
    // The client retries a refused connection with backoff before calling the API gone.
    let offline = "//*[@role='status'][@aria-label='Offline']";
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while app.client().find(Locator::XPath(offline)).await.is_err() {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the offline banner never showed"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    app.wait_for_text(offline, &["Offline"]).await?;
    show_view(&app, &format!("sub={subscription}&status=failed")).await?;
    rows(&app).await?;
    assert_eq!(
        app.wait_for_text(COUNTS, &["match"]).await?,
        counted,
        "offline, the same question gets the same answer"
    );
    app.screenshot("explorer-offline").await?;
    app.close().await?;
    Ok(())
}
