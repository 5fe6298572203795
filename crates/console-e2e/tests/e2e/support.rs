//! Steps several end-to-end tests share.

use std::time::Duration;

use console_e2e::{App, xpath_literal};
use fantoccini::Locator;
use hook0_sandbox::RunningSandbox;

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
