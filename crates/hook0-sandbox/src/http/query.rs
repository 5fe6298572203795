//! Query strings read the way actix-web's `Query<T>` (serde_urlencoded) reads them.
//!
//! Fields are decoded in the order they appear, so the first bad value wins; a repeated field
//! is an error; missing required fields are reported after all pairs were read; unknown fields
//! are ignored. Errors become 400 `text/plain` "Query deserialize error: …" with the same
//! wording as the real server for the cases captured in the samples.

use super::problem::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// The pagination cursor, as base64url(JSON) in `pagination_cursor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub date: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(value: &str) -> Result<Self, String> {
        let bytes = URL_SAFE.decode(value).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Uuid,
    DateTime,
    Text,
    Cursor,
}

#[derive(Debug, Clone)]
pub enum Value {
    Uuid(Uuid),
    DateTime(DateTime<Utc>),
    Text(String),
    Cursor(Cursor),
}

/// One expected field: name, kind, required.
pub type Field = (&'static str, Kind, bool);

/// The decoded fields of a query string.
#[derive(Debug, Default)]
pub struct Fields(HashMap<&'static str, Value>);

/// The message serde's `Uuid` deserializer gives for a bad UUID string.
pub fn uuid_error(input: &str) -> String {
    match input
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_hexdigit() || *c == '-'))
    {
        Some((index, c)) => {
            format!("UUID parsing failed: invalid character: found `{c}` at {index}")
        }
        None => format!(
            "UUID parsing failed: invalid length: expected length 32 for simple format, found {}",
            input.chars().filter(|c| *c != '-').count()
        ),
    }
}

pub fn parse_uuid(input: &str) -> Result<Uuid, String> {
    Uuid::parse_str(input).map_err(|_| uuid_error(input))
}

/// Accepts RFC 3339 and chrono's display form (`2026-11-29 14:25:30 UTC`) that Hook0's own
/// `Link` headers carry.
pub fn parse_datetime(input: &str) -> Result<DateTime<Utc>, String> {
    match input.parse::<DateTime<Utc>>() {
        Ok(value) => Ok(value),
        Err(error) => input
            .strip_suffix(" UTC")
            .and_then(|naive| {
                chrono::NaiveDateTime::parse_from_str(naive, "%Y-%m-%d %H:%M:%S%.f").ok()
            })
            .map(|naive| naive.and_utc())
            .ok_or_else(|| error.to_string()),
    }
}

/// Decodes `raw` against `spec`.
pub fn extract(raw: Option<&str>, spec: &[Field]) -> Result<Fields, ApiError> {
    let mut fields = Fields::default();
    for (name, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let Some(&(field, kind, _)) = spec.iter().find(|(n, _, _)| *n == name) else {
            continue;
        };
        if fields.0.contains_key(field) {
            return Err(ApiError::query(format!("duplicate field `{field}`")));
        }
        let decoded = match kind {
            Kind::Uuid => parse_uuid(&value).map(Value::Uuid),
            Kind::DateTime => parse_datetime(&value).map(Value::DateTime),
            Kind::Text => Ok(Value::Text(value.into_owned())),
            Kind::Cursor => Cursor::decode(&value).map(Value::Cursor),
        }
        .map_err(ApiError::query)?;
        fields.0.insert(field, decoded);
    }
    if let Some((name, _, _)) = spec
        .iter()
        .find(|(name, _, required)| *required && !fields.0.contains_key(name))
    {
        return Err(ApiError::query(format!("missing field `{name}`")));
    }
    Ok(fields)
}

impl Fields {
    pub fn uuid(&self, name: &str) -> Option<Uuid> {
        match self.0.get(name) {
            Some(Value::Uuid(v)) => Some(*v),
            _ => None,
        }
    }

    /// A required UUID field (guaranteed by [`extract`]); `Forbidden` if somehow absent.
    pub fn required_uuid(&self, name: &str) -> Result<Uuid, ApiError> {
        self.uuid(name).ok_or_else(ApiError::forbidden)
    }

    pub fn datetime(&self, name: &str) -> Option<DateTime<Utc>> {
        match self.0.get(name) {
            Some(Value::DateTime(v)) => Some(*v),
            _ => None,
        }
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        match self.0.get(name) {
            Some(Value::Text(v)) => Some(v),
            _ => None,
        }
    }

    pub fn cursor(&self, name: &str) -> Option<Cursor> {
        match self.0.get(name) {
            Some(Value::Cursor(v)) => Some(*v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_like_the_real_server() {
        let spec = [
            ("application_id", Kind::Uuid, true),
            ("pagination_cursor", Kind::Cursor, false),
        ];
        let message = |raw: Option<&str>| match extract(raw, &spec) {
            Err(ApiError::Text { message, .. }) => message,
            other => format!("unexpected {other:?}"),
        };
        assert_eq!(
            message(None),
            "Query deserialize error: missing field `application_id`"
        );
        assert_eq!(
            message(Some("application_id=zzz")),
            "Query deserialize error: UUID parsing failed: invalid character: found `z` at 0"
        );
        assert_eq!(
            message(Some(
                "application_id=592390e9-14bc-4218-b5cd-0a6d23877528&pagination_cursor=garbage"
            )),
            "Query deserialize error: Invalid padding"
        );
    }

    #[test]
    fn dates_come_back_in_display_form() {
        let parsed = parse_datetime("2026-11-29 13:58:19.804028 UTC");
        assert_eq!(
            parsed.map(|d| d.to_rfc3339()),
            Ok("2026-11-29T13:58:19.804028+00:00".to_owned())
        );
        assert!(parse_datetime("2026-11-29T13:58:19.804028Z").is_ok());
    }

    #[test]
    fn the_real_cursor_decodes() {
        let real = "eyJkYXRlIjoiMjAyNi0xMS0yOVQxMzo1ODowMy4yMTY1MDNaIiwiaWQiOiIwMWEyMjc5OS0zYWQwLTc4NDktOTI1Yi05NWEwZDgzMzQzNGEifQ==";
        let cursor = Cursor::decode(real);
        assert!(cursor.is_ok(), "{cursor:?}");
        assert_eq!(
            cursor.map(|c| c.encode()),
            Ok(real.to_owned()),
            "re-encodes identically"
        );
    }
}
