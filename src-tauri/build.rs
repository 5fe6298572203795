//! Reads `tauri.conf.json` (a link to the one at the root) and declares the app's own commands to Tauri, so that the
//! capability files decide which of them the window may call.

/// Every IPC command; a test checks this list against `console_core::ipc::COMMANDS`.
const COMMANDS: &[&str] = &[
    "app_status",
    "gate_status",
    "assess_passphrase",
    "begin_enrollment",
    "confirm_enrollment",
    "unlock",
    "lock",
    "report_activity",
    "security_settings",
    "set_idle_lock_minutes",
    "set_keyring_enabled",
    "change_passphrase",
    "regenerate_recovery_codes",
    "begin_reenrollment",
    "confirm_reenrollment",
    "audit_list",
    "audit_verify",
    "audit_export",
    "query_deliveries",
    "delivery_detail",
    "fetch_delivery_content",
    "failure_groups",
    "failures_over_time",
    "at_risk_deliveries",
    "subscription_health",
    "filter_options",
    "sync_status",
    "start_sync",
    "cancel_sync",
    "set_auto_sync",
    "notification_settings",
    "set_notifications_muted",
    "set_subscription_muted",
    "list_profiles",
    "save_profile",
    "remove_profile",
    "set_active_profile",
    "test_connection",
    "test_draft",
    "sign_in",
    "sign_out",
    "replay_plan",
    "replay_export_manifest",
    "replay_import_manifest",
    "replay_start",
    "replay_pause",
    "replay_resume",
    "replay_cancel",
    "replay_jobs",
    "replay_job",
    "replay_settings",
    "set_replay_settings",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri-build failed: {error:#}");
        std::process::exit(1);
    }
}
