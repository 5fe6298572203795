//! Events: the latest-100 list, one event with its payload, ingestion and replay.
//!
//! Ingestion validates like Hook0 1.0.2: serde errors on the body are 400 `JsonPayload`, empty
//! labels 422 `Validation`, then the application (403), the payload content type, the payload
//! itself, the event type, and finally the idempotency key (409 `EventAlreadyIngested`).
//! Replay answers 204 with an empty body yet a JSON content type, and fans the event out again
//! to every subscription matching at that moment — not idempotent, never 409.

use super::{Answer, path_uuid};
use crate::clock::{MICROS_PER_MS, from_datetime};
use crate::http::auth::{self, authenticate};
use crate::http::problem::ApiError;
use crate::http::query::{Kind, extract};
use crate::http::{json, views};
use crate::ids::{self, IdKind};
use crate::lifecycle::fan_out;
use crate::model::{ContentType, Event, Labels, Payload};
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::IntoResponse;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json as value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use uuid::Uuid;

const LIST_LIMIT: usize = 100;

pub async fn list(State(shared): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let query = extract(uri.query(), &[("application_id", Kind::Uuid, true)])?;
    let store = shared.store.read();
    let app = auth::application(principal, &store, query.required_uuid("application_id")?)?;
    let events = store
        .applications
        .get(app as usize)
        .map(|a| a.events.as_slice())
        .unwrap_or_default();
    let body: Vec<_> = events
        .iter()
        .rev()
        .take(LIST_LIMIT)
        .map(|&e| views::event(&store, e, false))
        .collect();
    Ok(json(StatusCode::OK, &body))
}

pub async fn get(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let query = extract(uri.query(), &[("application_id", Kind::Uuid, true)])?;
    let id = path_uuid(&id)?;
    let gone = shared.expiry.lock().ask(id);
    let store = shared.store.read();
    let app = auth::application(principal, &store, query.required_uuid("application_id")?)?;
    let index = store
        .event_in_application(id, app)
        .filter(|_| !gone)
        .ok_or_else(ApiError::not_found)?;
    Ok(json(StatusCode::OK, &views::event(&store, index, true)))
}

#[derive(Debug, Deserialize)]
struct EventPost {
    application_id: Uuid,
    event_id: Option<Uuid>,
    event_type: String,
    payload: String,
    payload_content_type: String,
    metadata: Option<BTreeMap<String, String>>,
    occurred_at: DateTime<Utc>,
    labels: Labels,
}

fn empty_labels() -> ApiError {
    let message = "Labels object must have at least 1 properties";
    ApiError::Problem {
        id: "Validation",
        detail: Some(format!("labels: {message}")),
        validation: Some(value!({
            "labels": [{"code": "labels-size", "message": message, "params": {"value": {}}}]
        })),
        retry_after: None,
    }
}

pub async fn ingest(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let post: EventPost = serde_json::from_slice(&body).map_err(|e| ApiError::json_payload(&e))?;
    if post.labels.is_empty() {
        return Err(empty_labels());
    }
    let now = shared.clock.now();
    let mut store = shared.store.write();
    let app = auth::application(principal, &store, post.application_id)?;
    let content_type = ContentType::parse(&post.payload_content_type)
        .ok_or_else(|| ApiError::problem("EventInvalidPayloadContentType"))?;
    let payload = match content_type {
        ContentType::Json => {
            serde_json::from_str::<serde_json::Value>(&post.payload).map_err(|e| {
                ApiError::with_detail(
                    "EventInvalidJsonPayload",
                    format!("Event payload is not encoded in valid JSON format: {e}."),
                )
            })?;
            post.payload.into_bytes()
        }
        ContentType::Text => post.payload.into_bytes(),
        ContentType::Binary => STANDARD
            .decode(post.payload.as_bytes())
            .map_err(|_| ApiError::problem("EventInvalidBase64Payload"))?,
    };
    let event_type = store
        .applications
        .get(app as usize)
        .and_then(|a| a.event_type_index(&post.event_type))
        .ok_or_else(|| ApiError::problem("EventTypeDoesNotExist"))?;
    if let Some(id) = post.event_id
        && store.event_index(id).is_some()
    {
        return Err(ApiError::problem("EventAlreadyIngested"));
    }
    let index = store.events.len() as u32;
    let id = post
        .event_id
        .unwrap_or_else(|| ids::v7(store.seed, IdKind::Event, index, now / MICROS_PER_MS));
    if post.event_id.is_some() {
        store.foreign_event_ids.insert(id, index);
    }
    let labels = store.labels.intern(post.labels);
    let metadata = store.metadata.intern(post.metadata.unwrap_or_default());
    let ip = store.ips.intern(peer.ip().to_string());
    let stored = store.payloads.len() as u32;
    store.payloads.push(payload);
    store.events.push(Event {
        id,
        application: app,
        event_type,
        received_at: now,
        occurred_at: from_datetime(post.occurred_at),
        labels,
        metadata,
        ip,
        content_type,
        payload: Payload::Stored(stored),
        first_attempt: 0,
        attempt_count: 0,
    });
    if let Some(a) = store.applications.get_mut(app as usize) {
        a.events.push(index);
    }
    fan_out(&mut store, index, now);
    drop(store);
    shared.wake.notify_one();
    Ok(json(
        StatusCode::CREATED,
        &value!({
            "application_id": post.application_id,
            "event_id": id,
            "received_at": crate::clock::to_datetime(now),
        }),
    ))
}

#[derive(Debug, Deserialize)]
struct ReplayPost {
    application_id: Uuid,
}

pub async fn replay(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let id = path_uuid(&id)?;
    let post: ReplayPost = serde_json::from_slice(&body).map_err(|e| ApiError::json_payload(&e))?;
    let now = shared.clock.now();
    let mut store = shared.store.write();
    let app = auth::application(principal, &store, post.application_id)?;
    let index = store
        .event_in_application(id, app)
        .ok_or_else(ApiError::not_found)?;
    fan_out(&mut store, index, now);
    // Counted before the lock is released: once a client could observe the new attempts,
    // the count includes them.
    *shared.replays.lock().entry(id).or_default() += 1;
    drop(store);
    shared.wake.notify_one();
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}
