//! Events with their payload decoded.
//!
//! `GET events/{id}` always sends the payload base64-encoded, whatever its content type
//! (even `application/json`), so it is decoded once here and kept as bytes with its content
//! type; [`Payload::text`] gives the text when there is one.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use chrono::{DateTime, Utc};
use hook0_client::generated::EventWithPayload;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::RecordError;

/// Accepts payloads with or without `=` padding (the API pads; proxies and older servers
/// may not).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Content types whose bytes are never text, even when they happen to be valid UTF-8: the
/// producer said they are binary, so searching them as text would be wrong.
const BINARY_CONTENT_TYPE: &str = "application/octet-stream+base64";

/// An event payload: the decoded bytes and the content type they were sent with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    /// As sent at ingestion: `application/json`, `text/plain`,
    /// `application/octet-stream+base64`, …
    pub content_type: String,
    /// The payload itself, decoded from base64.
    pub bytes: Vec<u8>,
}

impl Payload {
    /// Decodes the API's base64 form. Blanks around it are ignored; anything else that is not
    /// base64 is a [`RecordError::NotBase64`].
    pub fn from_base64(content_type: &str, encoded: &str) -> Result<Self, RecordError> {
        let bytes = LENIENT
            .decode(encoded.trim())
            .map_err(|e| RecordError::NotBase64(e.to_string()))?;
        Ok(Self {
            content_type: content_type.to_owned(),
            bytes,
        })
    }

    /// The payload as text: when it is UTF-8 and not declared binary (JSON and text payloads
    /// always are text).
    pub fn text(&self) -> Option<&str> {
        if self.content_type == BINARY_CONTENT_TYPE {
            return None;
        }
        std::str::from_utf8(&self.bytes).ok()
    }
}

/// An event with its payload decoded (`GET events/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Hook0 event id.
    pub event_id: Uuid,
    /// `service.resource.verb`.
    pub event_type_name: String,
    /// The payload and its content type.
    pub payload: Payload,
    /// Labels used for routing (string → string).
    pub labels: BTreeMap<String, String>,
    /// Free metadata (string → string), empty when none.
    pub metadata: BTreeMap<String, String>,
    /// Address the event was ingested from; empty when Hook0 recorded none.
    pub ip: String,
    /// When the producer says it happened.
    pub occurred_at: DateTime<Utc>,
    /// When Hook0 received it.
    pub received_at: DateTime<Utc>,
}

impl EventRecord {
    /// Validates the generated model into a record.
    pub fn from_api(event: EventWithPayload) -> Result<Self, RecordError> {
        Ok(Self {
            payload: Payload::from_base64(&event.payload_content_type, &event.payload)?,
            labels: string_map("labels", &event.labels)?,
            metadata: match &event.metadata {
                Some(value) => string_map("metadata", value)?,
                None => BTreeMap::new(),
            },
            event_id: event.event_id,
            event_type_name: event.event_type_name,
            ip: event.ip,
            occurred_at: event.occurred_at,
            received_at: event.received_at,
        })
    }
}

/// A JSON object of strings; `null` is empty; other scalar values are kept as their JSON text.
fn string_map(
    field: &'static str,
    value: &serde_json::Value,
) -> Result<BTreeMap<String, String>, RecordError> {
    match value {
        serde_json::Value::Null => Ok(BTreeMap::new()),
        serde_json::Value::Object(map) => Ok(map
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect()),
        other => Err(RecordError::NotAnObject {
            field,
            found: other.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_decode_with_or_without_padding() {
        let padded = Payload::from_base64("text/plain", "cGxhaW4=");
        let bare = Payload::from_base64("text/plain", "cGxhaW4");
        assert_eq!(
            padded.ok().and_then(|p| p.text().map(str::to_owned)),
            Some("plain".into())
        );
        assert_eq!(
            bare.ok().and_then(|p| p.text().map(str::to_owned)),
            Some("plain".into())
        );
        assert!(matches!(
            Payload::from_base64("text/plain", "not base64!"),
            Err(RecordError::NotBase64(_))
        ));
    }

    #[test]
    fn declared_binary_is_never_text() {
        let payload = Payload {
            content_type: BINARY_CONTENT_TYPE.into(),
            bytes: b"looks like text".to_vec(),
        };
        assert_eq!(payload.text(), None);
    }
}
