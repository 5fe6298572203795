//! The profile list in memory, its file, and the tokens held for this session.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use uuid::Uuid;

use super::file::{FORMAT_VERSION, ProfilesFile, StoredProfile};
use super::{Profile, ProfileDraft, ProfileKind};
use crate::api::ApiBaseUrl;
use crate::error::{ErrorCode, ErrorDto};

/// The name given to the built-in sandbox profile.
pub const SANDBOX_PROFILE_NAME: &str = "Sandbox (simulated Hook0)";

/// Why a profile operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// A field of the form is wrong.
    #[error("{0}")]
    Invalid(String),
    /// No profile has that id.
    #[error("no profile with id {0}")]
    NotFound(Uuid),
    /// The sandbox profile is managed by the app.
    #[error("the sandbox profile is built in: it cannot be edited or removed")]
    SandboxIsBuiltIn,
    /// The sandbox did not start, so the sandbox profile has no address.
    #[error("the built-in sandbox is not running")]
    SandboxStopped,
    /// The profile list could not be read or written.
    #[error("cannot access {path}: {reason}")]
    Storage {
        /// The file or folder.
        path: String,
        /// The system's explanation.
        reason: String,
    },
    /// The profile list exists but cannot be used.
    #[error(
        "the profile list {path} cannot be read ({reason}); it was left untouched — \
         repair or move it away, then restart"
    )]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl ProfileError {
    pub(super) fn storage(path: &Path, reason: &dyn fmt::Display) -> Self {
        Self::Storage {
            path: path.display().to_string(),
            reason: reason.to_string(),
        }
    }
}

impl From<ProfileError> for ErrorDto {
    fn from(error: ProfileError) -> Self {
        let code = match &error {
            ProfileError::Invalid(_) | ProfileError::SandboxIsBuiltIn => ErrorCode::InvalidInput,
            ProfileError::NotFound(_) => ErrorCode::NotFound,
            ProfileError::SandboxStopped => ErrorCode::Unreachable,
            ProfileError::Storage { .. } | ProfileError::Corrupt { .. } => ErrorCode::Storage,
        };
        ErrorDto::new(code, error.to_string())
    }
}

/// Where the running sandbox listens and the token it accepts.
#[derive(Debug, Clone)]
pub struct SandboxEndpoint {
    /// Its API base URL on loopback.
    pub api_base_url: ApiBaseUrl,
    /// Its organization-wide token.
    pub token: SecretString,
}

/// Profiles, persisted without secrets, plus the tokens of this session.
#[derive(Debug)]
pub struct ProfileStore {
    path: PathBuf,
    file: ProfilesFile,
    tokens: HashMap<Uuid, SecretString>,
    sandbox: Option<SandboxEndpoint>,
}

impl ProfileStore {
    /// Opens the list at `path`. On first run (no file) the list is created with the sandbox
    /// profile in it, active.
    pub fn open(path: &Path) -> Result<Self, ProfileError> {
        let file = match ProfilesFile::read(path)? {
            Some(file) => file,
            None => {
                let sandbox_id = Uuid::new_v4();
                let file = ProfilesFile {
                    format: FORMAT_VERSION,
                    active_profile_id: Some(sandbox_id),
                    profiles: vec![StoredProfile {
                        id: sandbox_id,
                        name: SANDBOX_PROFILE_NAME.to_owned(),
                        kind: ProfileKind::Sandbox,
                        api_base_url: None,
                        default_organization_id: None,
                    }],
                };
                file.write(path)?;
                file
            }
        };
        Ok(Self {
            path: path.to_owned(),
            file,
            tokens: HashMap::new(),
            sandbox: None,
        })
    }

    /// Records where the sandbox listens (it changes at every start).
    pub fn attach_sandbox(&mut self, endpoint: SandboxEndpoint) {
        self.sandbox = Some(endpoint);
    }

    /// All profiles, in the order they were added.
    pub fn list(&self) -> Vec<Profile> {
        self.file.profiles.iter().map(|p| self.view(p)).collect()
    }

    /// One profile.
    pub fn get(&self, id: Uuid) -> Result<Profile, ProfileError> {
        self.stored(id).map(|p| self.view(p))
    }

    /// The active profile, if any.
    pub fn active(&self) -> Option<Profile> {
        let id = self.file.active_profile_id?;
        self.get(id).ok()
    }

    /// Makes a profile the active one.
    pub fn set_active(&mut self, id: Uuid) -> Result<Profile, ProfileError> {
        let profile = self.get(id)?;
        self.commit(|file| file.active_profile_id = Some(id))?;
        Ok(profile)
    }

    /// Adds a profile (draft without id) or changes one.
    pub fn save(&mut self, draft: ProfileDraft) -> Result<Profile, ProfileError> {
        let draft = draft.validate()?;
        let clash =
            self.file.profiles.iter().any(|p| {
                Some(p.id) != draft.id && p.name.to_lowercase() == draft.name.to_lowercase()
            });
        if clash {
            return Err(ProfileError::Invalid(format!(
                "a profile named “{}” already exists",
                draft.name
            )));
        }
        let id = match draft.id {
            Some(id) => {
                if self.stored(id)?.kind == ProfileKind::Sandbox {
                    return Err(ProfileError::SandboxIsBuiltIn);
                }
                id
            }
            None => Uuid::new_v4(),
        };
        let stored = StoredProfile {
            id,
            name: draft.name,
            kind: ProfileKind::Remote,
            api_base_url: Some(draft.api_base_url.to_string()),
            default_organization_id: draft.default_organization_id,
        };
        self.commit(|file| {
            match file.profiles.iter_mut().find(|p| p.id == id) {
                Some(existing) => *existing = stored,
                None => file.profiles.push(stored),
            }
            if file.active_profile_id.is_none() {
                file.active_profile_id = Some(id);
            }
        })?;
        if let Some(token) = draft.token {
            self.tokens.insert(id, token);
        }
        self.get(id)
    }

    /// Removes a profile and forgets its token.
    pub fn remove(&mut self, id: Uuid) -> Result<(), ProfileError> {
        if self.stored(id)?.kind == ProfileKind::Sandbox {
            return Err(ProfileError::SandboxIsBuiltIn);
        }
        self.commit(|file| {
            file.profiles.retain(|p| p.id != id);
            if file.active_profile_id == Some(id) {
                file.active_profile_id = file.profiles.first().map(|p| p.id);
            }
        })?;
        self.tokens.remove(&id);
        Ok(())
    }

    /// Where to call and with which token, for a saved profile.
    pub fn endpoint(&self, id: Uuid) -> Result<(ApiBaseUrl, Option<SecretString>), ProfileError> {
        let stored = self.stored(id)?;
        match stored.kind {
            ProfileKind::Sandbox => {
                let sandbox = self.sandbox.as_ref().ok_or(ProfileError::SandboxStopped)?;
                Ok((sandbox.api_base_url.clone(), Some(sandbox.token.clone())))
            }
            ProfileKind::Remote => {
                let url = stored.api_base_url.as_deref().unwrap_or_default();
                let base = ApiBaseUrl::parse(url).map_err(|e| ProfileError::Corrupt {
                    path: self.path.display().to_string(),
                    reason: format!("profile “{}”: {e}", stored.name),
                })?;
                Ok((base, self.tokens.get(&id).cloned()))
            }
        }
    }

    /// The token this session holds for a profile.
    pub fn token(&self, id: Uuid) -> Option<SecretString> {
        self.tokens.get(&id).cloned()
    }

    fn stored(&self, id: Uuid) -> Result<&StoredProfile, ProfileError> {
        self.file
            .profiles
            .iter()
            .find(|p| p.id == id)
            .ok_or(ProfileError::NotFound(id))
    }

    fn view(&self, stored: &StoredProfile) -> Profile {
        let (api_base_url, token_present) = match stored.kind {
            ProfileKind::Sandbox => match &self.sandbox {
                Some(sandbox) => (sandbox.api_base_url.to_string(), true),
                None => (String::new(), false),
            },
            ProfileKind::Remote => (
                stored.api_base_url.clone().unwrap_or_default(),
                self.tokens.contains_key(&stored.id),
            ),
        };
        Profile {
            id: stored.id,
            name: stored.name.clone(),
            kind: stored.kind,
            api_base_url,
            default_organization_id: stored.default_organization_id,
            token_present,
        }
    }

    /// Applies a change to a copy, writes it, and only then adopts it: a failed write leaves
    /// memory and disk in agreement.
    fn commit(&mut self, change: impl FnOnce(&mut ProfilesFile)) -> Result<(), ProfileError> {
        let mut next = self.file.clone();
        change(&mut next);
        next.write(&self.path)?;
        self.file = next;
        Ok(())
    }
}
