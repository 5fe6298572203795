//! Request attempts (cursor-paged list, one attempt) and responses.
//!
//! The next page is only in `Link: <{public_url}api/v1/request_attempts?…>; rel="next"`, present
//! on every non-empty page; the query parameters are re-serialized from their parsed values
//! (so dates come back as `2026-11-29 14:25:30 UTC`), in the real server's order.

use super::{Answer, path_uuid};
use crate::clock::from_datetime;
use crate::http::auth::{self, authenticate};
use crate::http::problem::ApiError;
use crate::http::query::{Cursor, Fields, Kind, extract};
use crate::http::{json, views};
use crate::state::Shared;
use crate::store::Store;
use crate::store::paging::AttemptFilter;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use std::sync::Arc;
use uuid::Uuid;

const LIST_FIELDS: [crate::http::query::Field; 7] = [
    ("application_id", Kind::Uuid, true),
    ("event_id", Kind::Uuid, false),
    ("subscription_id", Kind::Uuid, false),
    ("pagination_cursor", Kind::Cursor, false),
    ("min_created_at", Kind::DateTime, false),
    ("max_created_at", Kind::DateTime, false),
    ("event.event_type_names", Kind::Text, false),
];

fn filter(store: &Store, app: u32, query: &Fields, now: i64) -> AttemptFilter {
    let names: Vec<&str> = query
        .text("event.event_type_names")
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let application = store.applications.get(app as usize);
    AttemptFilter {
        event: query.uuid("event_id").map(|id| {
            store.event_index(id).filter(|&e| {
                store
                    .events
                    .get(e as usize)
                    .is_some_and(|e| e.application == app)
            })
        }),
        subscription: query
            .uuid("subscription_id")
            .map(|id| store.subscription_index(id)),
        event_types: (!names.is_empty()).then(|| {
            names
                .iter()
                .filter_map(|n| application.and_then(|a| a.event_type_index(n)))
                .collect()
        }),
        min_created_at: query.datetime("min_created_at").map_or(0, from_datetime),
        max_created_at: query.datetime("max_created_at").map_or(now, from_datetime),
        cursor: query
            .cursor("pagination_cursor")
            .map_or((now, Uuid::nil()), |c| (from_datetime(c.date), c.id)),
    }
}

fn next_link(shared: &Shared, query: &Fields, last: Cursor) -> Option<HeaderValue> {
    let mut url = shared.public_url.join("api/v1/request_attempts").ok()?;
    {
        let mut pairs = url.query_pairs_mut();
        let uuid = |name| query.uuid(name).map(|v| v.to_string());
        let date = |name| query.datetime(name).map(|v| v.to_string());
        for (name, value) in [
            ("application_id", uuid("application_id")),
            ("event_id", uuid("event_id")),
            ("subscription_id", uuid("subscription_id")),
            ("min_created_at", date("min_created_at")),
            ("max_created_at", date("max_created_at")),
            (
                "event.event_type_names",
                query.text("event.event_type_names").map(str::to_owned),
            ),
        ] {
            if let Some(value) = value {
                pairs.append_pair(name, &value);
            }
        }
        pairs.append_pair("pagination_cursor", &last.encode());
    }
    HeaderValue::from_str(&format!("<{url}>; rel=\"next\"")).ok()
}

pub async fn list(State(shared): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Answer {
    let principal = authenticate(&shared, &headers)?;
    let query = extract(uri.query(), &LIST_FIELDS)?;
    let now = shared.clock.now();
    let store = shared.store.read();
    let app = auth::application(principal, &store, query.required_uuid("application_id")?)?;
    let page = store.page(app, &filter(&store, app, &query, now));
    let body: Vec<_> = page
        .iter()
        .filter_map(|&i| views::attempt(&store, i, now))
        .collect();
    let link = page.last().and_then(|&last| {
        let cursor = Cursor {
            date: crate::clock::to_datetime(store.attempt(last)?.created_at),
            id: store.attempt_id(last),
        };
        next_link(&shared, &query, cursor)
    });
    let mut response = json(StatusCode::OK, &body);
    if let Some(link) = link {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
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
    let now = shared.clock.now();
    let store = shared.store.read();
    let app = auth::application(principal, &store, query.required_uuid("application_id")?)?;
    let view = store
        .attempt_index(id)
        .filter(|&i| store.attempt_in_application(i, app))
        .and_then(|i| views::attempt(&store, i, now))
        .ok_or_else(ApiError::not_found)?;
    Ok(json(StatusCode::OK, &view))
}

pub async fn response(
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
    let view = store
        .response_index(id)
        .filter(|_| !gone)
        .filter(|&i| store.attempt_in_application(i, app))
        .and_then(|i| views::response(&store, i))
        .ok_or_else(ApiError::not_found)?;
    Ok(json(StatusCode::OK, &view))
}
