//! Who is calling: Hook0's bearer rules.
//!
//! No header → 401 `AuthNoAuthorizationHeader`. Anything but `Bearer <token>` (prefix
//! case-sensitive) or an unknown token → 403 `AuthInvalidBiscuit`. The service token is
//! organization-wide; an application secret (a UUID) only opens its own application, and any
//! other application or organization-level endpoint answers 403 `Forbidden` — as does an
//! unknown application id (Hook0 never says 404 for those). A signed-in user's live access
//! token reaches what the service token reaches; their refresh token is refused on the API
//! with 403 `Forbidden`, and an expired or ended one is 403 `AuthInvalidBiscuit`.

use super::problem::ApiError;
use crate::sessions::Bearer;
use crate::state::Shared;
use crate::store::Store;
use axum::http::{HeaderMap, header};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// The organization-wide service token.
    Service,
    /// An application secret, for this application index only.
    Application(u32),
    /// A signed-in user (editor of the one organization).
    User,
}

/// The token of `Authorization: Bearer <token>`: 401 without the header, 403 when it is not
/// of that form.
pub fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::problem("AuthNoAuthorizationHeader"));
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::problem("AuthInvalidBiscuit"))
}

pub fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Principal, ApiError> {
    let token = bearer(headers)?;
    if token == shared.service_token {
        return Ok(Principal::Service);
    }
    match shared.sessions.lock().classify(token, shared.clock.now()) {
        Bearer::Access => return Ok(Principal::User),
        Bearer::Refresh => return Err(ApiError::forbidden()),
        Bearer::Invalid => {}
    }
    if let Ok(secret) = Uuid::parse_str(token) {
        return shared
            .store
            .read()
            .application_by_secret(secret)
            .map(Principal::Application)
            .ok_or_else(|| ApiError::problem("AuthInvalidApplicationSecret"));
    }
    Err(ApiError::problem("AuthInvalidBiscuit"))
}

/// The application's index if `principal` may use it.
pub fn application(principal: Principal, store: &Store, id: Uuid) -> Result<u32, ApiError> {
    let index = store
        .application_index(id)
        .ok_or_else(ApiError::forbidden)?;
    match principal {
        Principal::Service | Principal::User => Ok(index),
        Principal::Application(own) if own == index => Ok(index),
        Principal::Application(_) => Err(ApiError::forbidden()),
    }
}

/// Organization-level endpoints: service token or user of this organization only.
pub fn organization(principal: Principal, store: &Store, id: Option<Uuid>) -> Result<(), ApiError> {
    match principal {
        Principal::Service | Principal::User if id.is_none_or(|id| id == store.organization.id) => {
            Ok(())
        }
        _ => Err(ApiError::forbidden()),
    }
}
