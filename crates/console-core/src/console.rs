//! The console as one value: what the desktop shell and the command line hold and call.
//!
//! Every operation the UI can ask for is a method here returning `Result<_, ErrorDto>`, so the
//! shell's commands stay one line long and the same behaviour is testable without a window.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{SecondsFormat, Utc};
use uuid::Uuid;

use crate::api::{ApiClient, ClientSettings, ConnectionReport, probe_connection};
use crate::error::{ErrorCode, ErrorDto};
use crate::ipc::{AppStatus, ConnectionState, LockState};
use crate::profile::{Profile, ProfileDraft, ProfileError, ProfileStore, SandboxEndpoint};

/// File name of the profile list inside the data directory.
pub const PROFILES_FILE: &str = "profiles.json";

/// The console's state for one running app.
#[derive(Debug)]
pub struct Console {
    data_dir: PathBuf,
    client_settings: ClientSettings,
    profiles: Mutex<ProfileStore>,
    connections: Mutex<HashMap<Uuid, ConnectionState>>,
}

impl Console {
    /// Opens (or, on first run, creates) the console's files under `data_dir`.
    pub fn open(data_dir: &Path, client_settings: ClientSettings) -> Result<Self, ErrorDto> {
        let profiles = ProfileStore::open(&data_dir.join(PROFILES_FILE))?;
        Ok(Self {
            data_dir: data_dir.to_owned(),
            client_settings,
            profiles: Mutex::new(profiles),
            connections: Mutex::new(HashMap::new()),
        })
    }

    /// Tells the console where the built-in sandbox listens.
    pub fn attach_sandbox(&self, endpoint: SandboxEndpoint) -> Result<(), ErrorDto> {
        self.profiles()?.attach_sandbox(endpoint);
        Ok(())
    }

    /// What the status bar shows.
    pub fn status(&self) -> Result<AppStatus, ErrorDto> {
        let active_profile = self.profiles()?.active();
        let connection = match &active_profile {
            Some(profile) => self.connection_of(profile.id)?,
            None => ConnectionState::Untested,
        };
        Ok(AppStatus {
            active_profile,
            connection,
            lock: LockState::NoGate,
            last_sync_at: None,
            data_dir: self.data_dir.display().to_string(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        })
    }

    /// Every profile.
    pub fn list_profiles(&self) -> Result<Vec<Profile>, ErrorDto> {
        Ok(self.profiles()?.list())
    }

    /// Adds or changes a profile.
    pub fn save_profile(&self, draft: ProfileDraft) -> Result<Profile, ErrorDto> {
        let profile = self.profiles()?.save(draft)?;
        // Whatever was tested before may no longer describe this profile.
        self.connections()?.remove(&profile.id);
        Ok(profile)
    }

    /// Removes a profile.
    pub fn remove_profile(&self, id: Uuid) -> Result<(), ErrorDto> {
        self.profiles()?.remove(id)?;
        self.connections()?.remove(&id);
        Ok(())
    }

    /// Makes a profile the active one.
    pub fn set_active_profile(&self, id: Uuid) -> Result<Profile, ErrorDto> {
        Ok(self.profiles()?.set_active(id)?)
    }

    /// Tests a saved profile and remembers the outcome for the status bar.
    pub async fn test_connection(&self, id: Uuid) -> Result<ConnectionReport, ErrorDto> {
        let (base, token) = self.profiles()?.endpoint(id)?;
        let Some(token) = token else {
            return Err(ErrorDto::new(
                ErrorCode::InvalidInput,
                "this profile has no token in this session: edit it and paste the token",
            ));
        };
        let client = ApiClient::new(base, Some(&token), self.client_settings.clone())?;
        let outcome = probe_connection(&client).await.map_err(ErrorDto::from);
        let checked_at = now();
        let state = match &outcome {
            Ok(_) => ConnectionState::Online { checked_at },
            Err(error) => ConnectionState::Offline {
                checked_at,
                code: error.code,
                message: error.message.clone(),
            },
        };
        self.connections()?.insert(id, state);
        outcome
    }

    /// Tests what the form holds before it is saved. A blank token falls back to the one held
    /// for the profile being edited.
    pub async fn test_draft(&self, draft: ProfileDraft) -> Result<ConnectionReport, ErrorDto> {
        let draft = draft.validate().map_err(ErrorDto::from)?;
        let token = match (draft.token, draft.id) {
            (Some(token), _) => token,
            (None, Some(id)) => self.profiles()?.token(id).ok_or_else(missing_token)?,
            (None, None) => return Err(missing_token()),
        };
        let client = ApiClient::new(
            draft.api_base_url,
            Some(&token),
            self.client_settings.clone(),
        )?;
        Ok(probe_connection(&client).await?)
    }

    fn connection_of(&self, id: Uuid) -> Result<ConnectionState, ErrorDto> {
        Ok(self
            .connections()?
            .get(&id)
            .cloned()
            .unwrap_or(ConnectionState::Untested))
    }

    fn profiles(&self) -> Result<MutexGuard<'_, ProfileStore>, ErrorDto> {
        self.profiles.lock().map_err(|_| poisoned())
    }

    fn connections(&self) -> Result<MutexGuard<'_, HashMap<Uuid, ConnectionState>>, ErrorDto> {
        self.connections.lock().map_err(|_| poisoned())
    }
}

fn missing_token() -> ErrorDto {
    ProfileError::Invalid("paste the API token to test this connection".into()).into()
}

fn poisoned() -> ErrorDto {
    ErrorDto::new(
        ErrorCode::Internal,
        "an earlier operation failed midway; restart the console",
    )
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}
