//! An incident in the real window: declare a GDPR data exposure from its template, see the
//! 72-hour notification deadline, tick an item, and move on to containment — refused while
//! required items are open, then accepted with a stated reason that lands on the timeline.

use std::net::{Ipv4Addr, SocketAddr};

use console_e2e::App;
use fantoccini::Locator;
use hook0_sandbox::{SandboxOptions, ScenarioConfig};

const STATUS: &str = "//*[@data-testid='incident-status']";
const DEADLINE: &str = "//*[@data-testid='deadline']";
const TIMELINE: &str = "//*[@aria-label='Timeline, oldest first']";

#[tokio::test(flavor = "multi_thread")]
async fn declare_a_data_exposure_tick_and_move_on_with_a_reason() -> anyhow::Result<()> {
    let sandbox = hook0_sandbox::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        SandboxOptions {
            scenario: ScenarioConfig {
                seed: 5,
                applications: 1,
                subscriptions: 2,
                events: 20,
                failure_rate: 0.2,
            },
            rate_limit: false,
            worker_paused: true,
            ..SandboxOptions::default()
        },
    )
    .await?;
    let app = App::launch().await?;
    app.enroll().await?;
    crate::support::add_active_profile(&app, "Staging", &sandbox).await?;

    app.click("Incidents").await?;
    app.click("Declare incident").await?;
    crate::support::wait_for_hash(&app, "#/incidents?new").await?;
    let template = app
        .find(Locator::XPath("//select[@id='incident-template']"))
        .await?;
    // The list arrives from the back end: wait for the shipped template to be offered.
    app.find(Locator::XPath(
        "//select[@id='incident-template']/option[@value='data-exposure']",
    ))
    .await?;
    template.select_by_value("data-exposure").await?;
    app.fill("Title", "Order payloads sent to a stale endpoint")
        .await?;
    app.find(Locator::XPath(
        "//form//button[@type='submit'][normalize-space(.)='Declare incident']",
    ))
    .await?
    .click()
    .await?;
    crate::support::wait_for_hash(&app, "id=").await?;
    app.wait_for_text(STATUS, &["Identification"]).await?;
    app.wait_for_text(DEADLINE, &["GDPR Art. 33", "left"])
        .await?;

    // One item done; the others required stay open.
    app.find(Locator::XPath(
        "//*[@aria-label='Current phase: Identification']//input[@type='checkbox']",
    ))
    .await?
    .click()
    .await?;
    app.wait_for_text(TIMELINE, &["Inform the data protection officer"])
        .await?;

    app.click("Move to Containment").await?;
    app.wait_for_text(
        "//form[@aria-label='Reason to move on']",
        &["required items are still open"],
    )
    .await?;
    app.find(Locator::XPath("//textarea[@id='advance-reason']"))
        .await?
        .send_keys("Contain first: the endpoint still receives orders")
        .await?;
    app.click("Move to Containment with this reason").await?;
    app.wait_for_text(STATUS, &["Containment"]).await?;
    app.wait_for_text(
        TIMELINE,
        &["Contain first: the endpoint still receives orders"],
    )
    .await?;
    app.screenshot("incident").await?;

    app.close().await?;
    sandbox.shutdown().await;
    Ok(())
}
