//! One subscription read back for a full-body update.
//!
//! Hook0's `PUT /subscriptions/{id}` replaces the subscription with the body: a field left out
//! is not "unchanged" but reset (metadata emptied, description removed). So a change of one
//! field is made from the subscription just read, field by field, from the JSON exactly as
//! the API sent it — not from the typed model, whose URL type could re-spell the target URL
//! and whose target type drops anything it does not know.

use hook0_client::generated::Subscription;
use serde_json::{Map, Value};

use super::ApiError;

/// A subscription as `GET subscriptions/{id}` returned it: the typed model to read, and the
/// JSON object it was decoded from, to write back.
#[derive(Debug, Clone)]
pub struct SubscriptionRead {
    /// The decoded subscription.
    pub subscription: Subscription,
    raw: Map<String, Value>,
}

/// What a `PUT` body carries of the subscription read: what Hook0's `SubscriptionPost` takes.
/// The legacy `label_key`/`label_value` pair is sent only when the subscription has no
/// `labels` object: sending both is refused (`LabelsAmbiguity`).
const CARRIED: [&str; 5] = [
    "application_id",
    "event_types",
    "description",
    "metadata",
    "target",
];

impl SubscriptionRead {
    /// Decodes a `GET subscriptions/{id}` body; `url` names it in errors.
    pub fn from_body(url: &str, body: &[u8]) -> Result<Self, ApiError> {
        let decode = |reason: String| ApiError::Decode {
            url: url.to_owned(),
            reason,
        };
        let value: Value = serde_json::from_slice(body).map_err(|e| decode(e.to_string()))?;
        let subscription: Subscription =
            serde_json::from_value(value.clone()).map_err(|e| decode(e.to_string()))?;
        let Value::Object(raw) = value else {
            return Err(decode("a subscription is a JSON object".to_owned()));
        };
        Ok(Self { subscription, raw })
    }

    /// The full `PUT` body that keeps every field as read and sets `is_enabled`.
    pub fn update_body(&self, is_enabled: bool) -> Value {
        let mut body = Map::new();
        for field in CARRIED {
            if let Some(value) = self.raw.get(field).filter(|v| !v.is_null()) {
                body.insert(field.to_owned(), value.clone());
            }
        }
        let labels = self
            .raw
            .get("labels")
            .filter(|v| v.as_object().is_some_and(|m| !m.is_empty()));
        match labels {
            Some(labels) => {
                body.insert("labels".to_owned(), labels.clone());
            }
            None => {
                for field in ["label_key", "label_value"] {
                    if let Some(value) = self.raw.get(field).filter(|v| !v.is_null()) {
                        body.insert(field.to_owned(), value.clone());
                    }
                }
            }
        }
        // An empty list is what every subscription without dedicated workers reads as;
        // naming workers is kept, an empty list is left to the server's default.
        if let Some(workers) = self
            .raw
            .get("dedicated_workers")
            .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
        {
            body.insert("dedicated_workers".to_owned(), workers.clone());
        }
        body.insert("is_enabled".to_owned(), Value::Bool(is_enabled));
        Value::Object(body)
    }
}
