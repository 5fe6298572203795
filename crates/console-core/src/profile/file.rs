//! The on-disk profile list: `profiles.json` in the data directory.
//!
//! Written to a temporary file, flushed and renamed, so a crash leaves either the old or the
//! new list and never half of one. A file that does not parse is reported, not replaced: the
//! operator decides what happens to it.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ProfileError, ProfileKind};

pub(super) const FORMAT_VERSION: u32 = 1;

/// One profile as stored: no token or password, ever.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StoredProfile {
    pub id: Uuid,
    pub name: String,
    pub kind: ProfileKind,
    /// `None` for the sandbox, whose address changes at every start.
    pub api_base_url: Option<String>,
    pub default_organization_id: Option<Uuid>,
    /// Days of history the cache keeps; absent keeps everything (and older files stay valid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_retention_days: Option<u32>,
    /// Set for a profile that signs in with email and password (never the password).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_email: Option<String>,
    /// Minutes between automatic syncs; absent: manual only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_sync_minutes: Option<u32>,
    /// No failure-spike notifications for this profile.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub notifications_muted: bool,
    /// Subscriptions whose failure spikes are not notified.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub muted_subscriptions: Vec<Uuid>,
    /// No incident reminders (overdue items, deadlines) for this profile.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incident_reminders_muted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProfilesFile {
    pub format: u32,
    pub active_profile_id: Option<Uuid>,
    pub profiles: Vec<StoredProfile>,
}

impl ProfilesFile {
    pub fn read(path: &Path) -> Result<Option<Self>, ProfileError> {
        let bytes = match fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ProfileError::storage(path, &e)),
        };
        let file: Self = serde_json::from_slice(&bytes).map_err(|e| ProfileError::Corrupt {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if file.format > FORMAT_VERSION {
            return Err(ProfileError::Corrupt {
                path: path.display().to_string(),
                reason: format!(
                    "written by a newer Hook0 Console (format {}; this one reads up to {})",
                    file.format, FORMAT_VERSION
                ),
            });
        }
        Ok(Some(file))
    }

    pub fn write(&self, path: &Path) -> Result<(), ProfileError> {
        let dir = path
            .parent()
            .ok_or_else(|| ProfileError::storage(path, &"no parent directory"))?;
        fs::create_dir_all(dir).map_err(|e| ProfileError::storage(dir, &e))?;
        let json = serde_json::to_vec_pretty(self).map_err(|e| ProfileError::storage(path, &e))?;
        let mut temp =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| ProfileError::storage(dir, &e))?;
        temp.write_all(&json)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| ProfileError::storage(path, &e))?;
        temp.persist(path)
            .map_err(|e| ProfileError::storage(path, &e.error))?;
        Ok(())
    }
}
