//! What a target answered to one attempt, with its body told apart as text or bytes.
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
use hook0_client::generated::Response;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::RecordError;

/// A response body, told apart by the rule in the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ResponseBody {
    /// The body as the target sent it (UTF-8, searchable).
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
    /// Hook0 response id (referenced by request attempts).
    pub response_id: Uuid,
    /// `E_HTTP`, `E_TIMEOUT`, `E_CONNECTION`, `E_DNS`…; `None` on success.
    pub error_name: Option<String>,
    /// The target's HTTP status; `None` for transport errors.
    pub http_code: Option<u16>,
    /// The target's response headers; `None` for transport errors.
    pub headers: Option<BTreeMap<String, String>>,
    /// The body (the worker's error text for transport errors).
    pub body: Option<ResponseBody>,
    /// Time the delivery took.
    pub elapsed_time_ms: Option<i64>,
}

impl ResponseRecord {
    /// Validates the generated model into a record.
    pub fn from_api(response: Response) -> Result<Self, RecordError> {
        let http_code = response
            .http_code
            .map(|code| u16::try_from(code).map_err(|_| RecordError::NotAnHttpStatus(code)))
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
}
