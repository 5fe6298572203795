//! Stored forms: instants as microseconds, ids as 16-byte blobs, and the checks on the free
//! texts operators type (titles, names, notes).

use chrono::{DateTime, Utc};
use rusqlite::types::Type;
use uuid::Uuid;

use crate::incident::error::IncidentError;

/// Longest title.
pub(super) const MAX_TITLE_CHARS: usize = 200;
/// Longest person name in a role or as an author.
pub(super) const MAX_NAME_CHARS: usize = 120;
/// Longest note, timeline text or reason.
pub(super) const MAX_NOTE_CHARS: usize = 10_000;
/// Most ids of one kind in a scope.
pub(super) const MAX_SCOPE_IDS: usize = 1_000;

pub(super) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub(super) fn opt_micros(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(micros)
}

/// Reads an instant column; a value out of range is a damaged row, not a panic.
pub(super) fn instant(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let us: i64 = row.get(idx)?;
    DateTime::<Utc>::from_timestamp_micros(us).ok_or_else(|| bad(idx, Type::Integer, "instant"))
}

pub(super) fn opt_instant(
    row: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let us: Option<i64> = row.get(idx)?;
    us.map(|us| {
        DateTime::<Utc>::from_timestamp_micros(us).ok_or_else(|| bad(idx, Type::Integer, "instant"))
    })
    .transpose()
}

pub(super) fn uuid(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Uuid> {
    let bytes: Vec<u8> = row.get(idx)?;
    Uuid::from_slice(&bytes).map_err(|_| bad(idx, Type::Blob, "uuid"))
}

/// Parses a stored enumeration name with `parse`.
pub(super) fn named<T>(
    row: &rusqlite::Row<'_>,
    idx: usize,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let name: String = row.get(idx)?;
    parse(&name).ok_or_else(|| bad(idx, Type::Text, "name"))
}

pub(super) fn json<T: serde::de::DeserializeOwned>(
    row: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

pub(super) fn u32_col(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<u32> {
    let v: i64 = row.get(idx)?;
    u32::try_from(v)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Integer, Box::new(e)))
}

fn bad(idx: usize, ty: Type, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, ty, format!("not a valid {what}").into())
}

/// A required text: trimmed, not empty, not longer than `max` characters.
pub(super) fn required_text(field: &str, value: &str, max: usize) -> Result<String, IncidentError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(IncidentError::InvalidInput(format!(
            "{field} must not be empty"
        )));
    }
    if v.chars().count() > max {
        return Err(IncidentError::InvalidInput(format!(
            "{field} is longer than {max} characters"
        )));
    }
    Ok(v.to_owned())
}

/// An optional text: blank means absent.
pub(super) fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, IncidentError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => required_text(field, v, max).map(Some),
        None => Ok(None),
    }
}

/// Refuses an instant after `now`: the records say what happened, not what is planned.
pub(super) fn not_future(
    field: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), IncidentError> {
    if at > now {
        return Err(IncidentError::InvalidInput(format!(
            "{field} ({at}) is in the future"
        )));
    }
    Ok(())
}
