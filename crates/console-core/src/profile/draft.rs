//! What the profile form sends, parsed cheaply first and then validated into a form the store
//! can trust.

use secrecy::SecretString;
use serde::Deserialize;
use ts_rs::TS;
use uuid::Uuid;

use crate::api::ApiBaseUrl;

use super::ProfileError;

/// The profile form as submitted. A `token` of `None` (or blank) keeps the token already held.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ProfileDraft {
    /// The profile being edited; `None` adds a new one.
    pub id: Option<Uuid>,
    /// Display name.
    pub name: String,
    /// API base URL as typed.
    pub api_base_url: String,
    /// A new token, or `None` to keep the current one.
    pub token: Option<String>,
    /// The organization to open by default.
    pub default_organization_id: Option<Uuid>,
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
    /// A new token, if one was typed.
    pub token: Option<SecretString>,
    /// The organization to open by default.
    pub default_organization_id: Option<Uuid>,
}

const MAX_NAME_CHARS: usize = 60;
const MAX_TOKEN_BYTES: usize = 16 * 1024;

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
        let token = match self.token.as_deref().map(str::trim) {
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
        };
        Ok(ValidDraft {
            id: self.id,
            name,
            api_base_url,
            token,
            default_organization_id: self.default_organization_id,
        })
    }
}
