//! Subscriptions: list, get, create, full-body update (enable / disable) and delete.
//!
//! Disabling a subscription marks every unfinished attempt of it failed at once, with no
//! response; enabling it again does not bring them back — Hook0's behaviour.

use super::{Answer, path_uuid};
use crate::http::auth::{self, Principal, authenticate};
use crate::http::problem::ApiError;
use crate::http::query::{Kind, extract};
use crate::http::{json, views};
use crate::ids::{self, IdKind};
use crate::lifecycle::cancel_open_attempts;
use crate::model::{Labels, Subscription, Target};
use crate::options::Behaviour;
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

pub async fn list(State(shared): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let query = extract(uri.query(), &[("application_id", Kind::Uuid, true)])?;
    let store = shared.store.read();
    let app = auth::application(principal, &store, query.required_uuid("application_id")?)?;
    let body: Vec<_> = store
        .applications
        .get(app as usize)
        .map(|a| a.subscriptions.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|&s| store.subscriptions.get(s as usize))
        .filter(|s| s.deleted_at.is_none())
        .map(|s| views::subscription(&store, s))
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
    let query = extract(uri.query(), &[("application_id", Kind::Uuid, false)])?;
    let id = path_uuid(&id)?;
    let store = shared.store.read();
    let index = store.subscription_index(id);
    let owner = index
        .and_then(|s| store.subscriptions.get(s as usize))
        .and_then(|s| store.applications.get(s.application as usize))
        .map(|a| a.id);
    let app_id = query
        .uuid("application_id")
        .or(owner)
        .ok_or_else(ApiError::not_found)?;
    let app = auth::application(principal, &store, app_id)?;
    let sub = index
        .and_then(|s| store.subscriptions.get(s as usize))
        .filter(|s| s.application == app && s.deleted_at.is_none())
        .ok_or_else(ApiError::not_found)?;
    Ok(json(StatusCode::OK, &views::subscription(&store, sub)))
}

/// The index of `id` when it belongs to `app` and is not deleted; otherwise 404, as Hook0
/// answers for a subscription of another application or one already deleted.
fn live_subscription(store: &crate::store::Store, id: Uuid, app: u32) -> Result<u32, ApiError> {
    store
        .subscription_index(id)
        .filter(|&s| {
            store
                .subscriptions
                .get(s as usize)
                .is_some_and(|s| s.application == app && s.deleted_at.is_none())
        })
        .ok_or_else(ApiError::not_found)
}

/// `DELETE /subscriptions/{id}?application_id=…`: 204. Like disabling, it fails the
/// subscription's unfinished attempts at once; the subscription is then gone from lists,
/// reads and deliveries (its past attempts keep naming it).
pub async fn delete(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let query = extract(uri.query(), &[("application_id", Kind::Uuid, true)])?;
    let id = path_uuid(&id)?;
    let now = shared.clock.now();
    let mut store = shared.store.write();
    let app = auth::application(principal, &store, query.required_uuid("application_id")?)?;
    let index = live_subscription(&store, id, app)?;
    if let Some(sub) = store.subscriptions.get_mut(index as usize) {
        sub.deleted_at = Some(now);
        sub.updated_at = now;
    }
    cancel_open_attempts(&mut store, index, now);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A target URL; like Hook0, only http and https are accepted, at deserialization time.
#[derive(Debug)]
struct HttpUrl(String);

impl<'de> Deserialize<'de> for HttpUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        let url = url::Url::parse(&raw).map_err(serde::de::Error::custom)?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(serde::de::Error::custom(format!(
                "'{}' URLs are not allowed; use one of the following schemes: http, https",
                url.scheme()
            )));
        }
        Ok(Self(raw))
    }
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum TargetPost {
    Http {
        method: String,
        url: HttpUrl,
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
}

#[derive(Debug, Deserialize)]
struct SubscriptionPost {
    application_id: Uuid,
    is_enabled: bool,
    event_types: Vec<String>,
    description: Option<String>,
    metadata: Option<BTreeMap<String, String>>,
    labels: Option<Labels>,
    label_key: Option<String>,
    label_value: Option<String>,
    target: TargetPost,
    #[serde(default)]
    #[allow(dead_code)]
    dedicated_workers: Option<Vec<String>>,
}

/// What a valid body resolves to within its application.
struct Resolved {
    app: u32,
    event_types: Vec<u16>,
    labels: Labels,
    post: SubscriptionPost,
}

fn resolve(shared: &Shared, principal: Principal, body: &[u8]) -> Result<Resolved, ApiError> {
    let post: SubscriptionPost =
        serde_json::from_slice(body).map_err(|e| ApiError::json_payload(&e))?;
    let store = shared.store.read();
    let app = auth::application(principal, &store, post.application_id)?;
    let labels = match (&post.labels, &post.label_key, &post.label_value) {
        (Some(labels), None, None) if !labels.is_empty() => labels.clone(),
        (None, Some(k), Some(v)) => Labels::from([(k.clone(), v.clone())]),
        _ => return Err(ApiError::problem("LabelsAmbiguity")),
    };
    let application = store
        .applications
        .get(app as usize)
        .ok_or_else(ApiError::forbidden)?;
    let event_types = post
        .event_types
        .iter()
        .map(|name| application.event_type_index(name))
        .collect::<Option<Vec<u16>>>()
        .ok_or_else(|| ApiError::problem("EventTypeDoesNotExist"))?;
    Ok(Resolved {
        app,
        event_types,
        labels,
        post,
    })
}

fn target(post: &SubscriptionPost) -> Target {
    let TargetPost::Http {
        method,
        url,
        headers,
    } = &post.target;
    Target {
        method: method.clone(),
        url: url.0.clone(),
        headers: headers.clone(),
    }
}

pub async fn create(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let resolved = resolve(&shared, principal, &body)?;
    let now = shared.clock.now();
    let mut store = shared.store.write();
    let index = store.subscriptions.len() as u32;
    let seed = store.seed;
    let sub = Subscription {
        id: ids::v4(seed, IdKind::Subscription, u64::from(index)),
        application: resolved.app,
        is_enabled: resolved.post.is_enabled,
        deleted_at: None,
        event_types: resolved.event_types,
        description: resolved.post.description.clone(),
        secret: ids::v4(seed, IdKind::SubscriptionSecret, u64::from(index)),
        metadata: resolved.post.metadata.clone().unwrap_or_default(),
        labels: resolved.labels,
        target: target(&resolved.post),
        created_at: now,
        updated_at: now,
        behaviour: Behaviour::Succeed,
        attempts: Vec::new(),
    };
    store.subscriptions.push(sub);
    if let Some(app) = store.applications.get_mut(resolved.app as usize) {
        app.subscriptions.push(index);
    }
    let body = store
        .subscriptions
        .get(index as usize)
        .map(|s| views::subscription(&store, s));
    Ok(json(StatusCode::CREATED, &body))
}

pub async fn update(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let id = path_uuid(&id)?;
    let resolved = resolve(&shared, principal, &body)?;
    let now = shared.clock.now();
    let mut store = shared.store.write();
    let index = live_subscription(&store, id, resolved.app)?;
    let target = target(&resolved.post);
    let Some(sub) = store.subscriptions.get_mut(index as usize) else {
        return Err(ApiError::not_found());
    };
    let disabling = sub.is_enabled && !resolved.post.is_enabled;
    sub.is_enabled = resolved.post.is_enabled;
    sub.event_types = resolved.event_types;
    sub.description = resolved.post.description.clone();
    sub.metadata = resolved.post.metadata.clone().unwrap_or_default();
    sub.labels = resolved.labels;
    sub.target = target;
    sub.updated_at = now;
    if disabling {
        cancel_open_attempts(&mut store, index, now);
    }
    let body = store
        .subscriptions
        .get(index as usize)
        .map(|s| views::subscription(&store, s));
    Ok(json(StatusCode::OK, &body))
}
