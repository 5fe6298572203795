//! The HTTP API: Hook0 v1 routes under `/api/v1`, with the real server's edge behaviour.
//!
//! Each route answers with and without a trailing slash (the samples use none, the OpenAPI
//! paths end in one). Unknown routes are 404 with an empty body, wrong methods 405 with an
//! empty body; every request first passes the [`guard`] (faults, then rate limits).

pub mod auth;
pub mod faults;
pub mod guard;
mod handlers;
pub mod problem;
pub mod query;
pub mod ratelimit;
pub mod views;

use crate::state::Shared;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use handlers::{attempts, events, meta, organizations, session, subscriptions};
use std::sync::Arc;

type Routes = Router<Arc<Shared>>;

fn both(router: Routes, path: &str, methods: MethodRouter<Arc<Shared>>) -> Routes {
    router
        .route(path, methods.clone())
        .route(&format!("{path}/"), methods)
}

pub fn router(shared: Arc<Shared>) -> Router {
    let mut api = Routes::new();
    for (path, methods) in [
        ("/instance", get(meta::instance)),
        ("/health", get(meta::health)),
        ("/errors", get(meta::errors)),
        ("/payload_content_types", get(meta::payload_content_types)),
        ("/organizations", get(organizations::list)),
        ("/organizations/{id}", get(organizations::get)),
        ("/applications", get(organizations::applications)),
        ("/applications/{id}", get(organizations::application)),
        ("/event_types", get(organizations::event_types)),
        ("/event_types/{name}", get(organizations::event_type)),
        (
            "/subscriptions",
            get(subscriptions::list).post(subscriptions::create),
        ),
        (
            "/subscriptions/{id}",
            get(subscriptions::get)
                .put(subscriptions::update)
                .delete(subscriptions::delete),
        ),
        ("/events", get(events::list)),
        ("/events/{id}", get(events::get)),
        ("/events/{id}/replay", post(events::replay)),
        ("/event", post(events::ingest)),
        ("/request_attempts", get(attempts::list)),
        ("/request_attempts/{id}", get(attempts::get)),
        ("/responses/{id}", get(attempts::response)),
        ("/auth/login", post(session::login)),
        ("/auth/refresh", post(session::refresh)),
        ("/auth/logout", post(session::logout)),
    ] {
        api = both(api, path, methods);
    }
    Router::new()
        .nest("/api/v1", api)
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            guard::guard,
        ))
        .with_state(shared)
}

/// A JSON answer with Hook0's `content-type: application/json`.
pub fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
