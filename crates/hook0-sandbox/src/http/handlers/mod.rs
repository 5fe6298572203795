//! Route handlers, one file per area. Each authenticates first (as Hook0's middleware does),
//! then reads the query string, then the path, then the body — the order in which actix-web
//! runs the real handlers' extractors, which decides which error wins.

pub mod attempts;
pub mod events;
pub mod meta;
pub mod organizations;
pub mod session;
pub mod subscriptions;

use super::problem::ApiError;
use super::query::parse_uuid;
use axum::response::Response;
use uuid::Uuid;

pub type Answer = Result<Response, ApiError>;

/// A UUID path segment; a bad one is 404 text/plain like actix-web's `Path<Uuid>`.
pub fn path_uuid(segment: &str) -> Result<Uuid, ApiError> {
    parse_uuid(segment).map_err(ApiError::path)
}
