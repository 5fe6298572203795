//! From what the API decoded to what the cache stores.

use uuid::Uuid;

use crate::api;
use crate::cache;

pub(super) fn event(application_id: Uuid, e: api::EventRecord) -> cache::EventRecord {
    let metadata = (!e.metadata.is_empty()).then(|| {
        serde_json::Value::Object(
            e.metadata
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect(),
        )
    });
    cache::EventRecord {
        event_id: e.event_id,
        application_id,
        event_type: e.event_type_name,
        content_type: e.payload.content_type,
        payload: e.payload.bytes,
        labels: e.labels,
        metadata,
        ip: (!e.ip.is_empty()).then_some(e.ip),
        occurred_at: e.occurred_at,
        received_at: e.received_at,
    }
}

pub(super) fn response(r: api::ResponseRecord) -> cache::ResponseRecord {
    cache::ResponseRecord {
        response_id: r.response_id,
        http_code: r.http_code.map(i64::from),
        headers: r.headers,
        body: r.body.map(|b| match b {
            api::ResponseBody::Text(text) => cache::ResponseBody::Text(text),
            api::ResponseBody::Bytes(bytes) => cache::ResponseBody::Bytes(bytes),
        }),
        elapsed_ms: r.elapsed_time_ms,
        error_name: r.error_name,
    }
}
