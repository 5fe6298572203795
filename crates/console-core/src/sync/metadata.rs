//! Stage 1: organizations, applications, event types and subscriptions, in one transaction.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{Run, Stage, SyncError};

/// An application to sync, with what the walk needs to estimate its progress.
#[derive(Debug, Clone)]
pub(super) struct AppToSync {
    pub id: Uuid,
    pub name: String,
    /// The oldest attempt that can still exist at Hook0 (its retention limit).
    pub retention_floor: Option<DateTime<Utc>>,
}

pub(super) async fn sync_metadata(run: &mut Run<'_>) -> Result<Vec<AppToSync>, SyncError> {
    run.meter.enter(Stage::Metadata, None);
    run.emit(0, None, None);
    let organizations = run.client.organizations().await?;
    let mut infos = Vec::with_capacity(organizations.len());
    let mut applications = Vec::new();
    for organization in &organizations {
        run.cancel.check()?;
        let info = run
            .client
            .organization_info(organization.organization_id)
            .await?;
        let days = info.quotas.days_of_events_retention_limit;
        let floor = (days > 0 && days < 36_500).then(|| Utc::now() - Duration::days(days.into()));
        for application in run
            .client
            .applications(organization.organization_id)
            .await?
        {
            let wanted = run
                .options
                .applications
                .as_ref()
                .is_none_or(|only| only.contains(&application.application_id));
            if !wanted {
                continue;
            }
            let event_types = run.client.event_types(application.application_id).await?;
            let subscriptions = run.client.subscriptions(application.application_id).await?;
            applications.push((application, event_types, subscriptions, floor));
        }
        infos.push(info);
    }

    let mut ingest = run.cache.ingest()?;
    for organization in &organizations {
        ingest.organization(organization)?;
    }
    for info in &infos {
        ingest.organization_info(info)?;
    }
    for (application, event_types, subscriptions, _) in &applications {
        ingest.application(application)?;
        ingest.event_types(application.application_id, event_types)?;
        for subscription in subscriptions {
            ingest.subscription(subscription)?;
        }
        let listed: Vec<Uuid> = subscriptions.iter().map(|s| s.subscription_id).collect();
        ingest.subscriptions_gone(application.application_id, &listed, Utc::now())?;
    }
    ingest.commit()?;
    run.emit(1, Some(1), None);
    Ok(applications
        .into_iter()
        .map(|(application, _, _, floor)| AppToSync {
            id: application.application_id,
            name: application.name,
            retention_floor: floor,
        })
        .collect())
}
