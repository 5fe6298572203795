//! What the vault holds, as one serialisable value.
//!
//! The vault seals opaque bytes; this is the console's layout of those bytes. Every field that
//! could unlock something (the TOTP secret, tokens, keys) is zeroed when the value is dropped,
//! and the serialised form only ever lives in a zeroing buffer. The layout carries its own
//! version so that a later console can read an older vault.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::RngCore as _;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::api::{Credentials, UserTokens};
use crate::audit::{AuditHead, AuditKey};
use crate::cache::CacheKey;
use crate::error::ErrorDto;
use crate::gate::{GateSettings, RecoveryCodes, TotpSecret};
use crate::ipc::ReplaySettingsView;

/// The version of this layout.
const LAYOUT_VERSION: u32 = 1;

/// Everything secret the console keeps, decrypted only while unlocked.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VaultSecrets {
    layout: u32,
    /// The authenticator's shared secret.
    pub totp_secret: Vec<u8>,
    /// The last TOTP time step accepted: no code of this step or earlier is accepted again.
    pub last_used_step: Option<u64>,
    pub enrolled_at: DateTime<Utc>,
    /// Hashes of the recovery codes of the current set.
    pub recovery: RecoveryCodes,
    pub recovery_generated_at: DateTime<Utc>,
    /// Keys the audit chain's MACs.
    pub audit_key: [u8; 32],
    /// The chain's last record, so that a truncated log is noticed.
    pub audit_head: Option<AuditHead>,
    /// Every time the chain failed verification: shown until the installation is reset.
    pub audit_breaks: Vec<AuditBreak>,
    /// One SQLCipher key per cache file, by profile id.
    pub cache_keys: BTreeMap<String, [u8; 32]>,
    /// Profile credentials, by profile id.
    pub credentials: BTreeMap<String, StoredCredentials>,
    pub settings: GateSettings,
    /// How replays run, once the operator changed it (absent in vaults sealed before
    /// replays had settings: the defaults apply).
    #[serde(default)]
    pub replay: Option<ReplaySettingsView>,
}

/// A verification failure of the audit chain, and where the damaged log was kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditBreak {
    pub detected_at: DateTime<Utc>,
    pub problem: String,
    pub kept_as: String,
}

/// A profile's credentials as the vault keeps them.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum StoredCredentials {
    /// A service token or application secret.
    Bearer { token: String },
    /// A user login.
    User {
        access_token: String,
        refresh_token: Option<String>,
        #[zeroize(skip)]
        access_token_expiration: Option<DateTime<Utc>>,
        #[zeroize(skip)]
        refresh_token_expiration: Option<DateTime<Utc>>,
    },
}

impl Drop for VaultSecrets {
    fn drop(&mut self) {
        self.totp_secret.zeroize();
        self.audit_key.zeroize();
        self.cache_keys.values_mut().for_each(Zeroize::zeroize);
        self.credentials.values_mut().for_each(Zeroize::zeroize);
    }
}

/// Why the vault's contents could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SecretsError {
    #[error("the vault's contents do not parse ({0}); the file may come from a newer console")]
    Layout(String),
    #[error("the vault's contents use layout {0}, newer than this console understands")]
    Newer(u32),
}

impl VaultSecrets {
    /// A fresh set at enrollment.
    pub fn new(
        totp_secret: &TotpSecret,
        last_used_step: u64,
        recovery: RecoveryCodes,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            layout: LAYOUT_VERSION,
            totp_secret: totp_secret.as_bytes().to_vec(),
            last_used_step: Some(last_used_step),
            enrolled_at: now,
            recovery,
            recovery_generated_at: now,
            audit_key: random_key(),
            audit_head: None,
            audit_breaks: Vec::new(),
            cache_keys: BTreeMap::new(),
            credentials: BTreeMap::new(),
            settings: GateSettings::default(),
            replay: None,
        }
    }

    /// Reads the bytes a vault opened to.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretsError> {
        #[derive(Deserialize)]
        struct Probe {
            layout: u32,
        }
        let probe: Probe =
            serde_json::from_slice(bytes).map_err(|e| SecretsError::Layout(e.to_string()))?;
        if probe.layout > LAYOUT_VERSION {
            return Err(SecretsError::Newer(probe.layout));
        }
        serde_json::from_slice(bytes).map_err(|e| SecretsError::Layout(e.to_string()))
    }

    /// The bytes to seal, in a buffer zeroed when dropped.
    pub fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, SecretsError> {
        // Sized up front so the serialiser does not leave reallocated copies behind.
        let mut buffer = Zeroizing::new(Vec::with_capacity(256 * 1024));
        serde_json::to_writer(&mut *buffer, self)
            .map_err(|e| SecretsError::Layout(e.to_string()))?;
        Ok(buffer)
    }

    pub fn totp_secret(&self) -> Result<TotpSecret, ErrorDto> {
        Ok(TotpSecret::from_bytes(&self.totp_secret)?)
    }

    pub fn audit_key(&self) -> AuditKey {
        AuditKey::from_bytes(self.audit_key)
    }

    /// The cache key of a profile, made on first use.
    pub fn cache_key(&mut self, profile: Uuid) -> CacheKey {
        let key = self
            .cache_keys
            .entry(profile.to_string())
            .or_insert_with(random_key);
        CacheKey::from_bytes(*key)
    }

    pub fn forget_profile(&mut self, profile: Uuid) {
        self.cache_keys.remove(&profile.to_string());
        self.credentials.remove(&profile.to_string());
    }
}

impl StoredCredentials {
    /// What the vault keeps of a client's credentials; `None` for anonymous ones.
    pub fn from_credentials(credentials: &Credentials) -> Option<Self> {
        use secrecy::ExposeSecret as _;
        match credentials {
            Credentials::Anonymous => None,
            Credentials::Bearer(token) => Some(Self::Bearer {
                token: token.expose_secret().to_owned(),
            }),
            Credentials::User(tokens) => Some(Self::User {
                access_token: tokens.access_token.expose_secret().to_owned(),
                refresh_token: tokens
                    .refresh_token
                    .as_ref()
                    .map(|t| t.expose_secret().to_owned()),
                access_token_expiration: tokens.access_token_expiration,
                refresh_token_expiration: tokens.refresh_token_expiration,
            }),
        }
    }

    /// The credentials a client is built with.
    pub fn to_credentials(&self) -> Credentials {
        match self {
            Self::Bearer { token } => Credentials::Bearer(SecretString::from(token.clone())),
            Self::User {
                access_token,
                refresh_token,
                access_token_expiration,
                refresh_token_expiration,
            } => Credentials::User(UserTokens {
                access_token: SecretString::from(access_token.clone()),
                refresh_token: refresh_token.clone().map(SecretString::from),
                access_token_expiration: *access_token_expiration,
                refresh_token_expiration: *refresh_token_expiration,
            }),
        }
    }
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    key
}
