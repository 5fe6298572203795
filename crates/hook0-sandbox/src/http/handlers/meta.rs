//! Unauthenticated instance endpoints.

use super::Answer;
use crate::http::json;
use crate::http::problem::CATALOGUE_JSON;
use crate::rng::mix;
use crate::state::Shared;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json as value;
use std::sync::Arc;

pub async fn instance(State(shared): State<Arc<Shared>>) -> Answer {
    let seed = shared.store.read().seed;
    let key: String = (0..4)
        .map(|i| format!("{:016x}", mix(seed ^ (0xB15C_0000 + i))))
        .collect();
    Ok(json(
        StatusCode::OK,
        &value!({
            "biscuit_public_key": key,
            "registration_disabled": true,
            "password_minimum_length": 12,
            "auto_db_migration": true,
            "application_secret_compatibility": true,
            "quota_enforcement": false,
            "matomo": null,
            "formbricks": null,
            "support_email_address": "support@sandbox.hook0.invalid",
            "cloudflare_turnstile_site_key": null,
        }),
    ))
}

pub async fn health() -> Answer {
    Ok(json(
        StatusCode::OK,
        &value!({
            "database": true,
            "pulsar": null,
            "object_storage": null,
            "database_duration_ms": 0,
            "pulsar_duration_ms": null,
            "object_storage_duration_ms": null,
            "total_duration_ms": 0,
        }),
    ))
}

/// The real server's catalogue of problems, verbatim.
pub async fn errors() -> Answer {
    let mut response = (StatusCode::OK, CATALOGUE_JSON).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

pub async fn payload_content_types() -> Answer {
    Ok(json(
        StatusCode::OK,
        &[
            "text/plain",
            "application/json",
            "application/octet-stream+base64",
        ],
    ))
}
