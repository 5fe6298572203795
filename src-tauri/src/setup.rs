//! Start-up: logging, the data directory, the console, and the built-in sandbox.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use console_core::api::{ApiBaseUrl, ClientSettings};
use std::sync::Arc;

use console_core::gate::GateOptions;
use console_core::profile::SandboxEndpoint;
use console_core::{Console, ErrorCode, ErrorDto};
use tauri::{Emitter, Manager};

use crate::AppState;
use crate::events::WindowEvents;
use crate::notifier::OsNotifier;

/// Overrides where the console keeps its files (used by tests and portable set-ups).
pub const DATA_DIR_ENV: &str = "HOOK0_CONSOLE_DATA_DIR";

/// The event the window hears when the console locks itself; its payload is the
/// `GateStatus`.
pub const LOCK_CHANGED_EVENT: &str = "lock-changed";

/// The main window's label in `tauri.conf.json`.
const MAIN_WINDOW: &str = "main";
/// The web view's storage, inside the data directory.
const WEBVIEW_DIR: &str = "webview";

/// How often due automatic syncs are looked for.
const AUTO_SYNC_CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// How often incident reminders (overdue items, deadlines) are looked for: a minute is well
/// within every threshold (the nearest is 2 h before a deadline), and the check is cheap.
const REMINDER_CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// How often the idle and absolute limits are checked.
const LOCK_CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HOOK0_CONSOLE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Opens the console and starts the sandbox in the background. Failures are kept in the
/// state for the UI to show; only a missing data directory stops the app.
pub fn open_console<R: tauri::Runtime>(app: &mut tauri::App<R>) -> Result<(), ErrorDto> {
    let data_dir = data_dir(app)?;
    tracing::info!(data_dir = %data_dir.display(), "opening the console");
    let console = Console::open(
        &data_dir,
        ClientSettings::default(),
        GateOptions::standard(),
    );
    if let Err(error) = &console {
        tracing::error!(%error, "the console could not open");
    }
    if let Ok(console) = &console
        && let Err(error) = console.set_events(Arc::new(WindowEvents(app.handle().clone())))
    {
        tracing::warn!(%error, "the window will not hear about syncs");
    }
    if let Ok(console) = &console
        && let Err(error) = console.set_notifier(Arc::new(OsNotifier::new(app.handle().clone())))
    {
        tracing::warn!(%error, "failure spikes will show in the window only");
    }
    app.manage(AppState::new(console));
    open_window(app, &data_dir)?;
    spawn_lock_timer(app.handle().clone());
    spawn_auto_sync(app.handle().clone());
    spawn_reminders(app.handle().clone());
    let handle = app.handle().clone();
    tauri::async_runtime::spawn(async move {
        if let Err(error) = start_sandbox(&handle).await {
            tracing::warn!(%error, "the built-in sandbox did not start");
        }
    });
    Ok(())
}

/// Locks the console when its idle or absolute limit passes, even if nothing is clicked, and
/// tells the window.
fn spawn_lock_timer<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(LOCK_CHECK_INTERVAL);
        loop {
            tick.tick().await;
            let Ok(console) = app.state::<AppState>().console() else {
                return;
            };
            match console.enforce_lock_policy() {
                Ok(Some(reason)) => {
                    tracing::info!(reason = reason.as_str(), "the console locked itself");
                    if let Ok(status) = console.gate_status()
                        && let Err(error) = app.emit(LOCK_CHANGED_EVENT, status)
                    {
                        tracing::warn!(%error, "the window was not told about the lock");
                    }
                }
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "the lock policy could not be applied"),
            }
        }
    });
}

/// Starts the automatic syncs that are due (nothing happens while locked).
fn spawn_auto_sync<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(AUTO_SYNC_CHECK_INTERVAL);
        loop {
            tick.tick().await;
            let Ok(console) = app.state::<AppState>().console() else {
                return;
            };
            if let Err(error) = console.run_due_syncs() {
                tracing::warn!(%error, "automatic sync could not start");
            }
        }
    });
}

/// Shows the incident reminders that are due, every minute while unlocked (the check is quiet:
/// it does not keep the console from idling into its lock).
fn spawn_reminders<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(REMINDER_CHECK_INTERVAL);
        loop {
            tick.tick().await;
            let Ok(console) = app.state::<AppState>().console() else {
                return;
            };
            // Blocking (SQLite, the notifier): off the async workers.
            match tauri::async_runtime::spawn_blocking(move || console.remind_incidents()).await {
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::warn!(%error, "incident reminders were not checked"),
                Err(error) => tracing::warn!(%error, "the incident reminder check stopped"),
            }
        }
    });
}

/// Opens the main window as configured, with the web view's own storage (the explorer's
/// remembered view, column widths) inside the console's data directory: one directory holds
/// everything the console keeps, and a test's data directory starts the web view afresh.
fn open_window<R: tauri::Runtime>(
    app: &tauri::App<R>,
    data_dir: &std::path::Path,
) -> Result<(), ErrorDto> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN_WINDOW)
        .cloned()
        .ok_or_else(|| ErrorDto::new(ErrorCode::Internal, "no main window is configured"))?;
    let window = tauri::WebviewWindowBuilder::from_config(app.handle(), &config)
        .and_then(|builder| builder.data_directory(data_dir.join(WEBVIEW_DIR)).build())
        .map_err(|e| ErrorDto::new(ErrorCode::Internal, format!("the window did not open: {e}")))?;
    crate::rendering::configure(&window);
    Ok(())
}

fn data_dir<R: tauri::Runtime>(app: &tauri::App<R>) -> Result<PathBuf, ErrorDto> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV) {
        return Ok(PathBuf::from(dir));
    }
    app.path().app_data_dir().map_err(|e| {
        ErrorDto::new(
            ErrorCode::Storage,
            format!("no data directory for Hook0 Console: {e}"),
        )
    })
}

async fn start_sandbox<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> Result<(), ErrorDto> {
    let bind = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let sandbox = hook0_sandbox::start(bind, hook0_sandbox::SandboxOptions::built_in_profile())
        .await
        .map_err(|e| ErrorDto::new(ErrorCode::Internal, format!("sandbox: {e}")))?;
    let api_base_url = ApiBaseUrl::parse(sandbox.api_base_url().as_str())?;
    let endpoint = SandboxEndpoint {
        api_base_url,
        token: sandbox.service_token().to_owned().into(),
    };
    tracing::info!(url = %sandbox.api_base_url(), "built-in sandbox listening");
    app.state::<AppState>()
        .console()?
        .attach_sandbox(endpoint)?;
    // The sandbox lives as long as the app; its handle is kept alive here.
    app.manage(sandbox);
    Ok(())
}
