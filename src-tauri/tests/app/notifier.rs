//! The OS notifier never crashes and never keeps the sync waiting: without a notification
//! service (as on this headless machine) it says so within seconds.

use std::time::{Duration, Instant};

use console_core::notify::{Notification, Notifier, NotifyError, Opens};
use hook0_console_app::notifier::OsNotifier;
use uuid::Uuid;

#[test]
fn notify_the_os_notifier_answers_within_seconds_whatever_the_desktop() {
    let app = tauri::test::mock_app();
    let notifier = OsNotifier::new(app.handle().clone());
    let notification = Notification {
        title: "Failure spike: Billing webhooks".into(),
        body: "9 of 9 attempts failed in the last 60 min (usually none) — Staging".into(),
        profile_id: Uuid::new_v4(),
        opens: Opens::Deliveries {
            subscription_id: Uuid::new_v4(),
        },
    };
    let started = Instant::now();
    let outcome = notifier.notify(&notification);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    eprintln!("the OS notifier answered {outcome:?}");
    match outcome {
        Ok(()) => {}
        Err(NotifyError::Unavailable(_) | NotifyError::TimedOut(_)) => {}
        Err(other) => panic!("unexpected: {other:?}"),
    }
}
