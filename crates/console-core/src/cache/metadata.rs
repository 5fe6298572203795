//! Organizations, applications, event types and subscriptions: upserts from the API models,
//! and the surrogate ids attempts and events refer to.
//!
//! Invariants: a row exists for every id an attempt names, as a stub if its details are not
//! synced yet (filled in when they are); the subscription `secret` and target headers are never
//! stored.

use chrono::{DateTime, Utc};
use hook0_client::generated::{
    Application, EventType, Organization, OrganizationInfo, RequestAttempt, Subscription,
};
use rusqlite::OptionalExtension;
use uuid::Uuid;

use super::error::CacheError;
use super::ingest::Ingest;
use super::types::micros;

impl Ingest<'_> {
    /// Stores an organization as listed.
    pub fn organization(&mut self, org: &Organization) -> Result<(), CacheError> {
        self.tx
            .prepare_cached(
                "INSERT INTO organization (uuid, name, role, plan) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, role = excluded.role,
                     plan = excluded.plan",
            )?
            .execute((
                &org.organization_id.as_bytes()[..],
                &org.name,
                &org.role,
                org.plan.as_ref().map(|p| p.name.as_str()),
            ))?;
        Ok(())
    }

    /// Stores an organization's details, notably its event retention limit.
    pub fn organization_info(&mut self, info: &OrganizationInfo) -> Result<(), CacheError> {
        self.tx
            .prepare_cached(
                "INSERT INTO organization (uuid, name, plan, retention_days) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, plan = excluded.plan,
                     retention_days = excluded.retention_days",
            )?
            .execute((
                &info.organization_id.as_bytes()[..],
                &info.name,
                info.plan.as_ref().map(|p| p.name.as_str()),
                info.quotas.days_of_events_retention_limit,
            ))?;
        Ok(())
    }

    /// Stores an application.
    pub fn application(&mut self, app: &Application) -> Result<(), CacheError> {
        let org = self.organization_id(app.organization_id)?;
        let id: i64 = self
            .tx
            .prepare_cached(
                "INSERT INTO application (uuid, organization_id, name) VALUES (?1, ?2, ?3)
                 ON CONFLICT (uuid) DO UPDATE SET organization_id = excluded.organization_id,
                     name = excluded.name
                 RETURNING id",
            )?
            .query_row((&app.application_id.as_bytes()[..], org, &app.name), |r| {
                r.get(0)
            })?;
        self.apps.insert(app.application_id, id);
        Ok(())
    }

    /// Stores the event types of an application.
    pub fn event_types(
        &mut self,
        application_id: Uuid,
        types: &[EventType],
    ) -> Result<(), CacheError> {
        let app = self.application_id(application_id)?;
        for t in types {
            let id: i64 = self
                .tx
                .prepare_cached(
                    "INSERT INTO event_type (application_id, name, service, resource_type, verb)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (application_id, name) DO UPDATE SET service = excluded.service,
                         resource_type = excluded.resource_type, verb = excluded.verb
                     RETURNING id",
                )?
                .query_row(
                    (
                        app,
                        &t.event_type_name,
                        &t.service_name,
                        &t.resource_type_name,
                        &t.verb_name,
                    ),
                    |r| r.get(0),
                )?;
            self.types.insert((app, t.event_type_name.clone()), id);
        }
        Ok(())
    }

    /// Stores a subscription — without its secret and without target headers.
    pub fn subscription(&mut self, sub: &Subscription) -> Result<(), CacheError> {
        let app = self.application_id(sub.application_id)?;
        let id: i64 = self
            .tx
            .prepare_cached(
                "INSERT INTO subscription (uuid, application_id, description, target_type,
                     target_method, target_url, event_types, labels, metadata, is_enabled,
                     created_at, updated_at, known)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1)
                 ON CONFLICT (uuid) DO UPDATE SET application_id = excluded.application_id,
                     description = excluded.description, target_type = excluded.target_type,
                     target_method = excluded.target_method, target_url = excluded.target_url,
                     event_types = excluded.event_types, labels = excluded.labels,
                     metadata = excluded.metadata, is_enabled = excluded.is_enabled,
                     created_at = excluded.created_at, updated_at = excluded.updated_at, known = 1,
                     deleted_at = NULL
                 RETURNING id",
            )?
            .query_row(
                rusqlite::params![
                    &sub.subscription_id.as_bytes()[..],
                    app,
                    sub.description,
                    sub.target.type_,
                    sub.target.method,
                    sub.target.url.as_str(),
                    json(&sub.event_types)?,
                    json(
                        &sub.labels
                            .iter()
                            .collect::<std::collections::BTreeMap<_, _>>()
                    )?,
                    json(
                        &sub.metadata
                            .iter()
                            .collect::<std::collections::BTreeMap<_, _>>()
                    )?,
                    sub.is_enabled,
                    micros(&sub.created_at),
                    micros(&sub.updated_at),
                ],
                |r| r.get(0),
            )?;
        self.subs.insert(sub.subscription_id, id);
        Ok(())
    }

    /// Marks the known subscriptions of an application that its latest list left out as
    /// deleted upstream at `now` (those already marked keep their time). `listed` is that
    /// whole list: call it after storing every subscription of the application.
    pub fn subscriptions_gone(
        &mut self,
        application_id: Uuid,
        listed: &[Uuid],
        now: DateTime<Utc>,
    ) -> Result<usize, CacheError> {
        let app = self.application_id(application_id)?;
        let listed = serde_json::to_string(
            &listed
                .iter()
                .map(|id| id.simple().to_string())
                .collect::<Vec<_>>(),
        )
        .map_err(|e| CacheError::InvalidInput(e.to_string()))?;
        let marked = self
            .tx
            .prepare_cached(
                "UPDATE subscription SET deleted_at = ?3
                 WHERE application_id = ?1 AND known = 1 AND deleted_at IS NULL
                   AND lower(hex(uuid)) NOT IN (SELECT value FROM json_each(?2))",
            )?
            .execute(rusqlite::params![app, listed, micros(&now)])?;
        Ok(marked)
    }

    /// The row id of an organization, creating a stub if unknown.
    fn organization_id(&mut self, uuid: Uuid) -> Result<i64, CacheError> {
        let id = self
            .tx
            .prepare_cached(
                "INSERT INTO organization (uuid) VALUES (?1)
                 ON CONFLICT (uuid) DO UPDATE SET uuid = uuid RETURNING id",
            )?
            .query_row([&uuid.as_bytes()[..]], |r| r.get(0))?;
        Ok(id)
    }

    /// The row id of an application, creating a stub if unknown.
    pub(crate) fn application_id(&mut self, uuid: Uuid) -> Result<i64, CacheError> {
        if let Some(&id) = self.apps.get(&uuid) {
            return Ok(id);
        }
        let found: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM application WHERE uuid = ?1")?
            .query_row([&uuid.as_bytes()[..]], |r| r.get(0))
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => self
                .tx
                .prepare_cached("INSERT INTO application (uuid) VALUES (?1) RETURNING id")?
                .query_row([&uuid.as_bytes()[..]], |r| r.get(0))?,
        };
        self.apps.insert(uuid, id);
        Ok(id)
    }

    /// The row id of an event type of an application, creating it if unknown.
    pub(crate) fn event_type_id(&mut self, app: i64, name: &str) -> Result<i64, CacheError> {
        if let Some(&id) = self.types.get(&(app, name.to_owned())) {
            return Ok(id);
        }
        let id: i64 = self
            .tx
            .prepare_cached(
                "INSERT INTO event_type (application_id, name) VALUES (?1, ?2)
                 ON CONFLICT (application_id, name) DO UPDATE SET name = name RETURNING id",
            )?
            .query_row((app, name), |r| r.get(0))?;
        self.types.insert((app, name.to_owned()), id);
        Ok(id)
    }

    /// The row id of the subscription an attempt names, creating a stub if unknown.
    pub(crate) fn subscription_stub(
        &mut self,
        app: i64,
        a: &RequestAttempt,
    ) -> Result<i64, CacheError> {
        let uuid = a.subscription.subscription_id;
        if let Some(&id) = self.subs.get(&uuid) {
            return Ok(id);
        }
        let found: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM subscription WHERE uuid = ?1")?
            .query_row([&uuid.as_bytes()[..]], |r| r.get(0))
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => self
                .tx
                .prepare_cached(
                    "INSERT INTO subscription (uuid, application_id, description, known)
                     VALUES (?1, ?2, ?3, 0) RETURNING id",
                )?
                .query_row(
                    (&uuid.as_bytes()[..], app, &a.subscription.description),
                    |r| r.get(0),
                )?,
        };
        self.subs.insert(uuid, id);
        Ok(id)
    }
}

/// JSON text of a value a subscription carries.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> Result<String, CacheError> {
    serde_json::to_string(value).map_err(|e| CacheError::InvalidInput(e.to_string()))
}
