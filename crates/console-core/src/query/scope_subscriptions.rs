//! The subscriptions an incident's scope covers, as the cache knows them: those it names, and
//! every subscription of the applications it names.

use rusqlite::Connection;
use uuid::Uuid;

use super::deliveries::{time_of, uuid_of};
use super::error::QueryError;

/// One cached subscription of an incident's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeSubscription {
    /// The subscription.
    pub id: Uuid,
    /// Its application.
    pub application_id: Uuid,
    /// The application's name, when synced.
    pub application_name: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// HTTP method of its target.
    pub target_method: Option<String>,
    /// Where it delivers.
    pub target_url: Option<String>,
    /// Whether Hook0 delivers to it, as last synced or changed here; `None` when the cache has
    /// only seen it named by attempts.
    pub is_enabled: Option<bool>,
    /// Deleted in Hook0 (nothing more can be done to it).
    pub deleted: bool,
}

/// The cached subscriptions named in `subscriptions` or belonging to one of `applications`,
/// by application name then description.
pub fn scope_subscriptions(
    conn: &Connection,
    subscriptions: &[Uuid],
    applications: &[Uuid],
) -> Result<Vec<ScopeSubscription>, QueryError> {
    let hex = |ids: &[Uuid]| {
        serde_json::to_string(
            &ids.iter()
                .map(|id| id.simple().to_string())
                .collect::<Vec<_>>(),
        )
        .map_err(|e| QueryError::InvalidFilter(e.to_string()))
    };
    let mut stmt = conn.prepare(
        "SELECT s.uuid, a.uuid, a.name, s.description, s.target_method, s.target_url,
                CASE WHEN s.known = 1 THEN s.is_enabled END, s.deleted_at
         FROM subscription s JOIN application a ON a.id = s.application_id
         WHERE lower(hex(s.uuid)) IN (SELECT value FROM json_each(?1))
            OR lower(hex(a.uuid)) IN (SELECT value FROM json_each(?2))
         ORDER BY a.name COLLATE NOCASE, s.description COLLATE NOCASE, s.target_url, s.uuid",
    )?;
    let rows = stmt.query_map((hex(subscriptions)?, hex(applications)?), |r| {
        Ok(ScopeSubscription {
            id: uuid_of(r.get(0)?)?,
            application_id: uuid_of(r.get(1)?)?,
            application_name: r.get(2)?,
            description: r.get(3)?,
            target_method: r.get(4)?,
            target_url: r.get(5)?,
            is_enabled: r.get(6)?,
            deleted: r
                .get::<_, Option<i64>>(7)?
                .map(time_of)
                .transpose()?
                .is_some(),
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
