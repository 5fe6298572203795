//! Incidents from the window: the active profile's incident records, templates, preparation
//! checklist and response-time metrics, over the core's [`IncidentStore`].
//!
//! Each profile's records are their own encrypted file, `incidents-<profile-id>.db` in the
//! data directory, keyed like that profile's cache. The store is opened on first use, kept
//! per profile, and closed when the console locks, since an open connection holds the key.
//!
//! Containment actions (disabling a subscription of the scope in Hook0, enabling it again)
//! are in `containment`; their steps, shared with the command line, in `containment_steps`.
//!
//! Every method refuses while locked. Every change is audited with pseudonymous targets only
//! (profile and incident ids, the kind of change): the audit log is not encrypted, and titles,
//! notes and reasons may name customers.

mod comms;
mod containment;
mod containment_steps;
mod evidence;
mod export;
mod following;
mod readiness;
mod records;
mod signals;
mod templates;
mod view;

pub use containment::audit_action as containment_audit_action;
pub use containment_steps::{
    ApprovedChange, ContainmentError, action_entry, containment_allowed, containment_rule,
    containment_target, containment_view, put_enabled,
};
pub use signals::SyncOutcome;
pub use templates::template_summary;
pub use view::incident_view;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::MutexGuard;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Console;
use crate::audit::{AuditAction, AuditEntry, AuditOutcome};
use crate::error::{ErrorCode, ErrorDto};
use crate::incident::{IncidentError, IncidentFilter, IncidentStore};

/// Who the console records as having done what. One operator per console for now; named
/// operators come with the roles.
const OPERATOR: &str = "operator";

pub(super) type IncidentStores = HashMap<Uuid, IncidentStore>;

impl Console {
    /// Where a profile's incident records live.
    pub fn incidents_path(&self, profile: Uuid) -> PathBuf {
        self.data_dir.join(format!("incidents-{profile}.db"))
    }

    /// Runs `operation` on the active profile's incident records (opened on first use).
    fn with_incidents<T>(
        &self,
        operation: impl FnOnce(&mut IncidentStore, Uuid) -> Result<T, IncidentError>,
    ) -> Result<T, ErrorDto> {
        let profile = self.active_profile_id()?;
        self.with_incidents_of(profile, operation)
    }

    /// Runs `operation` on a profile's incident records (opened on first use).
    fn with_incidents_of<T>(
        &self,
        profile: Uuid,
        operation: impl FnOnce(&mut IncidentStore, Uuid) -> Result<T, IncidentError>,
    ) -> Result<T, ErrorDto> {
        self.unlocked()?;
        // Opened before the stores are locked: the key comes from the gate, and a gate that
        // has just locked itself clears the stores.
        let fresh = if self.incident_stores()?.contains_key(&profile) {
            None
        } else {
            let key = self.cache_key(profile)?;
            Some(IncidentStore::open(&self.incidents_path(profile), &key)?)
        };
        self.with_store(profile, fresh, operation)
    }

    /// Runs `operation` on a profile's incident records for background work: without
    /// counting as the operator's activity (the idle lock must still fall), and without
    /// creating a file for a profile that holds no incidents (`None` then, or while locked).
    fn with_incidents_quietly<T>(
        &self,
        profile: Uuid,
        operation: impl FnOnce(&mut IncidentStore, Uuid) -> Result<T, IncidentError>,
    ) -> Result<Option<T>, ErrorDto> {
        if self.gate()?.require_unlocked_quietly().is_err() {
            return Ok(None);
        }
        let fresh = if self.incident_stores()?.contains_key(&profile) {
            None
        } else {
            let path = self.incidents_path(profile);
            if !path.exists() {
                return Ok(None);
            }
            let key = if self.profiles()?.get(profile)?.kind == crate::profile::ProfileKind::Sandbox
            {
                Some(crate::cache::CacheKey::sandbox())
            } else {
                self.gate()?.known_cache_key_quietly(profile)?
            };
            let Some(key) = key else {
                return Ok(None);
            };
            Some(IncidentStore::open(&path, &key)?)
        };
        self.with_store(profile, fresh, operation).map(Some)
    }

    fn with_store<T>(
        &self,
        profile: Uuid,
        fresh: Option<IncidentStore>,
        operation: impl FnOnce(&mut IncidentStore, Uuid) -> Result<T, IncidentError>,
    ) -> Result<T, ErrorDto> {
        let mut stores = self.incident_stores()?;
        if let Some(store) = fresh {
            stores.entry(profile).or_insert(store);
        }
        let store = stores
            .get_mut(&profile)
            .ok_or_else(|| ErrorDto::new(ErrorCode::Internal, "the incident store vanished"))?;
        Ok(operation(store, profile)?)
    }

    /// How many incidents a profile's file holds (0 when it has none yet).
    pub(in crate::console) fn incidents_held(&self, profile: Uuid) -> Result<usize, ErrorDto> {
        if let Some(store) = self.incident_stores()?.get(&profile) {
            return Ok(store.list(&IncidentFilter::default())?.len());
        }
        let path = self.incidents_path(profile);
        if !path.exists() {
            return Ok(0);
        }
        let key = self.cache_key(profile)?;
        Ok(IncidentStore::open(&path, &key)?
            .list(&IncidentFilter::default())?
            .len())
    }

    /// The instant incident changes are stamped with: the gate's clock, so that due times,
    /// deadlines and the lock policy agree.
    fn incident_now(&self) -> Result<DateTime<Utc>, ErrorDto> {
        Ok(self.gate()?.now())
    }

    /// Records an incident change. `change` names the kind of change, never its content.
    fn audit_incident(
        &self,
        profile: Uuid,
        subject: impl Into<String>,
        change: impl Into<String>,
    ) -> Result<(), ErrorDto> {
        self.audit(
            AuditEntry::operator(AuditAction::IncidentChanged, AuditOutcome::Succeeded)
                .with_targets([profile.to_string(), subject.into(), change.into()]),
        )
    }

    pub(super) fn incident_stores(&self) -> Result<MutexGuard<'_, IncidentStores>, ErrorDto> {
        self.incidents.lock().map_err(|_| super::poisoned())
    }
}
