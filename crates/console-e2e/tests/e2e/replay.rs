//! Replay in the real window, against a sandbox that counts replays: replay one delivery of a
//! dead (now repaired) subscription from the detail pane without a code; then select the rest
//! of its failures in the explorer, see in the dry run the healthy subscriptions Hook0 will
//! also send them to and the delivery already recovered left out, approve with a code, watch
//! the job, read the verified outcome.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::time::Duration;

use console_e2e::App;
use fantoccini::Locator;
use hook0_sandbox::{Behaviour, RunningSandbox, SandboxOptions, ScenarioConfig};

use crate::support::ROWS;

const DRY_RUN: &str = "//section[@aria-labelledby='dry-run-title']";
const JOB: &str = "//section[@aria-labelledby='replay-job-title']";
const OUTCOME: &str = "//section[@aria-labelledby='verified-outcome-title']";

async fn sandbox() -> anyhow::Result<RunningSandbox> {
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 11,
            applications: 1,
            // The fourth subscription is a dead endpoint; the first hears every event type,
            // so each event the dead one failed also went to a healthy one.
            subscriptions: 5,
            events: 160,
            failure_rate: 0.25,
        },
        rate_limit: false,
        worker_paused: true,
        ..SandboxOptions::default()
    };
    Ok(hook0_sandbox::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), options).await?)
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_failures_of_one_subscription_approved_watched_and_verified() -> anyhow::Result<()> {
    let sandbox = sandbox().await?;
    let app = App::launch().await?;
    let mut authenticator = app.enroll().await?;
    crate::support::add_active_profile(&app, "Staging", &sandbox).await?;
    app.click("Deliveries").await?;
    app.click("Sync now").await?;
    app.find(Locator::XPath(ROWS)).await?;
    let application = sandbox.applications()[0].0;
    let dead = sandbox.control().subscriptions(application)[3].id;
    let failures = format!("#/deliveries?sub={dead}&status=failed");
    // The endpoint is repaired; from now on the sandbox delivers what is queued.
    sandbox
        .control()
        .set_subscription_behaviour(dead, Behaviour::Succeed)?;
    let delivering = crate::support::keep_delivering(&sandbox);

    // One delivery Hook0 gave up on first, from the detail pane: a one-event plan needs no
    // code. (Deliveries still retrying succeed by themselves now.)
    crate::support::show(&app, &format!("#/deliveries?sub={dead}&outcome=gave_up")).await?;
    app.find(Locator::XPath(ROWS)).await?.click().await?;
    app.click("Replay this delivery").await?;
    app.wait_for_text(
        "//*[@role='region'][@aria-label='Replay this delivery']",
        &["Replay now"],
    )
    .await?;
    app.click("Replay now").await?;
    // The link lands at the foot of the detail pane, which scrolls on its own: brought to the
    // middle of the pane and clicked there (a pointer click at its first position can land on
    // the status bar over it).
    let open_job = app
        .find(Locator::XPath("//a[normalize-space(.)='Open job']"))
        .await?;
    app.client()
        .execute(
            "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();",
            vec![serde_json::to_value(&open_job)?],
        )
        .await?;
    crate::support::wait_for_hash(&app, "job=").await?;
    crate::support::wait_long(&app, OUTCOME, &["Recovered"], Duration::from_secs(120)).await?;
    let single = sandbox.control().replay_counts();
    assert_eq!(single.len(), 1, "one event replayed: {single:?}");

    // The rest of the subscription's failures, from the explorer's filter.
    crate::support::show(&app, &failures).await?;
    app.find(Locator::XPath(ROWS)).await?;
    app.click("Replay…").await?;
    crate::support::wait_for_hash(&app, "#/replays?").await?;
    // The dry run names the healthy subscriptions that will get the events again, and
    // leaves out the delivery replayed above (delivered since).
    let dry_run = crate::support::wait_long(
        &app,
        DRY_RUN,
        &[
            "replays will reach subscriptions that did not fail",
            "left out",
        ],
        Duration::from_secs(120),
    )
    .await?;
    assert!(dry_run.contains("SHA-256"), "{dry_run}");
    app.screenshot("replay-dry-run").await?;

    // Approved with a code bound to this plan.
    app.find(Locator::XPath(
        "//button[starts-with(normalize-space(.), 'Approve and replay ')]",
    ))
    .await?
    .click()
    .await?;
    app.find(Locator::XPath("//*[@role='dialog']")).await?;
    app.fill("Code", &authenticator.next_code().await?).await?;
    app.click("Approve and replay").await?;
    crate::support::wait_for_hash(&app, "job=").await?;
    app.find(Locator::XPath(
        "//*[@role='progressbar'][@aria-label='Replay progress']",
    ))
    .await?;

    // The outcome, verified against Hook0: every replayed delivery of the repaired endpoint
    // recovered, and the sandbox saw each event exactly once (the single one included).
    let outcome =
        crate::support::wait_long(&app, OUTCOME, &["Recovered"], Duration::from_secs(120)).await?;
    let counts = sandbox.control().replay_counts();
    assert!(
        counts.len() > 1,
        "the bulk replay reached Hook0: {counts:?}"
    );
    assert!(
        counts.values().all(|&n| n == 1),
        "each event exactly once: {counts:?}"
    );
    let job_text = app.text_of(JOB).await?;
    let bulk = (counts.len() - 1).to_string();
    assert!(
        job_text.contains(&format!("{bulk} / {bulk}")),
        "the job settled its {bulk} events: {job_text}"
    );
    assert!(job_text.contains("Finished"), "{job_text}");
    assert!(
        !job_text.contains("Resume") && !job_text.contains("Cancel job"),
        "a finished job offers no steering: {job_text}"
    );
    assert!(
        !outcome.contains("Deliveries not recovered"),
        "the repaired endpoint recovered everything: {outcome}"
    );
    app.screenshot("replay-verified").await?;

    // Both jobs are listed, finished.
    app.click("All replays").await?;
    let jobs = app
        .wait_for_text(
            "//section[@aria-labelledby='replay-jobs-title']",
            &["Finished"],
        )
        .await?;
    assert_eq!(
        jobs.matches("Finished").count(),
        2,
        "the single and the bulk job: {jobs}"
    );

    // Deliveries ticked in the explorer are planned exactly: two failed attempts of another
    // subscription (planned, not run).
    let flaky = sandbox.control().subscriptions(application)[1].id;
    crate::support::show(&app, &format!("#/deliveries?sub={flaky}&status=failed")).await?;
    app.find(Locator::XPath(ROWS)).await?;
    let ticks = app
        .client()
        .find_all(Locator::XPath(
            "//input[@type='checkbox'][starts-with(@aria-label, 'Select delivery ')]",
        ))
        .await?;
    anyhow::ensure!(ticks.len() >= 2, "two failed attempts to tick");
    for tick in ticks.iter().take(2) {
        tick.click().await?;
    }
    app.wait_for_text(
        "//*[@role='region'][@aria-label='Selection']",
        &["2 selected"],
    )
    .await?;
    app.click("Replay 2 selected…").await?;
    crate::support::wait_for_hash(&app, "#/replays?selected").await?;
    // Two attempts of one delivery make one delivery to replay.
    let chosen = app
        .wait_for_text(
            "//*[@data-testid='selected-deliveries']",
            &["selected deliver"],
        )
        .await?;
    assert!(
        chosen.starts_with("2 selected deliveries") || chosen.contains("from 2 selected attempts"),
        "{chosen}"
    );
    crate::support::wait_long(
        &app,
        DRY_RUN,
        &["Deliveries selected"],
        Duration::from_secs(120),
    )
    .await?;

    delivering.store(true, Ordering::SeqCst);
    app.close().await?;
    sandbox.shutdown().await;
    Ok(())
}
