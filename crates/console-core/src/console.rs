//! The console as one value: what the desktop shell and the command line hold and call.
//!
//! Every operation the UI can ask for is a method here returning `Result<_, ErrorDto>`, so the
//! shell's commands stay one line long and the same behaviour is testable without a window.
//! Signing in with email and password lives in [`sign_in`].

mod caches;
mod explorer;
mod gate;
mod incidents;
mod notifications;
mod replay;
mod sign_in;
mod sync_service;

pub use caches::CACHES_DIR;
pub use explorer::MAX_PAGE_ROWS;
pub use incidents::{
    ApprovedChange, ContainmentError, action_entry, containment_allowed, containment_audit_action,
    containment_rule, containment_target, containment_view, incident_view, put_enabled,
    template_summary,
};
pub use replay::ReplaySettings;
pub use sync_service::{ConsoleEvents, Freshness, NoEvents};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{SecondsFormat, Utc};
use uuid::Uuid;

use crate::api::{ApiClient, ClientSettings, ConnectionReport, Session, probe_connection};
use crate::audit::AuditAction;
use crate::error::{ErrorCode, ErrorDto};
use crate::gate::{Gate, GateOptions};
use crate::ipc::{AppStatus, ConnectionState, LockState};
use crate::profile::{
    AuthMethod, DraftAuth, Profile, ProfileDraft, ProfileError, ProfileStore, SandboxEndpoint,
};

/// File name of the profile list inside the data directory.
pub const PROFILES_FILE: &str = "profiles.json";

/// The console's state for one running app.
#[derive(Debug)]
pub struct Console {
    data_dir: PathBuf,
    client_settings: ClientSettings,
    profiles: Mutex<ProfileStore>,
    connections: Mutex<HashMap<Uuid, ConnectionState>>,
    gate: Mutex<Gate>,
    /// Syncs in progress, stopped when the console locks.
    running: Mutex<Vec<crate::sync::Cancel>>,
    /// One read connection per profile's cache, closed when the console locks.
    readers: Mutex<explorer::Readers>,
    /// Background syncs and their last outcome, per profile.
    slots: Mutex<sync_service::Slots>,
    /// Where unrequested news goes (the window, in the app).
    events: Mutex<std::sync::Arc<dyn ConsoleEvents>>,
    /// What shows failure-spike notifications (the OS, in the app).
    notifier: Mutex<std::sync::Arc<dyn crate::notify::Notifier>>,
    /// Kept replay plans, the jobs run here, and how replays run.
    replays: Mutex<replay::Replays>,
    /// One open incident store per profile, closed when the console locks.
    incidents: Mutex<incidents::IncidentStores>,
    /// The last test notification sent from the Preparation checklist (this session).
    notification_test: Mutex<Option<crate::ipc::TestNotification>>,
}

impl Console {
    /// Opens (or, on first run, creates) the console's files under `data_dir`. It starts
    /// locked, or waiting for enrollment on first run.
    pub fn open(
        data_dir: &Path,
        client_settings: ClientSettings,
        gate: GateOptions,
    ) -> Result<Self, ErrorDto> {
        let profiles = ProfileStore::open(&data_dir.join(PROFILES_FILE))?;
        let gate = Gate::open(data_dir, gate)?;
        Ok(Self {
            data_dir: data_dir.to_owned(),
            client_settings,
            profiles: Mutex::new(profiles),
            connections: Mutex::new(HashMap::new()),
            gate: Mutex::new(gate),
            running: Mutex::new(Vec::new()),
            readers: Mutex::new(HashMap::new()),
            slots: Mutex::new(HashMap::new()),
            events: Mutex::new(std::sync::Arc::new(NoEvents)),
            notifier: Mutex::new(std::sync::Arc::new(crate::notify::NoNotifier)),
            replays: Mutex::new(replay::Replays::default()),
            incidents: Mutex::new(HashMap::new()),
            notification_test: Mutex::new(None),
        })
    }

    /// Tells the console where to send sync progress, cache changes and in-window alerts.
    pub fn set_events(&self, events: std::sync::Arc<dyn ConsoleEvents>) -> Result<(), ErrorDto> {
        *self.events.lock().map_err(|_| poisoned())? = events;
        Ok(())
    }

    fn events(&self) -> std::sync::Arc<dyn ConsoleEvents> {
        match self.events.lock() {
            Ok(events) => std::sync::Arc::clone(&events),
            Err(_) => std::sync::Arc::new(NoEvents),
        }
    }

    /// Tells the console where the built-in sandbox listens.
    pub fn attach_sandbox(&self, endpoint: SandboxEndpoint) -> Result<(), ErrorDto> {
        self.profiles()?.attach_sandbox(endpoint);
        Ok(())
    }

    /// What the status bar shows. While locked it says only that (and where the files are).
    pub fn status(&self) -> Result<AppStatus, ErrorDto> {
        let lock = self.gate_status()?.lock;
        if lock != LockState::Unlocked {
            return Ok(AppStatus {
                active_profile: None,
                connection: ConnectionState::Untested,
                lock,
                last_sync_at: None,
                data_dir: self.data_dir.display().to_string(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            });
        }
        let active_profile = self.profiles()?.active();
        let connection = match &active_profile {
            Some(profile) => self.connection_of(profile.id)?,
            None => ConnectionState::Untested,
        };
        let last_sync_at = match &active_profile {
            Some(profile) => self
                .last_completed(profile.id)?
                .map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            None => None,
        };
        Ok(AppStatus {
            active_profile,
            connection,
            lock,
            last_sync_at,
            data_dir: self.data_dir.display().to_string(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        })
    }

    /// Every profile.
    pub fn list_profiles(&self) -> Result<Vec<Profile>, ErrorDto> {
        self.unlocked()?;
        Ok(self.profiles()?.list())
    }

    /// Adds or changes a profile. With email and password it signs in first, so a wrong
    /// password saves nothing; the password is dropped once used.
    pub async fn save_profile(&self, draft: ProfileDraft) -> Result<Profile, ErrorDto> {
        self.unlocked()?;
        let draft = draft.validate()?;
        self.profiles()?.check(&draft)?;
        let signed_in = match &draft.auth {
            DraftAuth::SignIn {
                email,
                password: Some(password),
            } => Some(
                self.log_in(draft.api_base_url.clone(), email, password)
                    .await?,
            ),
            _ => None,
        };
        let is_new = draft.id.is_none();
        let profile = self.profiles()?.save_valid(draft, signed_in)?;
        // Whatever was tested before may no longer describe this profile.
        self.connections()?.remove(&profile.id);
        self.keep_credentials(profile.id)?;
        let action = if is_new {
            AuditAction::ProfileAdded
        } else {
            AuditAction::ProfileChanged
        };
        self.audit_profile(action, profile.id)?;
        Ok(profile)
    }

    /// Removes a profile.
    pub fn remove_profile(&self, id: Uuid) -> Result<(), ErrorDto> {
        self.unlocked()?;
        // Incident records are sealed with the profile's key, which goes with the profile:
        // they would become unreadable. Refused until they can be exported.
        let held = self.incidents_held(id)?;
        if held > 0 {
            return Err(ErrorDto::new(
                ErrorCode::InvalidInput,
                format!(
                    "this profile holds {held} incident record{}: removing it would make them \
                     unreadable, so it is kept",
                    if held == 1 { "" } else { "s" }
                ),
            ));
        }
        self.profiles()?.remove(id)?;
        self.connections()?.remove(&id);
        // Its key is about to be forgotten: no handle may keep writing with it.
        self.incident_stores()?.remove(&id);
        self.gate()?.forget_profile(id)?;
        self.audit_profile(AuditAction::ProfileRemoved, id)
    }

    /// Makes a profile the active one.
    pub fn set_active_profile(&self, id: Uuid) -> Result<Profile, ErrorDto> {
        self.unlocked()?;
        let profile = self.profiles()?.set_active(id)?;
        self.audit_profile(AuditAction::ProfileChanged, id)?;
        Ok(profile)
    }

    /// A saved profile's API address and the credentials held for it (unlocked only).
    pub fn endpoint(&self, id: Uuid) -> Result<(crate::api::ApiBaseUrl, Session), ErrorDto> {
        self.unlocked()?;
        let (base, session) = self.profiles()?.endpoint(id)?;
        match session {
            Some(session) => Ok((base, session)),
            None => Err(no_credentials(&self.profiles()?.get(id)?)),
        }
    }

    /// An API client for a saved profile. Clients of one profile share its credentials: a
    /// user session refreshed by one is what the others (and later ones) send.
    pub fn client(&self, id: Uuid) -> Result<ApiClient, ErrorDto> {
        let (base, session) = self.endpoint(id)?;
        Ok(ApiClient::with_session(
            base,
            session,
            self.client_settings.clone(),
        )?)
    }

    /// Tests a saved profile and remembers the outcome for the status bar.
    pub async fn test_connection(&self, id: Uuid) -> Result<ConnectionReport, ErrorDto> {
        let outcome = match self.client(id) {
            Ok(client) => probe_connection(&client).await.map_err(ErrorDto::from),
            // An ended session is the connection's state, as the status bar must show it.
            Err(error) if error.code == ErrorCode::SessionExpired => Err(error),
            Err(error) => return Err(error),
        };
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

    /// Tests what the form holds before it is saved. A blank token (or password) falls back
    /// to what is held for the profile being edited.
    pub async fn test_draft(&self, draft: ProfileDraft) -> Result<ConnectionReport, ErrorDto> {
        self.unlocked()?;
        let draft = draft.validate().map_err(ErrorDto::from)?;
        let token = match (draft.auth, draft.id) {
            (DraftAuth::SignIn { email, password }, id) => {
                return self
                    .test_sign_in(draft.api_base_url, id, &email, password)
                    .await;
            }
            (DraftAuth::Token(Some(token)), _) => token,
            (DraftAuth::Token(None), Some(id)) => {
                self.profiles()?.token(id).ok_or_else(missing_token)?
            }
            (DraftAuth::Token(None), None) => return Err(missing_token()),
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

/// What a profile without credentials in this session needs.
fn no_credentials(profile: &Profile) -> ErrorDto {
    match profile.auth_method {
        AuthMethod::EmailPassword => ErrorDto::new(
            ErrorCode::SessionExpired,
            format!("sign in to “{}” with your password", profile.name),
        ),
        AuthMethod::ApiToken => ErrorDto::new(
            ErrorCode::InvalidInput,
            "this profile has no token stored: edit it and paste the token",
        ),
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
