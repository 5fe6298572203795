//! What a client authenticates with, and the refresh of user sessions.
//!
//! A service token (Biscuit) or an application secret never expires, so it is sent as it is.
//! A user login gives an access token (5 minutes) and a refresh token (30 minutes): when the
//! API answers 403 `AuthInvalidBiscuit` and a refresh token is held, the client calls
//! `POST auth/refresh` with the refresh token as bearer and no body (201, a new pair), swaps
//! the pair in and sends the request once more. The used refresh token dies at once, so
//! concurrent requests that all met the 403 share one refresh (a generation counter tells
//! them someone else already did it). Secrets stay in [`SecretString`]s and are marked
//! sensitive in headers; nothing here prints them.
//!
//! A [`Session`] is that state shared: every client built from one session sends what the
//! last refresh installed and waits on the same refresh, so two clients of one profile never
//! spend the same single-use refresh token twice, and a client built later starts from the
//! fresh pair.

use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::ApiError;

/// The tokens of a user login.
#[derive(Debug, Clone)]
pub struct UserTokens {
    /// Short-lived bearer for API calls.
    pub access_token: SecretString,
    /// Exchanged for a new pair; single use.
    pub refresh_token: Option<SecretString>,
    /// When the access token expires, if known.
    pub access_token_expiration: Option<DateTime<Utc>>,
    /// When the refresh token expires, if known.
    pub refresh_token_expiration: Option<DateTime<Utc>>,
}

/// What a client sends as `Authorization`.
#[derive(Debug, Clone, Default)]
pub enum Credentials {
    /// No header (public endpoints, tests of the 401 path).
    #[default]
    Anonymous,
    /// A service token or an application secret: sent as it is, never refreshed.
    Bearer(SecretString),
    /// A user login: refreshed on 403 `AuthInvalidBiscuit` when a refresh token is held.
    User(UserTokens),
}

/// The body of `POST auth/refresh` (and of login), read straight into secrets.
#[derive(Deserialize)]
pub(crate) struct RawTokenPair {
    access_token: String,
    refresh_token: String,
    #[serde(default)]
    access_token_expiration: Option<DateTime<Utc>>,
    #[serde(default)]
    refresh_token_expiration: Option<DateTime<Utc>>,
}

impl From<RawTokenPair> for UserTokens {
    fn from(raw: RawTokenPair) -> Self {
        Self {
            access_token: SecretString::from(raw.access_token),
            refresh_token: Some(SecretString::from(raw.refresh_token)),
            access_token_expiration: raw.access_token_expiration,
            refresh_token_expiration: raw.refresh_token_expiration,
        }
    }
}

/// Credentials shared by every client built from them (clones share too).
#[derive(Clone)]
pub struct Session(pub(crate) Arc<AuthState>);

impl Session {
    /// Starts sharing `credentials`.
    pub fn new(credentials: Credentials) -> Result<Self, ApiError> {
        AuthState::new(credentials).map(|state| Self(Arc::new(state)))
    }

    /// The credentials as they are now (after any refresh).
    pub fn credentials(&self) -> Credentials {
        self.0.credentials()
    }

    /// Whether this is a user login (as opposed to a token sent as it is).
    pub fn is_user(&self) -> bool {
        self.0.is_user()
    }

    /// For a user login: whether it can no longer be renewed at `now` — its refresh token
    /// was refused already, or has outlived its stated expiry. Tokens sent as they are never
    /// end this way.
    pub fn has_ended(&self, now: DateTime<Utc>) -> bool {
        match &self.0.lock().credentials {
            Credentials::User(tokens) => {
                match (&tokens.refresh_token, tokens.refresh_token_expiration) {
                    (None, _) => true,
                    (Some(_), Some(expires)) => expires <= now,
                    (Some(_), None) => false,
                }
            }
            _ => false,
        }
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The state's own Debug never shows secrets; this only spares the noise.
        f.debug_struct("Session")
            .field("user", &self.is_user())
            .finish_non_exhaustive()
    }
}

pub(crate) fn bearer(token: &SecretString) -> Result<HeaderValue, ApiError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret().trim()))
        .map_err(|_| ApiError::InvalidToken)?;
    value.set_sensitive(true);
    Ok(value)
}

#[derive(Debug)]
struct Current {
    credentials: Credentials,
    header: Option<HeaderValue>,
    generation: u64,
}

/// The credentials of a client and its clones.
#[derive(Debug)]
pub(crate) struct AuthState {
    current: Mutex<Current>,
    /// Held while one refresh is in flight.
    pub(crate) refreshing: tokio::sync::Mutex<()>,
}

impl AuthState {
    pub(crate) fn new(credentials: Credentials) -> Result<Self, ApiError> {
        let header = header_for(&credentials)?;
        Ok(Self {
            current: Mutex::new(Current {
                credentials,
                header,
                generation: 0,
            }),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The header to send now, and the generation it belongs to.
    pub(crate) fn header(&self) -> (Option<HeaderValue>, u64) {
        let current = self.lock();
        (current.header.clone(), current.generation)
    }

    pub(crate) fn generation(&self) -> u64 {
        self.lock().generation
    }

    pub(crate) fn credentials(&self) -> Credentials {
        self.lock().credentials.clone()
    }

    /// The refresh token as a bearer header, when the credentials have one.
    pub(crate) fn refresh_header(&self) -> Result<Option<HeaderValue>, ApiError> {
        match &self.lock().credentials {
            Credentials::User(UserTokens {
                refresh_token: Some(token),
                ..
            }) => bearer(token).map(Some),
            _ => Ok(None),
        }
    }

    pub(crate) fn is_user(&self) -> bool {
        matches!(self.lock().credentials, Credentials::User(_))
    }

    pub(crate) fn can_refresh(&self) -> bool {
        matches!(
            self.lock().credentials,
            Credentials::User(UserTokens {
                refresh_token: Some(_),
                ..
            })
        )
    }

    /// Installs a new pair and moves to the next generation.
    pub(crate) fn install(&self, tokens: UserTokens) -> Result<(), ApiError> {
        let credentials = Credentials::User(tokens);
        let header = header_for(&credentials)?;
        let mut current = self.lock();
        current.credentials = credentials;
        current.header = header;
        current.generation += 1;
        Ok(())
    }

    /// Forgets the refresh token (after the API refused it), so that later 403s are
    /// reported instead of refreshing again with a dead token.
    pub(crate) fn drop_refresh_token(&self) {
        let mut current = self.lock();
        if let Credentials::User(tokens) = &mut current.credentials {
            tokens.refresh_token = None;
        }
    }
}

fn header_for(credentials: &Credentials) -> Result<Option<HeaderValue>, ApiError> {
    match credentials {
        Credentials::Anonymous => Ok(None),
        Credentials::Bearer(token) => bearer(token).map(Some),
        Credentials::User(tokens) => bearer(&tokens.access_token).map(Some),
    }
}
