//! The middleware in front of every route: latency, storms, random 503s, rate limits, and
//! body damage on the way out.

use super::faults::{BodyFault, damage};
use super::problem::ApiError;
use crate::state::Shared;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

pub async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (latency, storm, unavailable) = {
        let mut faults = shared.faults.lock();
        (
            faults.latency(),
            faults.storm_remaining(),
            faults.roll_unavailable(),
        )
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if let Some(remaining) = storm {
        return ApiError::rate_limited(remaining.as_secs()).into_response();
    }
    if unavailable {
        return ApiError::unavailable().into_response();
    }
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |c| c.0.ip());
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Err(wait) = shared.limits.check(ip, token.as_deref()) {
        return ApiError::rate_limited(wait).into_response();
    }
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/json");
    if !response.status().is_success() || !is_json {
        return response;
    }
    let Some(fault) = shared.faults.lock().roll_body() else {
        return response;
    };
    damage_response(response, fault).await
}

async fn damage_response(response: Response, fault: BodyFault) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if bytes.is_empty() {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let damaged = damage(&bytes, fault);
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Ok(len) = HeaderValue::from_str(&damaged.len().to_string()) {
        parts.headers.insert(header::CONTENT_LENGTH, len);
    }
    Response::from_parts(parts, Body::from(damaged))
}
