//! Reading the selection and the subscriptions' configuration from the cache.

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::query::scope::{conditions, resolve};
use crate::replay::error::ReplayError;
use crate::replay::manifest::DeliveryRef;

/// One selected delivery, as read from the cache.
pub(super) struct Picked {
    pub(super) subscription: i64,
    pub(super) outcome: i64,
    pub(super) event: i64,
    pub(super) event_uuid: Uuid,
    pub(super) application: i64,
    pub(super) event_type: Option<i64>,
    pub(super) labels_known: bool,
    pub(super) first_seen: i64,
}

pub(super) struct Sub {
    pub(super) uuid: Uuid,
    pub(super) application: i64,
    pub(super) description: Option<String>,
    pub(super) enabled: bool,
    pub(super) event_types: HashSet<String>,
    pub(super) labels: BTreeMap<String, String>,
}

pub(super) fn uuid_of(bytes: &[u8]) -> Result<Uuid, ReplayError> {
    Uuid::from_slice(bytes).map_err(|_| ReplayError::Corrupt("an id is not 16 bytes".into()))
}

const PICKED_COLUMNS: &str = "ch.subscription_id, ch.outcome, e.id, e.uuid, e.application_id,
     e.event_type_id, e.payload_cached, coalesce(e.first_attempt_at, e.received_at, 0)";

fn picked(row: &rusqlite::Row<'_>) -> rusqlite::Result<(Picked, Vec<u8>)> {
    Ok((
        Picked {
            subscription: row.get(0)?,
            outcome: row.get(1)?,
            event: row.get(2)?,
            event_uuid: Uuid::nil(),
            application: row.get(4)?,
            event_type: row.get(5)?,
            labels_known: row.get::<_, i64>(6)? != 0,
            first_seen: row.get(7)?,
        },
        row.get(3)?,
    ))
}

fn finish(rows: Vec<(Picked, Vec<u8>)>) -> Result<Vec<Picked>, ReplayError> {
    rows.into_iter()
        .map(|(mut p, uuid)| {
            p.event_uuid = uuid_of(&uuid)?;
            Ok(p)
        })
        .collect()
}

/// The deliveries an explorer filter selects.
pub(super) fn pick_by_filter(
    conn: &Connection,
    filter: &crate::query::DeliveryFilter,
) -> Result<Vec<Picked>, ReplayError> {
    let f = filter.clone().validate()?;
    let r = resolve(conn, &f)?;
    let c = conditions(conn, &f, &r, false)?;
    let join = if c.chain {
        "JOIN chain c ON c.id = a.chain_id"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {PICKED_COLUMNS} FROM chain ch JOIN event e ON e.id = ch.event_id
         WHERE ch.id IN (SELECT a.chain_id FROM attempt a {join} WHERE {})",
        c.sql()
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(c.params.iter()), picked)?
        .collect::<Result<Vec<_>, _>>()?;
    finish(rows)
}

/// The deliveries named one by one; one the cache does not hold is an error (a stale
/// selection), not a silent omission.
pub(super) fn pick_listed(
    conn: &Connection,
    list: &[DeliveryRef],
) -> Result<Vec<Picked>, ReplayError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PICKED_COLUMNS} FROM chain ch JOIN event e ON e.id = ch.event_id
         JOIN subscription s ON s.id = ch.subscription_id
         WHERE e.uuid = ?1 AND s.uuid = ?2"
    ))?;
    let mut rows = Vec::with_capacity(list.len());
    let mut seen = HashSet::new();
    for d in list {
        if !seen.insert(*d) {
            continue;
        }
        let row = stmt
            .query_row(
                [
                    d.event_id.as_bytes().to_vec(),
                    d.subscription_id.as_bytes().to_vec(),
                ],
                picked,
            )
            .optional()?
            .ok_or_else(|| {
                ReplayError::InvalidSelection(format!(
                    "no delivery of event {} to subscription {} in the cache",
                    d.event_id, d.subscription_id
                ))
            })?;
        rows.push(row);
    }
    finish(rows)
}

pub(super) fn subscriptions(conn: &Connection) -> Result<HashMap<i64, Sub>, ReplayError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, uuid, application_id, description, is_enabled, known, event_types, labels,
                deleted_at IS NULL
         FROM subscription",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<bool>>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, bool>(8)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = HashMap::new();
    for (id, uuid, application, description, enabled, known, types, labels, listed) in rows {
        let event_types: HashSet<String> = types
            .as_deref()
            .and_then(|t| serde_json::from_str::<Vec<String>>(t).ok())
            .unwrap_or_default()
            .into_iter()
            .collect();
        let labels: BTreeMap<String, String> = labels
            .as_deref()
            .and_then(|l| serde_json::from_str(l).ok())
            .unwrap_or_default();
        out.insert(
            id,
            Sub {
                uuid: uuid_of(&uuid)?,
                application,
                description,
                // A stub (seen only in attempts) has no known configuration, and one deleted
                // upstream receives nothing: neither can be promised anything.
                enabled: known && listed && enabled.unwrap_or(false),
                event_types,
                labels,
            },
        );
    }
    Ok(out)
}

pub(super) fn names(conn: &Connection, sql: &str) -> Result<HashMap<i64, Vec<u8>>, ReplayError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?
        .collect::<Result<HashMap<_, _>, _>>()?;
    Ok(rows)
}
