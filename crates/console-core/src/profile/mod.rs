//! Connection profiles: which Hook0 API to talk to, under which name, with which token.
//!
//! The profile list is kept in a JSON file in the data directory; tokens are not. Until the
//! vault exists, a real profile's token lives in this process's memory only and must be typed
//! again after a restart. The sandbox profile needs no secret: its address and token come from
//! the sandbox the app starts itself.
//!
//! A profile authenticates with an API token, or with a user's email and password: the
//! password signs in once and is dropped; the access and refresh tokens of the login are held
//! in memory like a token, in one [`crate::api::Session`] that every client of the profile
//! shares, so a refresh made by one is what the next one sends. The file keeps only the
//! email, so that "sign in again" knows whom to ask for.

mod draft;
mod file;
mod store;

pub(crate) use draft::valid_password;
pub use draft::{DraftAuth, ProfileDraft, ValidDraft};
pub use store::{ProfileError, ProfileStore, SandboxEndpoint};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// Where a profile points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ProfileKind {
    /// The built-in simulated Hook0 on loopback: never production, labelled as such.
    Sandbox,
    /// A real Hook0 API, hosted or self-hosted.
    Remote,
}

/// How a real profile signs in to Hook0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum AuthMethod {
    /// A service token (or a user's access token), pasted.
    #[default]
    ApiToken,
    /// A user's email and password: signed in once, then renewed with the refresh token
    /// until it expires.
    EmailPassword,
}

/// A profile as the UI sees it: everything but the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Profile {
    /// Stable id.
    pub id: Uuid,
    /// Operator-chosen name, unique.
    pub name: String,
    /// Sandbox or real API.
    pub kind: ProfileKind,
    /// The API base URL (for the sandbox: where it currently listens, or empty when stopped).
    pub api_base_url: String,
    /// The organization opened by default.
    pub default_organization_id: Option<Uuid>,
    /// Whether a token is available right now (in memory until the vault exists); for a
    /// signed-in user, whether the session can still be renewed.
    pub token_present: bool,
    /// Days of delivery history the local cache keeps; older data is purged after each
    /// sync. `None` keeps everything.
    pub cache_retention_days: Option<u32>,
    /// API token, or email and password.
    pub auth_method: AuthMethod,
    /// The email a user profile signs in with.
    pub sign_in_email: Option<String>,
    /// Minutes between automatic syncs; `None`: manual only.
    pub auto_sync_minutes: Option<u32>,
    /// No failure-spike notifications for this profile.
    pub notifications_muted: bool,
    /// Subscriptions whose failure spikes are not notified.
    pub muted_subscriptions: Vec<Uuid>,
}
