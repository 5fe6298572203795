//! Decoded event payloads and response bodies.
//!
//! `GET events/{id}` always sends the payload base64-encoded, whatever its content type
//! (even `application/json`), so it is decoded once here and kept as bytes with its content
//! type; [`Payload::text`] gives the text when the bytes are UTF-8.
//!
//! `GET responses/{id}` sends the target's body as text, or as base64 when it was not UTF-8,
//! and nothing says which. The rule ([`ResponseBody::from_api`]): a body that is strict,
//! padded standard base64 *and* decodes to bytes that are not UTF-8 is binary
//! ([`ResponseBody::Bytes`]); anything else is [`ResponseBody::Text`], as sent. This is exact
//! for what Hook0 produces: it only base64-encodes bodies that are not UTF-8, so a decoding
//! that yields UTF-8 cannot be one of its encodings. The one case it cannot tell apart — a
//! target that itself answered with the base64 of non-UTF-8 bytes — is ambiguous on the
//! wire too, and the bytes are the more useful reading of it.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use chrono::{DateTime, Utc};
use hook0_client::generated::{EventWithPayload, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ApiError;

/// Accepts payloads with or without `=` padding (the API pads; proxies and older servers
/// may not).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

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
    /// base64 is a [`ApiError::Decode`].
    pub fn from_base64(content_type: &str, encoded: &str) -> Result<Self, ApiError> {
        let bytes = LENIENT
            .decode(encoded.trim())
            .map_err(|e| ApiError::Decode {
                url: String::new(),
                reason: format!("the event payload is not base64: {e}"),
            })?;
        Ok(Self {
            content_type: content_type.to_owned(),
            bytes,
        })
    }

    /// The payload as text, when it is UTF-8 (JSON and text payloads always are).
    pub fn text(&self) -> Option<&str> {
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
    /// Address the event was ingested from.
    pub ip: String,
    /// When the producer says it happened.
    pub occurred_at: DateTime<Utc>,
    /// When Hook0 received it.
    pub received_at: DateTime<Utc>,
}

impl EventRecord {
    /// Validates the generated model into a record.
    pub fn from_api(event: EventWithPayload) -> Result<Self, ApiError> {
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
    field: &str,
    value: &serde_json::Value,
) -> Result<BTreeMap<String, String>, ApiError> {
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
        other => Err(ApiError::Decode {
            url: String::new(),
            reason: format!("`{field}` should be an object, found {other}"),
        }),
    }
}

/// A response body, told apart by the rule in the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ResponseBody {
    /// The body as the target sent it (UTF-8).
    Text(String),
    /// A body that was not UTF-8, decoded from the API's base64.
    Bytes(Vec<u8>),
}

impl ResponseBody {
    /// Applies the rule: strict padded base64 that decodes to non-UTF-8 bytes → `Bytes`;
    /// everything else → `Text`.
    pub fn from_api(body: String) -> Self {
        if body.is_empty() || body.len() % 4 != 0 {
            return Self::Text(body);
        }
        match STANDARD.decode(body.as_bytes()) {
            Ok(bytes) if std::str::from_utf8(&bytes).is_err() => Self::Bytes(bytes),
            _ => Self::Text(body),
        }
    }

    /// The text, when the body is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            Self::Bytes(_) => None,
        }
    }
}

/// What a target answered to one attempt (`GET responses/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseRecord {
    /// Hook0 response id.
    pub response_id: Uuid,
    /// `E_HTTP`, `E_TIMEOUT`, `E_CONNECTION`, `E_DNS`…; `None` on success.
    pub error_name: Option<String>,
    /// The target's HTTP status; `None` for transport errors.
    pub http_code: Option<u16>,
    /// The target's response headers; `None` for transport errors.
    pub headers: Option<BTreeMap<String, String>>,
    /// The body (the error text for transport errors).
    pub body: Option<ResponseBody>,
    /// Time the delivery took.
    pub elapsed_time_ms: Option<i64>,
}

impl ResponseRecord {
    /// Validates the generated model into a record.
    pub fn from_api(response: Response) -> Result<Self, ApiError> {
        let http_code = response
            .http_code
            .map(|code| {
                u16::try_from(code).map_err(|_| ApiError::Decode {
                    url: String::new(),
                    reason: format!("http_code {code} is not an HTTP status"),
                })
            })
            .transpose()?;
        Ok(Self {
            response_id: response.response_id,
            error_name: response.response_error_name,
            http_code,
            headers: response.headers.map(|h| h.into_iter().collect()),
            body: response.body.map(ResponseBody::from_api),
            elapsed_time_ms: response.elapsed_time_ms.map(i64::from),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_bodies_follow_the_rule() {
        assert_eq!(
            ResponseBody::from_api("{\"ok\":true}".into()),
            ResponseBody::Text("{\"ok\":true}".into())
        );
        // Base64 of UTF-8 text: Hook0 would have sent the text itself, so it is text.
        assert_eq!(
            ResponseBody::from_api("dGVzdA==".into()),
            ResponseBody::Text("dGVzdA==".into())
        );
        // Base64 of gzip magic + high bytes: binary.
        let raw = vec![0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe];
        assert_eq!(
            ResponseBody::from_api(STANDARD.encode(&raw)),
            ResponseBody::Bytes(raw)
        );
        assert_eq!(
            ResponseBody::from_api(String::new()),
            ResponseBody::Text(String::new())
        );
    }

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
        assert!(Payload::from_base64("text/plain", "not base64!").is_err());
    }
}
