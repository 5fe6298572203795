//! Failure-spike notifications from the real window: the app shows them through the desktop's
//! notification service (here the test's own, on a private session bus), clicking one opens
//! the subscription's failed deliveries, and without a service the window itself alerts.
//! The desktop here prefers a dark theme, which the window follows.

use std::time::Duration;

use console_e2e::App;
use console_e2e::notifications::NotificationService;
use fantoccini::Locator;
use hook0_sandbox::{RunningSandbox, SubscriptionInfo};

use crate::support::{ROWS, SPIKE_ALERT, add_active_profile, quiet_sandbox, wait_for_hash};

/// Subscriptions that listen to at least one event type (a spike needs one).
fn listening(sandbox: &RunningSandbox) -> Vec<SubscriptionInfo> {
    let application = sandbox.applications()[0].0;
    sandbox
        .control()
        .subscriptions(application)
        .into_iter()
        .filter(|s| !s.event_types.is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spike_is_notified_clicked_through_and_alerted_in_the_window_without_a_service()
-> anyhow::Result<()> {
    let service = NotificationService::start().await?;
    let sandbox = quiet_sandbox().await?;
    let subs = listening(&sandbox);
    anyhow::ensure!(
        subs.len() >= 2,
        "the scenario needs two listening subscriptions"
    );
    let app = App::launch_with_env(&[service.env(), ("GTK_THEME", "Adwaita:dark")]).await?;
    let dark = app
        .client()
        .execute(
            "return [matchMedia('(prefers-color-scheme: dark)').matches, \
             getComputedStyle(document.body).backgroundColor];",
            vec![],
        )
        .await?;
    assert_eq!(
        dark,
        serde_json::json!([true, "rgb(15, 17, 21)"]),
        "the window follows the desktop's dark theme"
    );
    app.enroll().await?;
    add_active_profile(&app, "Staging", &sandbox).await?;
    app.click("Deliveries").await?;
    crate::support::sync(&app).await?;
    app.find(Locator::XPath(ROWS)).await?;
    assert!(
        service.shown().is_empty(),
        "two quiet days are no spike: {:#?}",
        service.shown()
    );

    // 1. A spike on one subscription reaches the desktop: counts and names, no payload.
    sandbox.seed_failure_spike(subs[0].id, 9, Duration::from_secs(15 * 60))?;
    crate::support::sync(&app).await?;
    let shown = service
        .wait_for(Duration::from_secs(30), |s| {
            s.summary.starts_with("Failure spike: ")
        })
        .await?;
    assert_eq!(shown.app_name, "Hook0 Console");
    assert!(
        shown
            .body
            .starts_with("9 of 9 attempts failed in the last 60 min"),
        "{shown:#?}"
    );
    assert!(shown.body.ends_with("— Staging"), "{shown:#?}");
    if let Some(description) = &subs[0].description {
        assert_eq!(shown.summary, format!("Failure spike: {description}"));
    }
    for text in [&shown.summary, &shown.body] {
        assert!(
            !text.contains("livemode") && !text.contains('{'),
            "no payload data in a notification: {text}"
        );
    }
    assert_eq!(
        shown.actions,
        vec!["default".to_owned(), "Show deliveries".to_owned()],
        "clicking the notification is its default action"
    );
    assert_eq!(
        service.shown().len(),
        1,
        "told once: {:#?}",
        service.shown()
    );

    // 2. The operator, elsewhere in the console, clicks it: the subscription's failures open.
    app.click("Audit").await?;
    wait_for_hash(&app, "#/audit").await?;
    service.click(shown.id, "default").await?;
    let hash = wait_for_hash(&app, &format!("sub={}", subs[0].id)).await?;
    assert!(hash.starts_with("#/deliveries?"), "{hash}");
    assert!(hash.contains("status=failed"), "{hash}");
    app.find(Locator::XPath(ROWS)).await?;

    // 3. No notification service any more: the next spike is alerted in the window, whose
    //    "Show" opens the same view.
    service.stop().await?;
    sandbox.seed_failure_spike(subs[1].id, 6, Duration::from_secs(10 * 60))?;
    crate::support::sync(&app).await?;
    let name = subs[1]
        .description
        .clone()
        .unwrap_or_else(|| "Failures spiked on".to_owned());
    let alert = app
        .wait_for_text(SPIKE_ALERT, &[&name, "6 of 6 attempts"])
        .await?;
    assert!(!alert.contains("livemode"), "{alert}");
    app.screenshot("explorer-spike").await?;
    app.find(Locator::XPath(&format!(
        "{SPIKE_ALERT}//a[normalize-space(.)='Show']"
    )))
    .await?
    .click()
    .await?;
    wait_for_hash(&app, &format!("sub={}", subs[1].id)).await?;
    app.close().await?;
    sandbox.shutdown().await;
    drop(service);
    Ok(())
}
