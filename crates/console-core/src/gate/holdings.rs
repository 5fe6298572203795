//! What the vault keeps for the rest of the console: profile credentials and cache keys.
//! Available only while unlocked; every change is sealed before the call returns.

use uuid::Uuid;

use super::machine::{Gate, seal};
use super::secrets::StoredCredentials;
use crate::api::Credentials;
use crate::cache::CacheKey;
use crate::error::ErrorDto;

impl Gate {
    /// Every profile's stored credentials.
    pub fn credentials(&mut self) -> Result<Vec<(Uuid, Credentials)>, ErrorDto> {
        let unlocked = self.unlocked()?;
        Ok(unlocked
            .secrets
            .credentials
            .iter()
            .filter_map(|(id, stored)| Some((Uuid::parse_str(id).ok()?, stored.to_credentials())))
            .collect())
    }

    /// Stores (or, with `None`, forgets) a profile's credentials.
    pub fn store_credentials(
        &mut self,
        profile: Uuid,
        credentials: Option<&Credentials>,
    ) -> Result<(), ErrorDto> {
        let unlocked = self.unlocked()?;
        let key = profile.to_string();
        match credentials.and_then(StoredCredentials::from_credentials) {
            Some(stored) => {
                unlocked.secrets.credentials.insert(key, stored);
            }
            None => {
                unlocked.secrets.credentials.remove(&key);
            }
        }
        seal(unlocked)
    }

    /// The key of a profile's cache, made (and sealed) on first use.
    pub fn cache_key(&mut self, profile: Uuid) -> Result<CacheKey, ErrorDto> {
        let unlocked = self.unlocked()?;
        let known = unlocked
            .secrets
            .cache_keys
            .contains_key(&profile.to_string());
        let key = unlocked.secrets.cache_key(profile);
        if !known {
            seal(unlocked)?;
        }
        Ok(key)
    }

    /// The key of a profile's cache if one was made, without counting as activity: for
    /// background work (reminders every minute must not keep the console from idling into its
    /// lock). `locked` while locked; never makes a key.
    pub fn known_cache_key_quietly(&mut self, profile: Uuid) -> Result<Option<CacheKey>, ErrorDto> {
        self.require_unlocked_quietly()?;
        let Some(unlocked) = self.unlocked_quietly() else {
            return Ok(None);
        };
        Ok(unlocked
            .secrets
            .cache_keys
            .contains_key(&profile.to_string())
            .then(|| unlocked.secrets.cache_key(profile)))
    }

    /// Forgets everything kept for a removed profile.
    pub fn forget_profile(&mut self, profile: Uuid) -> Result<(), ErrorDto> {
        let unlocked = self.unlocked()?;
        unlocked.secrets.forget_profile(profile);
        seal(unlocked)
    }
}
