//! Organizations, applications and event types (read-only).

use super::{Answer, path_uuid};
use crate::http::auth::{self, authenticate};
use crate::http::problem::ApiError;
use crate::http::query::{Kind, extract};
use crate::http::{json, views};
use crate::state::Shared;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::json as value;
use std::sync::Arc;

pub async fn list(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let store = shared.store.read();
    auth::organization(principal, &store, None)?;
    Ok(json(StatusCode::OK, &[views::organization_short(&store)]))
}

pub async fn get(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let id = path_uuid(&id)?;
    let store = shared.store.read();
    auth::organization(principal, &store, Some(id))?;
    Ok(json(
        StatusCode::OK,
        &views::organization_info(&store, shared.clock.now()),
    ))
}

pub async fn applications(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let query = extract(uri.query(), &[("organization_id", Kind::Uuid, true)])?;
    let store = shared.store.read();
    auth::organization(
        principal,
        &store,
        Some(query.required_uuid("organization_id")?),
    )?;
    let apps: Vec<_> = store
        .applications
        .iter()
        .map(|a| views::application_short(&store, a))
        .collect();
    Ok(json(StatusCode::OK, &apps))
}

pub async fn application(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let id = path_uuid(&id)?;
    let store = shared.store.read();
    let index = auth::application(principal, &store, id)?;
    Ok(json(
        StatusCode::OK,
        &views::application_info(&store, index, shared.clock.now()),
    ))
}

fn event_type_value(t: &crate::model::EventType) -> serde_json::Value {
    value!({
        "service_name": t.service,
        "resource_type_name": t.resource,
        "verb_name": t.verb,
        "event_type_name": t.name,
    })
}

pub async fn event_types(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let query = extract(uri.query(), &[("application_id", Kind::Uuid, true)])?;
    let store = shared.store.read();
    let index = auth::application(principal, &store, query.required_uuid("application_id")?)?;
    let mut types: Vec<_> = store
        .applications
        .get(index as usize)
        .map(|a| a.event_types.iter().collect())
        .unwrap_or_default();
    types.sort_by(|a, b| a.name.cmp(&b.name));
    let body: Vec<_> = types.into_iter().map(event_type_value).collect();
    Ok(json(StatusCode::OK, &body))
}

pub async fn event_type(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
    Path(name): Path<String>,
) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let query = extract(uri.query(), &[("application_id", Kind::Uuid, true)])?;
    let store = shared.store.read();
    let index = auth::application(principal, &store, query.required_uuid("application_id")?)?;
    let found = store
        .applications
        .get(index as usize)
        .and_then(|a| a.event_types.iter().find(|t| t.name == name))
        .ok_or_else(ApiError::not_found)?;
    Ok(json(StatusCode::OK, &event_type_value(found)))
}
