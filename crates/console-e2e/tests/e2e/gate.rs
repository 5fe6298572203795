//! The two-factor gate in the real window: enroll with a code computed from the secret on
//! the page, lock, fail five times and watch the lockout count down, unlock with both
//! factors, and approve a guarded action with a fresh code.

use std::time::Duration;

use console_e2e::{App, PASSPHRASE};

const ALERT: &str = "//*[@role='alert']";
const COUNTDOWN: &str = "//*[@data-testid='lockout-countdown']";
const LOCK_BUTTON: &str = "//button[.//span[normalize-space(.)='Lock now']]";
const UNLOCK_FORM: &str = "//form[@aria-label='Unlock the console']";

#[tokio::test(flavor = "multi_thread")]
async fn enroll_lock_throttle_unlock_and_step_up() -> anyhow::Result<()> {
    let app = App::launch().await?;
    app.wait_for_text("//body", &["Choose a passphrase"])
        .await?;
    app.screenshot("gate-enroll-passphrase").await?;
    let mut authenticator = app.enroll().await?;
    app.screenshot("gate-enrolled-shell").await?;

    app.click("Lock now").await?;
    app.find(fantoccini::Locator::XPath(UNLOCK_FORM)).await?;
    for attempt in 1..=5 {
        app.fill("Passphrase", PASSPHRASE).await?;
        app.fill("Code", "000000").await?;
        app.click("Unlock").await?;
        if attempt < 5 {
            app.wait_for_text(ALERT, &["Code not accepted"]).await?;
        }
    }
    let shown = app.wait_for_text(COUNTDOWN, &[":"]).await?;
    assert!(
        shown.starts_with("00:") || shown.starts_with("0:"),
        "{shown}"
    );
    let unlock = app
        .find(fantoccini::Locator::XPath(
            "//form[@aria-label='Unlock the console']//button[@type='submit']",
        ))
        .await?;
    assert!(
        !unlock.is_enabled().await?,
        "the unlock button waits for the lockout"
    );
    app.screenshot("gate-lockout-countdown").await?;

    // The lockout is 30 seconds; the countdown ends and the form comes back.
    tokio::time::sleep(Duration::from_secs(31)).await;
    app.fill("Passphrase", PASSPHRASE).await?;
    let code = authenticator.next_code().await?;
    app.fill("Code", &code).await?;
    app.click("Unlock").await?;
    app.find(fantoccini::Locator::XPath(LOCK_BUTTON)).await?;

    // A guarded action: new recovery codes, approved with the next code.
    app.click("Settings").await?;
    app.click("Two-factor gate").await?;
    app.click("Regenerate recovery codes").await?;
    app.wait_for_text("//*[@role='dialog']", &["Regenerate recovery codes"])
        .await?;
    app.screenshot("gate-step-up").await?;
    let code = authenticator.next_code().await?;
    app.fill("Code", &code).await?;
    app.click("Confirm").await?;
    app.wait_for_text("//*[@aria-label='Recovery codes']", &["-"])
        .await?;
    let codes = app
        .client()
        .find_all(fantoccini::Locator::XPath(
            "//*[@aria-label='Recovery codes']/li",
        ))
        .await?;
    assert_eq!(codes.len(), 10, "a new set of ten codes is shown once");
    app.screenshot("gate-recovery-codes").await?;

    let trail = std::fs::metadata(app.data_dir().join("audit.db"))?;
    assert!(trail.len() > 0, "the audit log was written");
    app.close().await?;
    Ok(())
}
