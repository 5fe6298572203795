//! The profile list in memory, its file, and the credentials held for this session.
//!
//! Credentials are held as one [`Session`] per profile, shared by every client built for it:
//! a user login refreshed by one client is what the next client starts from. A user session
//! that can no longer be renewed is reported as [`ProfileError::SessionExpired`] before any
//! request is sent.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::Utc;
use secrecy::SecretString;
use uuid::Uuid;

use super::file::{FORMAT_VERSION, ProfilesFile, StoredProfile};
use super::{AuthMethod, DraftAuth, Profile, ProfileDraft, ProfileKind, ValidDraft};
use crate::api::{ApiBaseUrl, Credentials, Session};
use crate::error::{ErrorCode, ErrorDto};

/// The longest automatic sync interval: a day.
pub const MAX_AUTO_SYNC_MINUTES: u32 = 24 * 60;

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
    /// The profile's user session can no longer be renewed.
    #[error(
        "the session of “{name}” has ended (signed out, or unused for too long): sign in again \
         with your password"
    )]
    SessionExpired {
        /// The profile's name.
        name: String,
    },
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
            ProfileError::SessionExpired { .. } => ErrorCode::SessionExpired,
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

/// Profiles, persisted without secrets, plus the credentials of this session.
#[derive(Debug)]
pub struct ProfileStore {
    path: PathBuf,
    file: ProfilesFile,
    sessions: HashMap<Uuid, Session>,
    sandbox: Option<SandboxEndpoint>,
}

/// What saving a profile does to the credentials held for it.
enum Held {
    Keep,
    Replace(Session),
    Forget,
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
                        cache_retention_days: None,
                        sign_in_email: None,
                        auto_sync_minutes: None,
                        notifications_muted: false,
                        muted_subscriptions: Vec::new(),
                        incident_reminders_muted: false,
                    }],
                };
                file.write(path)?;
                file
            }
        };
        Ok(Self {
            path: path.to_owned(),
            file,
            sessions: HashMap::new(),
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

    /// Adds a profile (draft without id) or changes one. A draft that signs in with a
    /// password needs the network first: see [`ProfileStore::save_valid`].
    pub fn save(&mut self, draft: ProfileDraft) -> Result<Profile, ProfileError> {
        self.save_valid(draft.validate()?, None)
    }

    /// Saves a checked draft; `signed_in` is the session its email and password opened (the
    /// caller signs in first, so that a wrong password saves nothing).
    pub fn save_valid(
        &mut self,
        draft: ValidDraft,
        signed_in: Option<Session>,
    ) -> Result<Profile, ProfileError> {
        self.check(&draft)?;
        let id = draft.id.unwrap_or_else(Uuid::new_v4);
        let api_base_url = draft.api_base_url.to_string();
        let (sign_in_email, held) =
            self.credentials_after(id, &api_base_url, draft.auth, signed_in)?;
        // What the form does not show (sync and notification preferences) is kept.
        let kept = self.stored(id).ok().cloned();
        let stored = StoredProfile {
            id,
            name: draft.name,
            kind: ProfileKind::Remote,
            api_base_url: Some(api_base_url),
            default_organization_id: draft.default_organization_id,
            cache_retention_days: draft.cache_retention_days,
            sign_in_email,
            auto_sync_minutes: kept.as_ref().and_then(|k| k.auto_sync_minutes),
            notifications_muted: kept.as_ref().is_some_and(|k| k.notifications_muted),
            incident_reminders_muted: kept.as_ref().is_some_and(|k| k.incident_reminders_muted),
            muted_subscriptions: kept.map(|k| k.muted_subscriptions).unwrap_or_default(),
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
        match held {
            Held::Keep => {}
            Held::Replace(session) => {
                self.sessions.insert(id, session);
            }
            Held::Forget => {
                self.sessions.remove(&id);
            }
        }
        self.get(id)
    }

    /// Whether a checked draft can be saved here (its name is free, it edits no built-in
    /// profile): asked before signing in, so that a refused draft opens no session.
    pub fn check(&self, draft: &ValidDraft) -> Result<(), ProfileError> {
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
        if let Some(id) = draft.id
            && self.stored(id)?.kind == ProfileKind::Sandbox
        {
            return Err(ProfileError::SandboxIsBuiltIn);
        }
        Ok(())
    }

    /// The email to store and what happens to the held credentials. A user session is kept
    /// only for the same account on the same API; a token is kept when none was typed.
    fn credentials_after(
        &self,
        id: Uuid,
        api_base_url: &str,
        auth: DraftAuth,
        signed_in: Option<Session>,
    ) -> Result<(Option<String>, Held), ProfileError> {
        let before = self.stored(id).ok();
        let held_user = self.sessions.get(&id).is_some_and(Session::is_user);
        Ok(match auth {
            DraftAuth::Token(Some(token)) => {
                let session = Session::new(Credentials::Bearer(token))
                    .map_err(|e| ProfileError::Invalid(e.to_string()))?;
                (None, Held::Replace(session))
            }
            DraftAuth::Token(None) if held_user => (None, Held::Forget),
            DraftAuth::Token(None) => (None, Held::Keep),
            DraftAuth::SignIn {
                email,
                password: Some(_),
            } => {
                let session = signed_in.ok_or_else(|| {
                    ProfileError::Invalid("sign in with the password before saving".into())
                })?;
                (Some(email), Held::Replace(session))
            }
            DraftAuth::SignIn {
                email,
                password: None,
            } => {
                let same_account = before.is_some_and(|p| {
                    p.api_base_url.as_deref() == Some(api_base_url)
                        && p.sign_in_email
                            .as_deref()
                            .is_some_and(|e| e.eq_ignore_ascii_case(&email))
                });
                let held = if same_account && held_user {
                    Held::Keep
                } else {
                    Held::Forget
                };
                (Some(email), held)
            }
        })
    }

    /// Removes a profile and forgets its credentials.
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
        self.sessions.remove(&id);
        Ok(())
    }

    /// Where to call and with which credentials, for a saved profile; a user session that
    /// can no longer be renewed is [`ProfileError::SessionExpired`].
    pub fn endpoint(&self, id: Uuid) -> Result<(ApiBaseUrl, Option<Session>), ProfileError> {
        let stored = self.stored(id)?;
        match stored.kind {
            ProfileKind::Sandbox => {
                let sandbox = self.sandbox.as_ref().ok_or(ProfileError::SandboxStopped)?;
                let session = Session::new(Credentials::Bearer(sandbox.token.clone()))
                    .map_err(|e| ProfileError::Invalid(e.to_string()))?;
                Ok((sandbox.api_base_url.clone(), Some(session)))
            }
            ProfileKind::Remote => {
                let session = self.sessions.get(&id).cloned();
                if session.as_ref().is_some_and(|s| s.has_ended(Utc::now())) {
                    return Err(ProfileError::SessionExpired {
                        name: stored.name.clone(),
                    });
                }
                Ok((self.base_url(stored)?, session))
            }
        }
    }

    /// The API token this session holds for a profile (not a user login's tokens).
    pub fn token(&self, id: Uuid) -> Option<SecretString> {
        match self.sessions.get(&id)?.credentials() {
            Credentials::Bearer(token) => Some(token),
            _ => None,
        }
    }

    /// The live user session of a profile signed in as `email`, if any.
    pub fn user_session(&self, id: Uuid, email: &str) -> Option<Session> {
        let stored = self.stored(id).ok()?;
        let same = stored
            .sign_in_email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(email));
        self.sessions
            .get(&id)
            .filter(|s| same && s.is_user() && !s.has_ended(Utc::now()))
            .cloned()
    }

    /// Where and as whom an email-and-password profile signs in.
    pub fn sign_in_target(&self, id: Uuid) -> Result<(ApiBaseUrl, String), ProfileError> {
        let stored = self.stored(id)?;
        match (&stored.kind, &stored.sign_in_email) {
            (ProfileKind::Remote, Some(email)) => Ok((self.base_url(stored)?, email.clone())),
            _ => Err(ProfileError::Invalid(format!(
                "“{}” does not sign in with email and password",
                stored.name
            ))),
        }
    }

    /// Holds the session a fresh sign-in opened for an email-and-password profile.
    pub fn install_session(&mut self, id: Uuid, session: Session) -> Result<Profile, ProfileError> {
        self.sign_in_target(id)?;
        self.sessions.insert(id, session);
        self.get(id)
    }

    /// Forgets the credentials held for a profile, giving them back (to sign out at the API).
    pub fn sign_out(&mut self, id: Uuid) -> Result<Option<Session>, ProfileError> {
        self.stored(id)?;
        Ok(self.sessions.remove(&id))
    }

    /// Drops every credential held in memory (the console locked).
    pub fn forget_credentials(&mut self) {
        self.sessions.clear();
    }

    /// Holds the credentials the vault kept, for the profiles that still exist.
    pub fn install_credentials(
        &mut self,
        credentials: Vec<(Uuid, Credentials)>,
    ) -> Result<(), ProfileError> {
        for (id, credentials) in credentials {
            if self.stored(id).is_err() {
                continue;
            }
            let session = Session::new(credentials)
                .map_err(|e| ProfileError::Invalid(format!("a stored token is unusable: {e}")))?;
            self.sessions.insert(id, session);
        }
        Ok(())
    }

    /// A profile's credentials as they are now (after any refresh), if any are held.
    pub fn credentials_of(&self, id: Uuid) -> Option<Credentials> {
        self.sessions.get(&id).map(Session::credentials)
    }

    /// Every credential held, as it is now.
    pub fn held_credentials(&self) -> Vec<(Uuid, Credentials)> {
        self.sessions
            .iter()
            .map(|(id, session)| (*id, session.credentials()))
            .collect()
    }

    fn base_url(&self, stored: &StoredProfile) -> Result<ApiBaseUrl, ProfileError> {
        let url = stored.api_base_url.as_deref().unwrap_or_default();
        ApiBaseUrl::parse(url).map_err(|e| ProfileError::Corrupt {
            path: self.path.display().to_string(),
            reason: format!("profile “{}”: {e}", stored.name),
        })
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
                self.sessions
                    .get(&stored.id)
                    .is_some_and(|s| !s.has_ended(Utc::now())),
            ),
        };
        let auth_method = match stored.sign_in_email {
            Some(_) => AuthMethod::EmailPassword,
            None => AuthMethod::ApiToken,
        };
        Profile {
            id: stored.id,
            name: stored.name.clone(),
            kind: stored.kind,
            api_base_url,
            default_organization_id: stored.default_organization_id,
            token_present,
            cache_retention_days: stored.cache_retention_days,
            auth_method,
            sign_in_email: stored.sign_in_email.clone(),
            auto_sync_minutes: stored.auto_sync_minutes,
            notifications_muted: stored.notifications_muted,
            muted_subscriptions: stored.muted_subscriptions.clone(),
        }
    }

    /// Sets a profile's automatic sync interval (1 minute to a day), or turns it off.
    pub fn set_auto_sync(&mut self, id: Uuid, minutes: Option<u32>) -> Result<(), ProfileError> {
        if minutes.is_some_and(|m| !(1..=MAX_AUTO_SYNC_MINUTES).contains(&m)) {
            return Err(ProfileError::Invalid(format!(
                "automatic sync: every 1 to {MAX_AUTO_SYNC_MINUTES} minutes, or off"
            )));
        }
        self.stored(id)?;
        self.commit(|file| {
            if let Some(p) = file.profiles.iter_mut().find(|p| p.id == id) {
                p.auto_sync_minutes = minutes;
            }
        })
    }

    /// Profiles with automatic sync, and their interval in minutes.
    pub fn auto_syncs(&self) -> Vec<(Uuid, u32)> {
        self.file
            .profiles
            .iter()
            .filter_map(|p| Some((p.id, p.auto_sync_minutes?)))
            .collect()
    }

    /// Mutes (or unmutes) a profile's failure-spike notifications.
    pub fn set_notifications_muted(&mut self, id: Uuid, muted: bool) -> Result<(), ProfileError> {
        self.stored(id)?;
        self.commit(|file| {
            if let Some(p) = file.profiles.iter_mut().find(|p| p.id == id) {
                p.notifications_muted = muted;
            }
        })
    }

    /// Whether a profile's incident reminders are muted.
    pub fn incident_reminders_muted(&self, id: Uuid) -> Result<bool, ProfileError> {
        Ok(self.stored(id)?.incident_reminders_muted)
    }

    /// Mutes (or unmutes) a profile's incident reminders.
    pub fn set_incident_reminders_muted(
        &mut self,
        id: Uuid,
        muted: bool,
    ) -> Result<(), ProfileError> {
        self.stored(id)?;
        self.commit(|file| {
            if let Some(p) = file.profiles.iter_mut().find(|p| p.id == id) {
                p.incident_reminders_muted = muted;
            }
        })
    }

    /// Mutes (or unmutes) one subscription's failure-spike notifications.
    pub fn set_subscription_muted(
        &mut self,
        id: Uuid,
        subscription: Uuid,
        muted: bool,
    ) -> Result<(), ProfileError> {
        self.stored(id)?;
        self.commit(|file| {
            if let Some(p) = file.profiles.iter_mut().find(|p| p.id == id) {
                p.muted_subscriptions.retain(|s| *s != subscription);
                if muted {
                    p.muted_subscriptions.push(subscription);
                }
            }
        })
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
