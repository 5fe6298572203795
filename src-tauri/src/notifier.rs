//! Failure-spike notifications shown by the OS, through notify-rust.
//!
//! Showing never blocks the caller for long: the notification is sent from its own thread and
//! the caller waits at most [`SHOW_WAIT`]; a missing notification service (no D-Bus session,
//! no notification daemon — e.g. under Xvfb) is a [`NotifyError`], and the console then shows
//! the spike in the window.
//!
//! Clicking through: on Linux and the BSDs the notification carries a default action; when
//! the operator clicks it, the window is raised and hears [`OPEN_DELIVERIES_EVENT`] with the
//! subscription, to open its filtered deliveries (a spike), [`OPEN_REPLAY_EVENT`] with the
//! job, to open its outcome (a replay that ended), or [`OPEN_INCIDENT_EVENT`] with the
//! incident (a reminder of an overdue item or a deadline). notify-rust has no actions on macOS and
//! Windows: there the in-window alert (sent for every spike, `shown_by_os: true`) carries the
//! click-through.

use std::sync::mpsc;
use std::time::Duration;

use console_core::ipc::{OpenDeliveries, OpenIncident, OpenReplayJob};
use console_core::notify::{Notification, Notifier, NotifyError, Opens};

/// The window opens a subscription's deliveries: payload [`OpenDeliveries`].
pub const OPEN_DELIVERIES_EVENT: &str = "open-deliveries";
/// The window opens a replay job: payload [`OpenReplayJob`].
pub const OPEN_REPLAY_EVENT: &str = "open-replay-job";
/// The window opens an incident: payload [`OpenIncident`].
pub const OPEN_INCIDENT_EVENT: &str = "open-incident";

/// The application name notifications carry.
const APP_NAME: &str = "Hook0 Console";
/// How long a notification stays on screen.
const ON_SCREEN: Duration = Duration::from_secs(10);
/// How long the caller waits for the notification service at most.
const SHOW_WAIT: Duration = Duration::from_secs(3);

/// Shows notifications through the OS.
pub struct OsNotifier<R: tauri::Runtime> {
    app: tauri::AppHandle<R>,
}

impl<R: tauri::Runtime> std::fmt::Debug for OsNotifier<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OsNotifier")
    }
}

impl<R: tauri::Runtime> OsNotifier<R> {
    /// A notifier whose click-through reaches this app's window.
    pub fn new(app: tauri::AppHandle<R>) -> Self {
        Self { app }
    }
}

impl<R: tauri::Runtime> Notifier for OsNotifier<R> {
    fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let (sent, outcome) = mpsc::channel();
        let notification = notification.clone();
        let app = self.app.clone();
        std::thread::Builder::new()
            .name("notification".into())
            .spawn(move || show(&notification, app, sent))
            .map_err(|e| NotifyError::Failed(format!("no thread to show it: {e}")))?;
        match outcome.recv_timeout(SHOW_WAIT) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(NotifyError::TimedOut(
                u64::try_from(SHOW_WAIT.as_millis()).unwrap_or(u64::MAX),
            )),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(NotifyError::Failed(
                "the notification service stopped answering".into(),
            )),
        }
    }
}

fn os_notification(n: &Notification) -> notify_rust::Notification {
    let mut os = notify_rust::Notification::new();
    os.appname(APP_NAME)
        .summary(&n.title)
        .body(&n.body)
        .timeout(notify_rust::Timeout::Milliseconds(
            u32::try_from(ON_SCREEN.as_millis()).unwrap_or(u32::MAX),
        ));
    os
}

/// Shows the notification, reports the outcome, then waits (on the async runtime, bounded)
/// for a click.
#[cfg(all(unix, not(target_os = "macos")))]
fn show<R: tauri::Runtime>(
    n: &Notification,
    app: tauri::AppHandle<R>,
    sent: mpsc::Sender<Result<(), NotifyError>>,
) {
    use notify_rust::ActionResponse;
    use tauri::{Emitter, Manager};

    /// How long a click on a shown notification is listened for.
    const CLICK_WAIT: Duration = Duration::from_secs(30 * 60);
    const DEFAULT_ACTION: &str = "default";

    let mut os = os_notification(n);
    os.action(
        DEFAULT_ACTION,
        match n.opens {
            Opens::Deliveries { .. } => "Show deliveries",
            Opens::ReplayJob { .. } => "Show replay",
            Opens::Incident { .. } => "Show incident",
            Opens::Window => "Open Hook0 Console",
        },
    );
    // This thread is outside the runtime's workers, so blocking on it is allowed; zbus needs
    // the runtime to drive its connection.
    let shown = tauri::async_runtime::block_on(async {
        // Made inside the runtime: a timer needs its clock.
        tokio::time::timeout(SHOW_WAIT, os.show_async()).await
    });
    let handle = match shown {
        Ok(Ok(handle)) => handle,
        Ok(Err(error)) => {
            let _ = sent.send(Err(NotifyError::Unavailable(error.to_string())));
            return;
        }
        Err(_) => return, // the caller has stopped waiting and reports the timeout
    };
    let _ = sent.send(Ok(()));
    let profile_id = n.profile_id;
    let opens = n.opens;
    tauri::async_runtime::spawn(async move {
        let clicked = std::sync::atomic::AtomicBool::new(false);
        let waited = tokio::time::timeout(
            CLICK_WAIT,
            handle.wait_for_action_async(|response| {
                if matches!(response, ActionResponse::Custom(DEFAULT_ACTION)) {
                    clicked.store(true, std::sync::atomic::Ordering::SeqCst);
                }
            }),
        )
        .await;
        if waited.is_ok() && clicked.load(std::sync::atomic::Ordering::SeqCst) {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
            let told = match opens {
                Opens::Deliveries { subscription_id } => app.emit(
                    OPEN_DELIVERIES_EVENT,
                    OpenDeliveries {
                        profile_id,
                        subscription_id,
                    },
                ),
                Opens::ReplayJob { job_id } => {
                    app.emit(OPEN_REPLAY_EVENT, OpenReplayJob { profile_id, job_id })
                }
                Opens::Incident { incident_id } => app.emit(
                    OPEN_INCIDENT_EVENT,
                    OpenIncident {
                        profile_id,
                        incident_id,
                    },
                ),
                Opens::Window => Ok(()),
            };
            if let Err(error) = told {
                tracing::warn!(%error, "the window was not told what the notification opens");
            }
        }
    });
}

/// Shows the notification and reports the outcome (no actions on this OS).
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn show<R: tauri::Runtime>(
    n: &Notification,
    _app: tauri::AppHandle<R>,
    sent: mpsc::Sender<Result<(), NotifyError>>,
) {
    let result = os_notification(n)
        .show()
        .map(|_| ())
        .map_err(|error| NotifyError::Unavailable(error.to_string()));
    let _ = sent.send(result);
}
