//! What a sync brought in for one incident's scope: the attempts stored after a row-id mark.
//!
//! Attempt row ids only grow (new rows take the next id; an attempt seen again keeps its
//! row), so "new since the sync began" is `id > mark` with the mark read before it began —
//! a range of the primary key, however large the cache.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::error::QueryError;
use crate::cache::AttemptStatus;
use crate::incident::Scope;

/// New attempts in a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScopeCounts {
    /// Attempts stored since the mark.
    pub attempts: u64,
    /// Of those, the failed ones.
    pub failed: u64,
}

/// The highest attempt row id now (0 for an empty cache): the mark to count from.
pub fn attempt_mark(conn: &Connection) -> Result<i64, QueryError> {
    Ok(conn
        .prepare_cached("SELECT coalesce(max(id), 0) FROM attempt")?
        .query_row([], |r| r.get(0))?)
}

/// Attempts stored after `mark` that fall in `scope`: each non-empty list of the scope must
/// match (organizations, applications, subscriptions). An empty scope matches nothing — the
/// incident does not know yet what it concerns.
pub fn attempts_since(
    conn: &Connection,
    mark: i64,
    scope: &Scope,
) -> Result<ScopeCounts, QueryError> {
    let lists = [
        ("o.uuid", &scope.organization_ids),
        ("ap.uuid", &scope.application_ids),
        ("s.uuid", &scope.subscription_ids),
    ];
    if lists.iter().all(|(_, ids)| ids.is_empty()) {
        return Ok(ScopeCounts::default());
    }
    let mut sql = String::from(
        "SELECT count(*), count(*) FILTER (WHERE a.status = ?2)
         FROM attempt a
         JOIN application ap ON ap.id = a.application_id
         LEFT JOIN organization o ON o.id = ap.organization_id
         JOIN subscription s ON s.id = a.subscription_id
         WHERE a.id > ?1",
    );
    let mut params = vec![
        Value::Integer(mark),
        Value::Integer(AttemptStatus::Failed.code()),
    ];
    for (column, ids) in lists.iter().filter(|(_, ids)| !ids.is_empty()) {
        let first = params.len() + 1;
        let marks: Vec<String> = (first..first + ids.len())
            .map(|i| format!("?{i}"))
            .collect();
        sql.push_str(&format!(" AND {column} IN ({})", marks.join(", ")));
        params.extend(ids.iter().map(|id| Value::Blob(id.as_bytes().to_vec())));
    }
    let (attempts, failed): (i64, i64) = conn
        .prepare(&sql)?
        .query_row(rusqlite::params_from_iter(params), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(ScopeCounts {
        attempts: u64::try_from(attempts).unwrap_or(0),
        failed: u64::try_from(failed).unwrap_or(0),
    })
}
