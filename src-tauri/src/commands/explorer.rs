//! The explorer's commands: offline queries of the active profile's cache, its sync, and its
//! notification settings. Queries run on the blocking pool (SQLite), never on the window's
//! thread.

use console_core::ErrorDto;
use console_core::ipc::{NotificationSettings, SyncStatus};
use console_core::query::{
    AtRiskDelivery, AtRiskQuery, Bucket, DeliveryDetail, DeliveryFilter, DeliveryPage,
    DeliveryQuery, FailureBucket, FailureGroup, FilterOptions, SubscriptionHealth,
};
use tauri::State;
use uuid::Uuid;

use super::blocking;
use crate::AppState;

#[tauri::command(rename_all = "snake_case")]
pub async fn query_deliveries(
    state: State<'_, AppState>,
    query: DeliveryQuery,
) -> Result<DeliveryPage, ErrorDto> {
    blocking(&state, move |c| c.query_deliveries(query)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn delivery_detail(
    state: State<'_, AppState>,
    attempt_id: Uuid,
) -> Result<DeliveryDetail, ErrorDto> {
    blocking(&state, move |c| c.delivery_detail(attempt_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn fetch_delivery_content(
    state: State<'_, AppState>,
    attempt_id: Uuid,
) -> Result<DeliveryDetail, ErrorDto> {
    state.console()?.fetch_delivery_content(attempt_id).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn failure_groups(
    state: State<'_, AppState>,
    filter: DeliveryFilter,
) -> Result<Vec<FailureGroup>, ErrorDto> {
    blocking(&state, move |c| c.failure_groups(filter)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn failures_over_time(
    state: State<'_, AppState>,
    filter: DeliveryFilter,
    bucket: Bucket,
) -> Result<Vec<FailureBucket>, ErrorDto> {
    blocking(&state, move |c| c.failures_over_time(filter, bucket)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn at_risk_deliveries(
    state: State<'_, AppState>,
    query: AtRiskQuery,
) -> Result<Vec<AtRiskDelivery>, ErrorDto> {
    blocking(&state, move |c| c.at_risk_deliveries(query)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn subscription_health(
    state: State<'_, AppState>,
    filter: DeliveryFilter,
) -> Result<Vec<SubscriptionHealth>, ErrorDto> {
    blocking(&state, move |c| c.subscription_health(filter)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn filter_options(state: State<'_, AppState>) -> Result<FilterOptions, ErrorDto> {
    blocking(&state, |c| c.filter_options()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus, ErrorDto> {
    blocking(&state, |c| c.sync_status()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn start_sync(state: State<'_, AppState>) -> Result<SyncStatus, ErrorDto> {
    state.console()?.start_sync()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_sync(state: State<'_, AppState>) -> Result<SyncStatus, ErrorDto> {
    blocking(&state, |c| c.cancel_sync()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_auto_sync(
    state: State<'_, AppState>,
    minutes: Option<u32>,
) -> Result<SyncStatus, ErrorDto> {
    blocking(&state, move |c| c.set_auto_sync(minutes)).await
}

#[tauri::command(rename_all = "snake_case")]
pub fn notification_settings(state: State<'_, AppState>) -> Result<NotificationSettings, ErrorDto> {
    state.console()?.notification_settings()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_notifications_muted(
    state: State<'_, AppState>,
    muted: bool,
) -> Result<NotificationSettings, ErrorDto> {
    blocking(&state, move |c| c.set_notifications_muted(muted)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_subscription_muted(
    state: State<'_, AppState>,
    subscription_id: Uuid,
    muted: bool,
) -> Result<NotificationSettings, ErrorDto> {
    blocking(&state, move |c| {
        c.set_subscription_muted(subscription_id, muted)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_incident_reminders_muted(
    state: State<'_, AppState>,
    muted: bool,
) -> Result<NotificationSettings, ErrorDto> {
    blocking(&state, move |c| c.set_incident_reminders_muted(muted)).await
}
