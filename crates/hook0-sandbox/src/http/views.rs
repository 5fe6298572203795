//! JSON bodies, field for field as Hook0 1.0.2 writes them (key order is not kept: JSON
//! objects are unordered and the real server's own order varies).
//!
//! Where the captured samples and `openapi.json` disagree, the samples win: nullable fields are
//! written as `null` (the spec has no `nullable`), `attempt_trigger` does not exist in this
//! version, and `status` is the tagged object seen on the wire.

use crate::clock::{Micros, NONE, opt_datetime, to_datetime};
use crate::generator::content::{event_payload, response_content};
use crate::model::{Application, AttemptState, Event, Payload, ResponseKind, Subscription};
use crate::store::Store;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StatusView {
    Waiting {
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    },
    Pending {
        since: DateTime<Utc>,
    },
    InProgress {
        since: DateTime<Utc>,
    },
    Successful {
        at: DateTime<Utc>,
        full_processing_ms: i64,
    },
    Failed {
        at: DateTime<Utc>,
        full_processing_ms: i64,
    },
}

#[derive(Debug, Serialize)]
pub struct EventSummary<'a> {
    pub event_id: Uuid,
    pub event_type_name: &'a str,
}

#[derive(Debug, Serialize)]
pub struct SubscriptionSummary<'a> {
    pub subscription_id: Uuid,
    pub description: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct AttemptView<'a> {
    pub request_attempt_id: Uuid,
    pub event_id: Uuid,
    pub event: EventSummary<'a>,
    pub subscription: SubscriptionSummary<'a>,
    pub created_at: DateTime<Utc>,
    pub picked_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub succeeded_at: Option<DateTime<Utc>>,
    pub delay_until: Option<DateTime<Utc>>,
    pub response_id: Option<Uuid>,
    pub retry_count: u16,
    pub http_response_status: Option<u16>,
    pub status: StatusView,
}

/// Hook0's status rule: failed, successful, in progress, waiting (future `delay_until`),
/// pending; durations from `max(created_at, delay_until)`, truncated to milliseconds.
pub fn status(
    now: Micros,
    created_at: Micros,
    picked_at: Micros,
    failed_at: Micros,
    succeeded_at: Micros,
    delay_until: Micros,
) -> StatusView {
    let start = if delay_until == NONE {
        created_at
    } else {
        created_at.max(delay_until)
    };
    if failed_at != NONE {
        StatusView::Failed {
            at: to_datetime(failed_at),
            full_processing_ms: (failed_at - start) / 1_000,
        }
    } else if succeeded_at != NONE {
        StatusView::Successful {
            at: to_datetime(succeeded_at),
            full_processing_ms: (succeeded_at - start) / 1_000,
        }
    } else if picked_at != NONE {
        StatusView::InProgress {
            since: to_datetime(picked_at),
        }
    } else if delay_until != NONE && delay_until > now {
        StatusView::Waiting {
            since: to_datetime(created_at),
            until: to_datetime(delay_until),
        }
    } else {
        StatusView::Pending {
            since: to_datetime(created_at),
        }
    }
}

pub fn attempt(store: &Store, index: u32, now: Micros) -> Option<AttemptView<'_>> {
    let a = store.attempt(index)?;
    let event = store.events.get(a.event as usize)?;
    let sub = store.subscriptions.get(a.subscription as usize)?;
    let type_name = event_type_name(store, event);
    let (failed_at, succeeded_at) = match a.state {
        AttemptState::Failed => (a.finished_at, NONE),
        AttemptState::Succeeded => (NONE, a.finished_at),
        AttemptState::Open => (NONE, NONE),
    };
    Some(AttemptView {
        request_attempt_id: store.attempt_id(index),
        event_id: event.id,
        event: EventSummary {
            event_id: event.id,
            event_type_name: type_name,
        },
        subscription: SubscriptionSummary {
            subscription_id: sub.id,
            description: sub.description.as_deref(),
        },
        created_at: to_datetime(a.created_at),
        picked_at: opt_datetime(a.picked_at),
        failed_at: opt_datetime(failed_at),
        succeeded_at: opt_datetime(succeeded_at),
        delay_until: opt_datetime(a.delay_until),
        response_id: store.response_id(index),
        retry_count: a.retry_count,
        http_response_status: (a.http_status != 0).then_some(a.http_status),
        status: status(
            now,
            a.created_at,
            a.picked_at,
            failed_at,
            succeeded_at,
            a.delay_until,
        ),
    })
}

pub fn event_type_name<'a>(store: &'a Store, event: &Event) -> &'a str {
    store
        .applications
        .get(event.application as usize)
        .and_then(|a| a.event_types.get(usize::from(event.event_type)))
        .map_or("", |t| t.name.as_str())
}

pub fn payload_bytes(store: &Store, index: u32) -> Vec<u8> {
    let Some(event) = store.events.get(index as usize) else {
        return Vec::new();
    };
    match event.payload {
        Payload::Stored(i) => store.payloads.get(i as usize).cloned().unwrap_or_default(),
        Payload::Generated => event_payload(
            store.seed,
            index,
            event_type_name(store, event),
            event.content_type,
            event.occurred_at,
        ),
    }
}

/// An event as `GET /events/` (no payload) or `GET /events/{id}` (payload, base64) shows it.
pub fn event(store: &Store, index: u32, with_payload: bool) -> Value {
    let Some(e) = store.events.get(index as usize) else {
        return Value::Null;
    };
    let labels = store.labels.get(e.labels).cloned().unwrap_or_default();
    let metadata = store.metadata.get(e.metadata).cloned().unwrap_or_default();
    let ip = store.ips.get(e.ip).cloned().unwrap_or_default();
    let mut map = serde_json::Map::new();
    map.insert("event_id".into(), json!(e.id));
    map.insert("event_type_name".into(), json!(event_type_name(store, e)));
    if with_payload {
        map.insert(
            "payload".into(),
            json!(STANDARD.encode(payload_bytes(store, index))),
        );
    }
    map.insert(
        "payload_content_type".into(),
        json!(e.content_type.as_str()),
    );
    map.insert("ip".into(), json!(ip));
    map.insert("metadata".into(), json!(metadata));
    map.insert("occurred_at".into(), json!(to_datetime(e.occurred_at)));
    map.insert("received_at".into(), json!(to_datetime(e.received_at)));
    map.insert("labels".into(), json!(labels));
    Value::Object(map)
}

pub fn subscription(store: &Store, sub: &Subscription) -> Value {
    let app = store.applications.get(sub.application as usize);
    let event_types: Vec<&str> = sub
        .event_types
        .iter()
        .filter_map(|&t| app.and_then(|a| a.event_types.get(usize::from(t))))
        .map(|t| t.name.as_str())
        .collect();
    let (label_key, label_value) = sub
        .labels
        .iter()
        .next()
        .map_or(("", ""), |(k, v)| (k.as_str(), v.as_str()));
    let mut map = serde_json::Map::new();
    map.insert("application_id".into(), json!(app.map(|a| a.id)));
    map.insert("subscription_id".into(), json!(sub.id));
    map.insert("is_enabled".into(), json!(sub.is_enabled));
    map.insert("event_types".into(), json!(event_types));
    map.insert("description".into(), json!(sub.description));
    map.insert("secret".into(), json!(sub.secret));
    map.insert("metadata".into(), json!(sub.metadata));
    map.insert("label_key".into(), json!(label_key));
    map.insert("label_value".into(), json!(label_value));
    map.insert("labels".into(), json!(sub.labels));
    map.insert(
        "target".into(),
        json!({
            "type": "http",
            "method": sub.target.method,
            "url": sub.target.url,
            "headers": sub.target.headers,
        }),
    );
    map.insert("created_at".into(), json!(to_datetime(sub.created_at)));
    map.insert("updated_at".into(), json!(to_datetime(sub.updated_at)));
    map.insert("dedicated_workers".into(), json!([]));
    Value::Object(map)
}

fn events_today(store: &Store, app: Option<u32>, now: Micros) -> usize {
    let midnight = now - now.rem_euclid(86_400_000_000);
    store
        .applications
        .iter()
        .enumerate()
        .filter(|(i, _)| app.is_none_or(|a| a as usize == *i))
        .map(|(_, a)| {
            let events = &a.events;
            let first = events.partition_point(|&e| {
                store
                    .events
                    .get(e as usize)
                    .is_some_and(|e| e.received_at < midnight)
            });
            events.len() - first
        })
        .sum()
}

fn step(done: bool) -> &'static str {
    if done { "Done" } else { "ToDo" }
}

pub fn application_short(store: &Store, app: &Application) -> Value {
    json!({
        "application_id": app.id,
        "organization_id": store.organization.id,
        "name": app.name,
    })
}

pub fn application_info(store: &Store, index: u32, now: Micros) -> Value {
    let Some(app) = store.applications.get(index as usize) else {
        return Value::Null;
    };
    json!({
        "application_id": app.id,
        "organization_id": store.organization.id,
        "name": app.name,
        "quotas": {
            "events_per_day_limit": i32::MAX,
            "days_of_events_retention_limit": i32::MAX,
        },
        "consumption": { "events_per_day": events_today(store, Some(index), now) },
        "onboarding_steps": {
            "event_type": step(!app.event_types.is_empty()),
            "subscription": step(!app.subscriptions.is_empty()),
            "event": step(!app.events.is_empty()),
        },
    })
}

pub fn organization_short(store: &Store) -> Value {
    json!({
        "organization_id": store.organization.id,
        "role": "editor",
        "name": store.organization.name,
        "plan": null,
    })
}

pub fn organization_info(store: &Store, now: Micros) -> Value {
    let any = |f: &dyn Fn(&Application) -> bool| store.applications.iter().any(f);
    json!({
        "organization_id": store.organization.id,
        "name": store.organization.name,
        "plan": null,
        "users": [{
            "user_id": store.organization.user_id,
            "email": "operator@sandbox.hook0.invalid",
            "first_name": "Sandbox",
            "last_name": "Operator",
            "role": "editor",
        }],
        "quotas": {
            "members_per_organization_limit": i32::MAX,
            "applications_per_organization_limit": i32::MAX,
            "events_per_day_limit": i32::MAX,
            "days_of_events_retention_limit": i32::MAX,
        },
        "consumption": {
            "members": 1,
            "applications": store.applications.len(),
            "events_per_day": events_today(store, None, now),
        },
        "onboarding_steps": {
            "application": step(!store.applications.is_empty()),
            "event_type": step(any(&|a| !a.event_types.is_empty())),
            "subscription": step(any(&|a| !a.subscriptions.is_empty())),
            "event": step(any(&|a| !a.events.is_empty())),
        },
    })
}

/// `GET /responses/{id}`: body as text, or base64 when it is not UTF-8 — nothing says which.
pub fn response(store: &Store, index: u32) -> Option<Value> {
    let a = store.attempt(index)?;
    let kind = a.response?;
    let event = store.events.get(a.event as usize)?;
    let sub = store.subscriptions.get(a.subscription as usize)?;
    let content = response_content(
        store.seed,
        index,
        kind,
        a.http_status,
        &sub.target.url,
        a.finished_at,
        event_type_name(store, event),
    );
    let body = match String::from_utf8(content.body) {
        Ok(text) => text,
        Err(raw) => STANDARD.encode(raw.into_bytes()),
    };
    let headers: Option<BTreeMap<String, String>> = content.headers;
    Some(json!({
        "response_id": store.response_id(index),
        "response_error_name": kind.error_name(a.http_status),
        "http_code": (kind == ResponseKind::Http).then_some(a.http_status),
        "headers": headers,
        "body": body,
        "elapsed_time_ms": a.elapsed_ms,
    }))
}
