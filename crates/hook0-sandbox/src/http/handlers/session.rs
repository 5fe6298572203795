//! `POST auth/login`, `auth/refresh` and `auth/logout`, answering as Hook0 1.0.2 does: 201 with
//! a token pair for login and refresh (not 200), 204 with a JSON content type and no body for
//! logout; a wrong email or password is 401 `AuthFailedLogin`, an access token sent to
//! refresh is 401 `AuthFailedRefresh`, a used, expired or ended refresh token is 403
//! `AuthInvalidBiscuit`.

use super::Answer;
use crate::clock::to_datetime;
use crate::http::auth::bearer;
use crate::http::json;
use crate::http::problem::ApiError;
use crate::sessions::{Pair, RefreshRefusal};
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json as value;
use std::sync::Arc;

#[derive(Deserialize)]
struct LoginPost {
    email: String,
    password: String,
}

pub async fn login(State(shared): State<Arc<Shared>>, body: Bytes) -> Answer {
    let post: LoginPost = serde_json::from_slice(&body).map_err(|e| ApiError::json_payload(&e))?;
    let user = &shared.user;
    if !post.email.trim().eq_ignore_ascii_case(&user.email) || post.password != user.password {
        return Err(ApiError::problem("AuthFailedLogin"));
    }
    let pair = shared.sessions.lock().log_in(shared.clock.now());
    Ok(tokens(&shared, &pair))
}

pub async fn refresh(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    let token = bearer(&headers)?;
    if token == shared.service_token {
        return Err(ApiError::problem("AuthFailedRefresh"));
    }
    let refreshed = shared.sessions.lock().refresh(token, shared.clock.now());
    match refreshed {
        Ok(pair) => Ok(tokens(&shared, &pair)),
        Err(RefreshRefusal::NotARefreshToken) => Err(ApiError::problem("AuthFailedRefresh")),
        Err(RefreshRefusal::Invalid) => Err(ApiError::problem("AuthInvalidBiscuit")),
    }
}

pub async fn logout(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Answer {
    let token = bearer(&headers)?;
    if !shared.sessions.lock().log_out(token, shared.clock.now()) {
        return Err(ApiError::problem("AuthInvalidBiscuit"));
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

fn tokens(shared: &Shared, pair: &Pair) -> axum::response::Response {
    let user = &shared.user;
    let user_id = shared.store.read().organization.user_id;
    json(
        StatusCode::CREATED,
        &value!({
            "access_token": pair.access_token,
            "access_token_expiration": to_datetime(pair.access_expires_at),
            "refresh_token": pair.refresh_token,
            "refresh_token_expiration": to_datetime(pair.refresh_expires_at),
            "user_id": user_id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        }),
    )
}
