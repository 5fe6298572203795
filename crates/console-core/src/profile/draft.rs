//! What the profile form sends, parsed cheaply first and then validated into a form the store
//! can trust.

use std::fmt;

use secrecy::SecretString;
use serde::Deserialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::api::ApiBaseUrl;

use super::{AuthMethod, ProfileError};

/// The profile form as submitted. A `token` of `None` (or blank) keeps the token already held;
/// a `password` of `None` (or empty) keeps the session already signed in.
#[derive(Clone, Deserialize, TS)]
pub struct ProfileDraft {
    /// The profile being edited; `None` adds a new one.
    pub id: Option<Uuid>,
    /// Display name.
    pub name: String,
    /// API base URL as typed.
    pub api_base_url: String,
    /// An API token, or email and password.
    #[serde(default)]
    pub auth_method: AuthMethod,
    /// A new token, or `None` to keep the current one (API token method).
    pub token: Option<String>,
    /// The account's email (email and password method).
    #[serde(default)]
    pub email: Option<String>,
    /// Used once to sign in, then dropped; never stored (email and password method).
    #[serde(default)]
    pub password: Option<String>,
    /// The organization to open by default.
    pub default_organization_id: Option<Uuid>,
    /// Days of history the cache keeps; `None` keeps everything.
    #[serde(default)]
    pub cache_retention_days: Option<u32>,
}

impl fmt::Debug for ProfileDraft {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written by hand so that a draft in a log or a panic message never shows a secret.
        f.debug_struct("ProfileDraft")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("api_base_url", &self.api_base_url)
            .field("auth_method", &self.auth_method)
            .field("email", &self.email)
            .field("default_organization_id", &self.default_organization_id)
            .finish_non_exhaustive()
    }
}

/// How a checked draft authenticates.
#[derive(Debug)]
pub enum DraftAuth {
    /// A token pasted, or `None` to keep the one held.
    Token(Option<SecretString>),
    /// A user account: sign in with `password`, or keep the session held when `None`.
    SignIn {
        /// Trimmed email.
        email: String,
        /// The password, for the one login request.
        password: Option<SecretString>,
    },
}

/// A draft whose fields have been checked.
#[derive(Debug)]
pub struct ValidDraft {
    /// The profile being edited; `None` adds a new one.
    pub id: Option<Uuid>,
    /// Trimmed name.
    pub name: String,
    /// Parsed base URL.
    pub api_base_url: ApiBaseUrl,
    /// The credentials typed, if any.
    pub auth: DraftAuth,
    /// The organization to open by default.
    pub default_organization_id: Option<Uuid>,
    /// Days of history the cache keeps, between 1 and [`MAX_RETENTION_DAYS`].
    pub cache_retention_days: Option<u32>,
}

const MAX_NAME_CHARS: usize = 60;
/// Ten years: beyond that, "keep everything" says what is meant.
pub const MAX_RETENTION_DAYS: u32 = 3650;
const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// RFC 5321's limit on an address.
const MAX_EMAIL_CHARS: usize = 254;
const MAX_PASSWORD_BYTES: usize = 1024;

impl ProfileDraft {
    /// Checks every field and says which one is wrong.
    pub fn validate(self) -> Result<ValidDraft, ProfileError> {
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            return Err(ProfileError::Invalid("give the profile a name".into()));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(ProfileError::Invalid(format!(
                "a profile name has at most {MAX_NAME_CHARS} characters"
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(ProfileError::Invalid(
                "a profile name cannot contain control characters".into(),
            ));
        }
        let api_base_url = ApiBaseUrl::parse(&self.api_base_url)
            .map_err(|e| ProfileError::Invalid(e.to_string()))?;
        let auth = match self.auth_method {
            AuthMethod::ApiToken => DraftAuth::Token(valid_token(self.token.as_deref())?),
            AuthMethod::EmailPassword => DraftAuth::SignIn {
                email: valid_email(self.email.as_deref())?,
                password: valid_password(self.password)?,
            },
        };
        if let Some(days) = self.cache_retention_days
            && !(1..=MAX_RETENTION_DAYS).contains(&days)
        {
            return Err(ProfileError::Invalid(format!(
                "keep cached history for 1 to {MAX_RETENTION_DAYS} days, or leave it empty to \
                 keep everything"
            )));
        }
        Ok(ValidDraft {
            id: self.id,
            name,
            api_base_url,
            auth,
            default_organization_id: self.default_organization_id,
            cache_retention_days: self.cache_retention_days,
        })
    }
}

fn valid_token(token: Option<&str>) -> Result<Option<SecretString>, ProfileError> {
    Ok(match token.map(str::trim) {
        None | Some("") => None,
        Some(token) if token.len() > MAX_TOKEN_BYTES => {
            return Err(ProfileError::Invalid(
                "the token is implausibly long".into(),
            ));
        }
        Some(token) if token.starts_with("Bearer ") || token.starts_with("bearer ") => {
            return Err(ProfileError::Invalid(
                "paste the token alone, without the `Bearer ` prefix".into(),
            ));
        }
        Some(token) if token.chars().any(|c| c.is_control() || c.is_whitespace()) => {
            return Err(ProfileError::Invalid(
                "the token contains spaces or control characters; paste it again".into(),
            ));
        }
        Some(token) => Some(SecretString::from(token.to_owned())),
    })
}

/// A plausible address: the API decides whether it is an account.
fn valid_email(email: Option<&str>) -> Result<String, ProfileError> {
    let email = email.unwrap_or_default().trim();
    let plausible = email.chars().count() <= MAX_EMAIL_CHARS
        && !email.chars().any(|c| c.is_control() || c.is_whitespace())
        && email
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty());
    if email.is_empty() {
        return Err(ProfileError::Invalid(
            "type the email address you sign in to Hook0 with".into(),
        ));
    }
    if !plausible {
        return Err(ProfileError::Invalid(
            "this does not look like an email address".into(),
        ));
    }
    Ok(email.to_owned())
}

/// Passwords are taken as typed (spaces are part of them); empty means "keep the session".
pub(crate) fn valid_password(
    password: Option<String>,
) -> Result<Option<SecretString>, ProfileError> {
    match password {
        None => Ok(None),
        Some(p) if p.is_empty() => Ok(None),
        Some(p) if p.len() > MAX_PASSWORD_BYTES => Err(ProfileError::Invalid(
            "the password is implausibly long".into(),
        )),
        Some(p) => Ok(Some(SecretString::from(p))),
    }
}
