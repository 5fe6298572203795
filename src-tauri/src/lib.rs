//! The desktop shell: builds the Tauri app, registers the commands, starts the built-in
//! sandbox. Behaviour lives in `console-core`; this crate only wires it to a window.

mod commands;
mod events;
pub mod notifier;
mod rendering;
mod setup;
mod state;

use std::process::ExitCode;

pub use state::AppState;

/// Registers every IPC command on a builder (the real one, or Tauri's mock in tests).
///
/// Every call passes the gate first: while the console is locked (or not enrolled) only the
/// commands of [`console_core::ipc::OPEN_WHILE_LOCKED`] reach their handler; the others are
/// refused with `locked` before their arguments are even read.
pub fn register_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    let handler = commands_handler::<R>();
    builder.invoke_handler(move |invoke| {
        let admitted = invoke
            .message
            .state_ref()
            .try_get::<AppState>()
            .map(|state| {
                state
                    .console()
                    .and_then(|c| c.admit(invoke.message.command()))
            });
        match admitted {
            Some(Err(refusal)) => {
                invoke.resolver.reject(refusal);
                true
            }
            _ => handler(invoke),
        }
    })
}

fn commands_handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool {
    tauri::generate_handler![
        commands::status::app_status,
        commands::gate::gate_status,
        commands::gate::assess_passphrase,
        commands::gate::begin_enrollment,
        commands::gate::confirm_enrollment,
        commands::gate::unlock,
        commands::gate::lock,
        commands::gate::report_activity,
        commands::gate::security_settings,
        commands::gate::set_idle_lock_minutes,
        commands::gate::set_keyring_enabled,
        commands::gate::change_passphrase,
        commands::gate::regenerate_recovery_codes,
        commands::gate::begin_reenrollment,
        commands::gate::confirm_reenrollment,
        commands::gate::audit_list,
        commands::gate::audit_verify,
        commands::gate::audit_export,
        commands::explorer::query_deliveries,
        commands::explorer::delivery_detail,
        commands::explorer::fetch_delivery_content,
        commands::explorer::failure_groups,
        commands::explorer::failures_over_time,
        commands::explorer::at_risk_deliveries,
        commands::explorer::subscription_health,
        commands::explorer::filter_options,
        commands::explorer::sync_status,
        commands::explorer::start_sync,
        commands::explorer::cancel_sync,
        commands::explorer::set_auto_sync,
        commands::explorer::notification_settings,
        commands::explorer::set_notifications_muted,
        commands::explorer::set_subscription_muted,
        commands::explorer::set_incident_reminders_muted,
        commands::profiles::list_profiles,
        commands::profiles::save_profile,
        commands::profiles::remove_profile,
        commands::profiles::set_active_profile,
        commands::profiles::test_connection,
        commands::profiles::test_draft,
        commands::profiles::sign_in,
        commands::profiles::sign_out,
        commands::replay::replay_plan,
        commands::replay::replay_export_manifest,
        commands::replay::replay_import_manifest,
        commands::replay::replay_start,
        commands::replay::replay_pause,
        commands::replay::replay_resume,
        commands::replay::replay_cancel,
        commands::replay::replay_jobs,
        commands::replay::replay_job,
        commands::replay::replay_settings,
        commands::replay::set_replay_settings,
        commands::incident::incident_templates,
        commands::incident::incident_template_export,
        commands::incident::incident_template_import,
        commands::incident::incident_template_delete,
        commands::incident::incident_create,
        commands::incident::incidents,
        commands::incident::incident,
        commands::incident::incident_update,
        commands::incident::incident_tick,
        commands::incident::incident_untick,
        commands::incident::incident_advance,
        commands::incident::incident_note,
        commands::incident::incident_preparation,
        commands::incident::incident_preparation_tick,
        commands::incident::incident_test_notification,
        commands::incident::incident_metrics,
        commands::incident::incident_attach_evidence,
        commands::incident::incident_evidence,
        commands::incident::incident_containment,
        commands::incident::incident_set_subscription_enabled,
        commands::incident::incident_export_report,
        commands::incident::incident_export_bundle,
        commands::incident::incident_status_draft,
        commands::incident::incident_log_communication,
        commands::incident::incident_export_draft,
    ]
}

/// Runs the app until its window closes.
pub fn run() -> ExitCode {
    setup::init_logging();
    let result = register_commands(tauri::Builder::default())
        .setup(|app| {
            setup::open_console(app)?;
            Ok(())
        })
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("Hook0 Console stopped: {error}");
            ExitCode::FAILURE
        }
    }
}
