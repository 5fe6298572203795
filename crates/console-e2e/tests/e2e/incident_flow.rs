//! An incident worked from first signal to a verified record, in the real window, against a
//! sandbox: a failure spike offers "Open incident", pre-filled and with its failures attached
//! as evidence; every checklist item is ticked through identification, containment,
//! eradication, recovery and lessons learned; the failing subscription is disabled in
//! Containment and re-enabled in Recovery, each with a code, and the sandbox sees both; a
//! replay job is attached as evidence and its verified outcome lands on the timeline; a status
//! update is drafted with live numbers and logged as sent; the report is exported and the
//! sealed bundle verifies.

use std::sync::atomic::Ordering;
use std::time::Duration;

use console_e2e::{App, xpath_literal};
use fantoccini::Locator;
use hook0_sandbox::{Behaviour, RunningSandbox};
use uuid::Uuid;

use crate::support::{ROWS, SPIKE_ALERT, quiet_sandbox, wait_for_hash};

const STATUS: &str = "//*[@data-testid='incident-status']";
const TIMELINE: &str = "//*[@aria-label='Timeline, oldest first']";
const EVIDENCE: &str = "//section[@aria-labelledby='evidence-title']";

/// Clicks `element` after bringing it to the middle of its scrolling parent (a pointer click
/// at its first position can land on a bar over it).
async fn click_centered(app: &App, xpath: &str) -> anyhow::Result<()> {
    let element = app.find(Locator::XPath(xpath)).await?;
    app.client()
        .execute(
            "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();",
            vec![serde_json::to_value(&element)?],
        )
        .await?;
    Ok(())
}

/// Ticks every open item of the current phase, one at a time (each tick redraws the list).
async fn tick_all(app: &App, phase: &str) -> anyhow::Result<()> {
    let region = format!(
        "//section[@aria-label={}]",
        xpath_literal(&format!("Current phase: {phase}"))
    );
    app.find(Locator::XPath(&region)).await?;
    for _ in 0..40 {
        let open = app
            .client()
            .execute(
                "const boxes = [...document.evaluate(arguments[0], document, null, \
                 XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue \
                 .querySelectorAll('input[type=checkbox]')].filter((b) => !b.checked); \
                 const first = boxes[0]; \
                 if (first) { first.scrollIntoView({block: 'center'}); first.click(); } \
                 return boxes.length;",
                vec![serde_json::Value::String(region.clone())],
            )
            .await?;
        if open.as_u64() == Some(0) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    anyhow::bail!("the items of {phase} never all showed ticked")
}

/// Moves on to the next phase (all its items being done, no reason is asked).
async fn move_on(app: &App, label: &str, status: &str) -> anyhow::Result<()> {
    click_centered(
        app,
        &format!("//button[normalize-space(.)={}]", xpath_literal(label)),
    )
    .await?;
    app.wait_for_text(STATUS, &[status]).await?;
    Ok(())
}

/// Approves the open step-up dialog with a fresh code and `confirm`.
async fn approve(app: &App, code: &str, confirm: &str) -> anyhow::Result<()> {
    app.find(Locator::XPath("//*[@role='dialog'][@aria-modal='true']"))
        .await?;
    app.fill("Code", code).await?;
    app.find(Locator::XPath(&format!(
        "//*[@role='dialog']//button[@type='submit'][normalize-space(.)={}]",
        xpath_literal(confirm)
    )))
    .await?
    .click()
    .await?;
    Ok(())
}

fn enabled(sandbox: &RunningSandbox, application: Uuid, subscription: Uuid) -> Option<bool> {
    sandbox
        .control()
        .subscriptions(application)
        .into_iter()
        .find(|s| s.id == subscription)
        .map(|s| s.is_enabled)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incident_from_a_spike_worked_through_every_phase_to_a_verified_bundle()
-> anyhow::Result<()> {
    let sandbox = quiet_sandbox().await?;
    let application = sandbox.applications()[0].0;
    let target = sandbox
        .control()
        .subscriptions(application)
        .into_iter()
        .find(|s| !s.event_types.is_empty())
        .ok_or_else(|| anyhow::anyhow!("a subscription that listens"))?;
    // No notification service in this session: the spike is alerted in the window.
    let app = App::launch().await?;
    let mut authenticator = app.enroll().await?;
    crate::support::add_active_profile(&app, "Staging", &sandbox).await?;
    app.click("Deliveries").await?;
    crate::support::sync(&app).await?;

    // 1. First signal: a spike, and "Open incident" from it, pre-filled.
    sandbox.seed_failure_spike(target.id, 9, Duration::from_secs(15 * 60))?;
    crate::support::sync(&app).await?;
    app.wait_for_text(SPIKE_ALERT, &["9 of 9 attempts"]).await?;
    app.find(Locator::XPath(&format!(
        "{SPIKE_ALERT}//a[normalize-space(.)='Open incident']"
    )))
    .await?
    .click()
    .await?;
    wait_for_hash(&app, "from=spike").await?;
    let title = app
        .find(Locator::XPath("//input[@id='incident-title']"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert!(title.starts_with("Deliveries failing to "), "{title}");
    click_centered(
        &app,
        "//form//button[@type='submit'][normalize-space(.)='Declare incident']",
    )
    .await?;
    let hash = wait_for_hash(&app, "id=").await?;
    let incident_id = hash.rsplit("id=").next().unwrap_or_default().to_owned();
    app.wait_for_text(STATUS, &["Identification"]).await?;
    crate::support::wait_long(
        &app,
        EVIDENCE,
        &["Explorer filter", "9 rows"],
        Duration::from_secs(30),
    )
    .await?;

    // 2. Identification done; Containment: the failing subscription is disabled with a code.
    tick_all(&app, "Identification").await?;
    move_on(&app, "Move to Containment", "Containment").await?;
    click_centered(
        &app,
        &format!("//*[@data-testid='contain-disable-{}']", target.id),
    )
    .await?;
    approve(&app, &authenticator.next_code().await?, "Disable").await?;
    app.wait_for_text(
        &format!("//*[@data-testid='contain-state-{}']", target.id),
        &["Disabled"],
    )
    .await?;
    assert_eq!(enabled(&sandbox, application, target.id), Some(false));
    app.wait_for_text(TIMELINE, &["Disabled"]).await?;
    tick_all(&app, "Containment").await?;
    move_on(&app, "Move to Eradication", "Eradication").await?;

    // 3. Eradication: the endpoint is repaired (on the sandbox's side).
    sandbox
        .control()
        .set_subscription_behaviour(target.id, Behaviour::Succeed)?;
    let delivering = crate::support::keep_delivering(&sandbox);
    tick_all(&app, "Eradication").await?;
    move_on(&app, "Move to Recovery", "Recovery").await?;

    // 4. Recovery: re-enabled with a code, then one failed delivery replayed and its job
    //    attached to the incident as evidence.
    click_centered(
        &app,
        &format!("//*[@data-testid='contain-enable-{}']", target.id),
    )
    .await?;
    approve(&app, &authenticator.next_code().await?, "Re-enable").await?;
    app.wait_for_text(
        &format!("//*[@data-testid='contain-state-{}']", target.id),
        &["Enabled"],
    )
    .await?;
    assert_eq!(enabled(&sandbox, application, target.id), Some(true));

    crate::support::show(
        &app,
        &format!("#/deliveries?sub={}&status=failed", target.id),
    )
    .await?;
    app.find(Locator::XPath(ROWS)).await?.click().await?;
    app.click("Replay this delivery").await?;
    app.wait_for_text(
        "//*[@role='region'][@aria-label='Replay this delivery']",
        &["Replay now"],
    )
    .await?;
    app.click("Replay now").await?;
    click_centered(&app, "//a[normalize-space(.)='Open job']").await?;
    wait_for_hash(&app, "job=").await?;
    click_centered(&app, "//*[@data-testid='attach-job']").await?;
    app.find(Locator::XPath(
        "//*[@data-testid='attach-evidence-confirm']",
    ))
    .await?
    .click()
    .await?;
    app.wait_for_text("//*[@data-testid='attach-evidence-done']", &["Attached to"])
        .await?;
    crate::support::wait_long(
        &app,
        "//section[@aria-labelledby='verified-outcome-title']",
        &["Recovered"],
        Duration::from_secs(120),
    )
    .await?;

    crate::support::show(&app, &format!("#/incidents?id={incident_id}")).await?;
    crate::support::wait_long(&app, EVIDENCE, &["Replay job"], Duration::from_secs(30)).await?;
    crate::support::wait_long(&app, TIMELINE, &["verified"], Duration::from_secs(60)).await?;

    // 5. A status update for customers, drafted with live numbers and logged as sent.
    let draft = crate::support::wait_long(
        &app,
        "//*[@data-testid='comms-numbers']",
        &["Affected events"],
        Duration::from_secs(30),
    )
    .await?;
    assert!(!draft.is_empty());
    click_centered(&app, "//*[@data-testid='comms-send']").await?;
    app.find(Locator::XPath("//*[@data-testid='comms-sent']//li"))
        .await?;
    app.find(Locator::XPath(&format!(
        "{TIMELINE}//li[@data-kind='communication']"
    )))
    .await?;
    // For the README: the update sent, with the evidence kept just above it.
    app.client()
        .execute(
            "document.querySelector('[data-testid=comms-card]').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await?;
    app.screenshot("incident-communications").await?;

    tick_all(&app, "Recovery").await?;
    move_on(&app, "Move to Lessons learned", "Lessons learned").await?;
    tick_all(&app, "Lessons learned").await?;
    move_on(&app, "Close incident", "Closed").await?;
    app.screenshot("incident-closed").await?;

    // 6. The record: the report, and the sealed bundle, which verifies.
    click_centered(&app, "//*[@data-testid='export-report-html']").await?;
    let report = app
        .wait_for_text("//*[@data-testid='report-path']", &[".html"])
        .await?;
    let html = std::fs::read_to_string(report.trim())?;
    assert!(
        html.contains("Deliveries failing to "),
        "the report names the incident"
    );
    assert!(!html.contains("<script"), "a self-contained, inert report");
    click_centered(&app, "//*[@data-testid='export-bundle']").await?;
    approve(&app, &authenticator.next_code().await?, "Export").await?;
    let bundle = app
        .wait_for_text("//*[@data-testid='bundle-path']", &[".zip"])
        .await?;
    let verdict =
        console_core::incident::bundle::verify_bundle(std::path::Path::new(bundle.trim()))?;
    assert_eq!(verdict.incident_id.to_string(), incident_id);
    assert!(verdict.audit_records > 0, "{verdict:?}");

    delivering.store(true, Ordering::SeqCst);
    app.close().await?;
    sandbox.shutdown().await;
    Ok(())
}
