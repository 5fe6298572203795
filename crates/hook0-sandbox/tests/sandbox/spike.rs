//! A failure spike seeded on demand: served like any other failed deliveries.

use crate::support::{Sandbox, quiet, str_of};
use anyhow::{Result, ensure};
use chrono::{DateTime, Utc};
use hook0_sandbox::{SandboxError, ScenarioConfig};
use serde_json::{Value, json};
use std::time::Duration;
use uuid::Uuid;

#[tokio::test]
async fn a_seeded_spike_is_served_as_recent_failed_deliveries_of_one_subscription() -> Result<()> {
    let sb = Sandbox::start(quiet(ScenarioConfig {
        seed: 5,
        applications: 1,
        subscriptions: 3,
        events: 0,
        failure_rate: 0.0,
    }))
    .await?;
    let app = sb.app(0)?;
    let target = sb.running.control().subscriptions(app)[1].id;
    let before = sb.running.control().now();
    let ids = sb
        .running
        .seed_failure_spike(target, 8, Duration::from_secs(600))?;
    ensure!(ids.len() == 8, "{ids:?}");

    let rows: Vec<Value> = sb
        .walk(&format!("request_attempts?application_id={app}"))
        .await?
        .concat();
    ensure!(rows.len() == 8, "only the spike's attempts: {rows:#?}");
    for row in &rows {
        ensure!(
            row["subscription"]["subscription_id"] == json!(target),
            "{row}"
        );
        ensure!(row["status"]["type"] == "failed", "{row}");
        ensure!(row["http_response_status"] == 503, "{row}");
        let created: DateTime<Utc> = str_of(row, "created_at")?.parse()?;
        let age = before - created;
        ensure!(
            age <= chrono::Duration::minutes(10) && age > chrono::Duration::zero(),
            "created within the last 10 minutes: {row}"
        );
        let response = sb
            .get_json(&format!(
                "responses/{}?application_id={app}",
                str_of(row, "response_id")?
            ))
            .await?;
        ensure!(response["response_error_name"] == "E_HTTP", "{response}");
        let event = sb
            .get_json(&format!(
                "events/{}?application_id={app}",
                str_of(row, "event_id")?
            ))
            .await?;
        ensure!(
            event["payload"].is_string(),
            "the event has a payload: {event}"
        );
    }

    ensure!(matches!(
        sb.running
            .seed_failure_spike(Uuid::nil(), 3, Duration::from_secs(60)),
        Err(SandboxError::UnknownSubscription(_))
    ));
    ensure!(matches!(
        sb.running
            .seed_failure_spike(target, 0, Duration::from_secs(60)),
        Err(SandboxError::InvalidOption(_))
    ));
    Ok(())
}
