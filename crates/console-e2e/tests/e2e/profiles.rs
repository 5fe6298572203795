//! An operator adds a connection profile through the UI and tests it against a sandbox that
//! the test starts itself — and sees why a wrong token fails.

use std::net::{Ipv4Addr, SocketAddr};

use console_e2e::{App, xpath_literal};
use hook0_sandbox::{RunningSandbox, SandboxOptions};

const RESULT_REGION: &str = "//*[@aria-label='Connection test result']";
const ALERT: &str = "//*[@role='alert']";

async fn sandbox() -> anyhow::Result<RunningSandbox> {
    let bind = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    Ok(hook0_sandbox::start(bind, SandboxOptions::default()).await?)
}

async fn open_new_profile_form(
    app: &App,
    name: &str,
    url: &str,
    token: &str,
) -> anyhow::Result<()> {
    app.click("Settings").await?;
    app.click("Connection profiles").await?;
    app.click("Add profile").await?;
    app.fill("Name", name).await?;
    app.fill("API base URL", url).await?;
    app.fill("Token", token).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_added_through_the_ui_lists_the_sandbox_applications() -> anyhow::Result<()> {
    let sandbox = sandbox().await?;
    let app = App::launch().await?;
    app.enroll().await?;
    let url = sandbox.api_base_url().to_string();
    open_new_profile_form(&app, "Staging", &url, sandbox.service_token()).await?;

    app.click("Test connection").await?;
    let names: Vec<String> = sandbox.applications().into_iter().map(|(_, n)| n).collect();
    let needles: Vec<&str> = names.iter().map(String::as_str).collect();
    let shown = app.wait_for_text(RESULT_REGION, &needles).await?;
    assert!(
        shown.contains(&sandbox.organization_name()),
        "the organization is named in the result: {shown:?}"
    );

    app.screenshot("profile-test-result").await?;

    app.click("Save profile").await?;
    let row = format!(
        "//*[contains(normalize-space(.), {})]",
        xpath_literal("Staging")
    );
    app.wait_for_text(&row, &["Staging"]).await?;
    app.screenshot("profile-test-success").await?;

    let saved = std::fs::read_to_string(app.data_dir().join("profiles.json"))?;
    assert!(
        saved.contains("Staging"),
        "the profile was persisted: {saved}"
    );
    assert!(
        !saved.contains(sandbox.service_token()),
        "the token must not be written to disk"
    );
    app.close().await?;
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_token_shows_the_403_reason() -> anyhow::Result<()> {
    let sandbox = sandbox().await?;
    let app = App::launch().await?;
    app.enroll().await?;
    let url = sandbox.api_base_url().to_string();
    open_new_profile_form(&app, "Wrong token", &url, "EoQBCh0KC3dyb25nLXRva2Vu").await?;

    app.click("Test connection").await?;
    let alert = app
        .wait_for_text(ALERT, &["Token rejected", "AuthInvalidBiscuit"])
        .await?;
    assert!(
        !alert.contains("EoQBCh0KC3dyb25nLXRva2Vu"),
        "the token is never echoed back: {alert:?}"
    );
    app.screenshot("profile-test-forbidden").await?;
    app.close().await?;
    sandbox.shutdown().await;
    Ok(())
}
