//! The vault: the one encrypted file per installation that holds every secret.
//!
//! The vault stores opaque bytes: the caller serialises its own secrets (profile tokens and
//! refresh tokens, the TOTP secret and last used step, recovery-code hashes, the cache key,
//! the audit MAC key and head) and hands them over whole at every write.
//!
//! # Keys
//!
//! A random 256-bit **data key** encrypts the contents (XChaCha20-Poly1305, a fresh random
//! nonce at every write, the whole header as associated data). The data key is stored
//! wrapped in **key slots**:
//! - the passphrase slot, always: wrapped with a key derived from the passphrase by Argon2id
//!   ([`KdfParams::RECOMMENDED`]: 64 MiB, t=3, p=4; random 16-byte salt);
//! - the keyring slot, optionally: wrapped with a random 256-bit wrapping key kept in the OS
//!   keyring (see [`Keyring`]), entry service [`KEYRING_SERVICE`], user [`Vault::id`].
//!
//! An open [`Vault`] holds the data key in memory (zeroed on drop), so [`Vault::seal`] costs
//! one encryption and one atomic file replacement, no Argon2: the caller may re-seal at every
//! change. [`Vault::change_passphrase`] re-derives (new salt) and re-wraps the passphrase slot
//! only; the data key and the contents stay the same, so nothing encrypted with keys from the
//! contents (the cache) needs re-encrypting, and the keyring slot stays valid. A copy of the
//! old file still opens with the old passphrase: after a leaked passphrase, rotate the
//! secrets themselves (tokens, TOTP enrollment), which the caller owns.
//!
//! # Integrity
//!
//! A wrong passphrase gives [`VaultError::WrongPassphrase`]; a damaged or edited file gives
//! [`VaultError::Tampered`] (or [`VaultError::UnsupportedFormat`] for another version),
//! checked before Argon2 runs where possible; no call ever returns part of the contents.
//! The layout is in [`format`]. Writes go through a temporary file, fsync and rename (and a
//! directory fsync on Unix), mode 0600 on Unix: a crash leaves the old or the new vault.
//!
//! # Use
//!
//! ```no_run
//! # use console_core::vault::{KdfParams, Keyring, Vault, VaultError};
//! # use secrecy::SecretString;
//! # use std::{path::Path, time::Duration};
//! # fn demo(path: &Path, passphrase: &SecretString) -> Result<(), VaultError> {
//! // First run.
//! let mut vault = Vault::create(path, passphrase, KdfParams::RECOMMENDED, b"{\"tokens\":{}}")?;
//! if let Ok(keyring) = Keyring::detect(Duration::from_secs(1)) {
//!     vault.enable_keyring(&keyring, b"{\"tokens\":{}}")?; // tell the operator keyring.store_name()
//! }
//! // Later runs: the keyring if enabled and it answers, else the passphrase.
//! let (mut vault, contents) = Vault::open(path, passphrase)?;
//! vault.seal(&contents)?; // after every change
//! # Ok(()) }
//! ```
//!
//! Secrets are `secrecy`/`zeroize` types; `Debug` never shows them and no error message
//! carries one. Keyring calls block (bounded by timeouts) and Argon2 takes a fraction of a
//! second: call from a blocking context, not an async task.

mod cipher;
mod file;
pub mod format;
mod kdf;
mod keyring;

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret as _, SecretBox, SecretString};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use crate::error::{ErrorCode, ErrorDto};
use cipher::{KEY_LEN, WrappedKey};
use format::{FORMAT_VERSION, FormatProblem, Header, MAX_CONTENTS_LEN, VAULT_ID_LEN};
use kdf::SALT_LEN;

pub use kdf::KdfParams;
pub use keyring::{KEYRING_SERVICE, KeyStoreKind, Keyring, KeyringError, KeyringUnavailable};

/// What a vault file says about itself, readable without any key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultInfo {
    /// The file's format version.
    pub format_version: u32,
    /// The vault's random id (also the keyring entry's user name).
    pub vault_id: String,
    /// The Argon2id parameters of the passphrase slot.
    pub kdf: KdfParams,
    /// Whether keyring unlock is enabled.
    pub has_keyring_slot: bool,
}

/// Why a vault operation failed. Messages never contain a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// There is no vault at this path.
    #[error("there is no vault at {path}")]
    NotFound {
        /// The vault path.
        path: String,
    },
    /// `create` found something at the path already; it was left alone.
    #[error("a vault already exists at {path}; it was left as it is")]
    AlreadyExists {
        /// The vault path.
        path: String,
    },
    /// The passphrase does not open the vault.
    #[error("the passphrase does not open the vault")]
    WrongPassphrase,
    /// The file fails its integrity check: edited, truncated or damaged. Never repaired.
    #[error(
        "the vault file {path} fails its integrity check ({reason}): it was edited, truncated \
         or damaged, and is left as it is"
    )]
    Tampered {
        /// The vault path.
        path: String,
        /// What does not hold.
        reason: &'static str,
    },
    /// The file was written in a format this build does not read.
    #[error(
        "the vault is in format {found}, which this version of Hook0 Console does not read \
         (it reads format {FORMAT_VERSION})"
    )]
    UnsupportedFormat {
        /// The version found in the file.
        found: u32,
    },
    /// The caller passed something unusable (empty passphrase, KDF parameters out of bounds).
    #[error("{reason}")]
    InvalidInput {
        /// What is wrong.
        reason: &'static str,
    },
    /// The contents are larger than a vault holds.
    #[error("the vault contents are too large ({len} bytes; at most {MAX_CONTENTS_LEN})")]
    TooLarge {
        /// Their length.
        len: usize,
    },
    /// Reading or writing the file failed.
    #[error("the vault file {path} could not be read or written: {reason}")]
    Io {
        /// The path involved.
        path: String,
        /// The system's reason.
        reason: String,
    },
    /// The random generator or a primitive failed (should not happen).
    #[error("a cryptographic operation failed: {reason}")]
    Crypto {
        /// Which.
        reason: String,
    },
    /// The OS keyring failed; the passphrase still opens the vault.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
}

impl VaultError {
    fn io(path: &Path, reason: &dyn std::fmt::Display) -> Self {
        Self::Io {
            path: path.display().to_string(),
            reason: reason.to_string(),
        }
    }

    fn format(path: &Path, problem: FormatProblem) -> Self {
        match problem {
            FormatProblem::Damaged(reason) => Self::Tampered {
                path: path.display().to_string(),
                reason,
            },
            FormatProblem::Unsupported(found) => Self::UnsupportedFormat { found },
        }
    }
}

impl From<VaultError> for ErrorDto {
    fn from(error: VaultError) -> Self {
        let code = match &error {
            VaultError::NotFound { .. } => ErrorCode::NotEnrolled,
            VaultError::AlreadyExists { .. }
            | VaultError::UnsupportedFormat { .. }
            | VaultError::Io { .. } => ErrorCode::Storage,
            VaultError::WrongPassphrase => ErrorCode::WrongPassphrase,
            VaultError::Tampered { .. } => ErrorCode::Tampered,
            VaultError::InvalidInput { .. } => ErrorCode::InvalidInput,
            VaultError::TooLarge { .. } | VaultError::Crypto { .. } => ErrorCode::Internal,
            VaultError::Keyring(_) => ErrorCode::KeyringUnavailable,
        };
        ErrorDto::new(code, error.to_string())
    }
}

impl From<KeyringUnavailable> for ErrorDto {
    fn from(error: KeyringUnavailable) -> Self {
        ErrorDto::new(ErrorCode::KeyringUnavailable, error.to_string())
    }
}

/// An open vault: its path, its header and its data key.
pub struct Vault {
    path: PathBuf,
    header: Header,
    data_key: SecretBox<[u8; KEY_LEN]>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("id", &self.id())
            .field("kdf", &self.header.kdf)
            .field("keyring_slot", &self.header.keyring_slot.is_some())
            .field("data_key", &"<redacted>")
            .finish()
    }
}

impl Vault {
    /// Whether something is at `path` (a vault, or a file `create` would refuse to replace).
    pub fn exists(path: &Path) -> bool {
        std::fs::symlink_metadata(path).is_ok()
    }

    /// Makes a new vault holding `contents`, sealed with `passphrase`. Refuses if anything is
    /// already at `path`.
    pub fn create(
        path: &Path,
        passphrase: &SecretString,
        kdf: KdfParams,
        contents: &[u8],
    ) -> Result<Vault, VaultError> {
        check_new_passphrase(passphrase, kdf)?;
        check_len(contents)?;
        if Self::exists(path) {
            return Err(VaultError::AlreadyExists {
                path: path.display().to_string(),
            });
        }
        let vault_id = *cipher::random::<VAULT_ID_LEN>()?;
        let data_key = cipher::random::<KEY_LEN>()?;
        let mut header = Header {
            vault_id,
            kdf,
            salt: [0; SALT_LEN],
            passphrase_slot: placeholder_slot(),
            keyring_slot: None,
        };
        let vault = Vault {
            path: path.to_owned(),
            header: header.clone(),
            data_key: SecretBox::init_with_mut(|k: &mut [u8; KEY_LEN]| *k = *data_key),
        };
        vault.rewrap_passphrase(&mut header, passphrase, kdf)?;
        vault.write(&header, contents, file::Replace::Never)?;
        Ok(Vault { header, ..vault })
    }

    /// Opens the vault with the passphrase: the vault and its whole contents.
    pub fn open(
        path: &Path,
        passphrase: &SecretString,
    ) -> Result<(Vault, Zeroizing<Vec<u8>>), VaultError> {
        let bytes = file::read(path)?;
        let parsed = format::parse(&bytes).map_err(|p| VaultError::format(path, p))?;
        let header = &parsed.header;
        let key = kdf::derive_key(
            passphrase.expose_secret().as_bytes(),
            &header.salt,
            header.kdf,
        )?;
        let data_key = cipher::unwrap_key(&key, &header.passphrase_slot, &header.passphrase_aad())?
            .ok_or(VaultError::WrongPassphrase)?;
        Self::finish_open(path, &parsed, &data_key)
    }

    /// Opens the vault with the wrapping key kept in the OS keyring, without the passphrase.
    pub fn open_with_keyring(
        path: &Path,
        keyring: &Keyring,
    ) -> Result<(Vault, Zeroizing<Vec<u8>>), VaultError> {
        let bytes = file::read(path)?;
        let parsed = format::parse(&bytes).map_err(|p| VaultError::format(path, p))?;
        let header = &parsed.header;
        let slot = header
            .keyring_slot
            .as_ref()
            .ok_or(KeyringError::NotEnabled)?;
        let wrapping_key = keyring.read_key(&hex(&header.vault_id))?;
        let data_key = cipher::unwrap_key(&wrapping_key, slot, &header.keyring_aad())?.ok_or(
            KeyringError::EntryRejected {
                store: keyring.store_name(),
            },
        )?;
        Self::finish_open(path, &parsed, &data_key)
    }

    fn finish_open(
        path: &Path,
        parsed: &format::Parsed<'_>,
        data_key: &Zeroizing<[u8; KEY_LEN]>,
    ) -> Result<(Vault, Zeroizing<Vec<u8>>), VaultError> {
        let contents = cipher::decrypt(
            data_key,
            &parsed.body_nonce,
            parsed.header_bytes,
            parsed.ciphertext,
        )?
        .ok_or_else(|| VaultError::Tampered {
            path: path.display().to_string(),
            reason: "the contents fail authentication",
        })?;
        let vault = Vault {
            path: path.to_owned(),
            header: parsed.header.clone(),
            data_key: SecretBox::init_with_mut(|k: &mut [u8; KEY_LEN]| *k = **data_key),
        };
        Ok((vault, contents))
    }

    /// Reads what a vault file says about itself; needs no key.
    pub fn info(path: &Path) -> Result<VaultInfo, VaultError> {
        let bytes = file::read(path)?;
        let parsed = format::parse(&bytes).map_err(|p| VaultError::format(path, p))?;
        Ok(VaultInfo {
            format_version: FORMAT_VERSION,
            vault_id: hex(&parsed.header.vault_id),
            kdf: parsed.header.kdf,
            has_keyring_slot: parsed.header.keyring_slot.is_some(),
        })
    }

    /// Replaces the contents: a fresh nonce, an atomic write, no key derivation.
    pub fn seal(&mut self, contents: &[u8]) -> Result<(), VaultError> {
        self.write(&self.header, contents, file::Replace::Existing)
    }

    /// Checks a passphrase against the open vault (for "type your current passphrase").
    pub fn verify_passphrase(&self, passphrase: &SecretString) -> Result<(), VaultError> {
        let header = &self.header;
        let key = kdf::derive_key(
            passphrase.expose_secret().as_bytes(),
            &header.salt,
            header.kdf,
        )?;
        match cipher::unwrap_key(&key, &header.passphrase_slot, &header.passphrase_aad())? {
            Some(found) if bool::from(found.ct_eq(self.data_key.expose_secret())) => Ok(()),
            _ => Err(VaultError::WrongPassphrase),
        }
    }

    /// Seals the vault with a new passphrase (new salt, new passphrase slot, fresh nonce) and
    /// `contents`. The data key and the keyring slot stay. The caller checks the current
    /// passphrase first (see [`Vault::verify_passphrase`]).
    pub fn change_passphrase(
        &mut self,
        new: &SecretString,
        kdf: KdfParams,
        contents: &[u8],
    ) -> Result<(), VaultError> {
        check_new_passphrase(new, kdf)?;
        let mut header = self.header.clone();
        self.rewrap_passphrase(&mut header, new, kdf)?;
        self.write(&header, contents, file::Replace::Existing)?;
        self.header = header;
        Ok(())
    }

    /// Adds (or replaces) the keyring slot: a new wrapping key goes into `keyring`, then the
    /// vault is sealed with `contents`. If the write fails the new entry is removed again.
    pub fn enable_keyring(&mut self, keyring: &Keyring, contents: &[u8]) -> Result<(), VaultError> {
        check_len(contents)?;
        let id = self.id();
        let wrapping_key = cipher::random::<KEY_LEN>()?;
        let mut header = self.header.clone();
        header.keyring_slot = Some(cipher::wrap_key(
            &wrapping_key,
            self.data_key.expose_secret(),
            &header.keyring_aad(),
        )?);
        keyring.write_key(&id, &wrapping_key)?;
        if let Err(e) = self.write(&header, contents, file::Replace::Existing) {
            let _ = keyring.delete_entry(&id);
            return Err(e);
        }
        tracing::info!(store = keyring.store_name(), "keyring unlock enabled");
        self.header = header;
        Ok(())
    }

    /// Removes the keyring slot and seals with `contents`; then deletes the keyring entry if
    /// `keyring` is given. If only that deletion fails, the slot is already gone (the entry
    /// opens nothing any more) and the error says so.
    pub fn disable_keyring(
        &mut self,
        keyring: Option<&Keyring>,
        contents: &[u8],
    ) -> Result<(), VaultError> {
        let mut header = self.header.clone();
        header.keyring_slot = None;
        self.write(&header, contents, file::Replace::Existing)?;
        self.header = header;
        tracing::info!("keyring unlock disabled");
        if let Some(keyring) = keyring {
            keyring.delete_entry(&self.id())?;
        }
        Ok(())
    }

    /// The vault's random id: the keyring entry's user name. Not secret.
    pub fn id(&self) -> String {
        hex(&self.header.vault_id)
    }

    /// Where the vault lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The Argon2id parameters of the passphrase slot.
    pub fn kdf(&self) -> KdfParams {
        self.header.kdf
    }

    /// Whether keyring unlock is enabled.
    pub fn has_keyring_slot(&self) -> bool {
        self.header.keyring_slot.is_some()
    }

    /// New salt, new derived key, new passphrase slot in `header`.
    fn rewrap_passphrase(
        &self,
        header: &mut Header,
        passphrase: &SecretString,
        kdf: KdfParams,
    ) -> Result<(), VaultError> {
        header.kdf = kdf;
        header.salt = *cipher::random::<SALT_LEN>()?;
        let key = kdf::derive_key(passphrase.expose_secret().as_bytes(), &header.salt, kdf)?;
        header.passphrase_slot = cipher::wrap_key(
            &key,
            self.data_key.expose_secret(),
            &header.passphrase_aad(),
        )?;
        Ok(())
    }

    fn write(
        &self,
        header: &Header,
        contents: &[u8],
        replace: file::Replace,
    ) -> Result<(), VaultError> {
        check_len(contents)?;
        let header_bytes = header.encode();
        let nonce = cipher::nonce()?;
        let ciphertext = cipher::encrypt(
            self.data_key.expose_secret(),
            &nonce,
            &header_bytes,
            contents,
        )?;
        let bytes = format::assemble(&header_bytes, &nonce, &ciphertext);
        file::write(&self.path, &bytes, replace)
    }
}

fn check_new_passphrase(passphrase: &SecretString, kdf: KdfParams) -> Result<(), VaultError> {
    if passphrase.expose_secret().is_empty() {
        return Err(VaultError::InvalidInput {
            reason: "the passphrase is empty",
        });
    }
    if let Some(reason) = kdf.problem() {
        return Err(VaultError::InvalidInput { reason });
    }
    Ok(())
}

fn check_len(contents: &[u8]) -> Result<(), VaultError> {
    if contents.len() > MAX_CONTENTS_LEN {
        return Err(VaultError::TooLarge {
            len: contents.len(),
        });
    }
    Ok(())
}

fn placeholder_slot() -> WrappedKey {
    WrappedKey {
        nonce: [0; cipher::NONCE_LEN],
        sealed: [0; KEY_LEN + cipher::TAG_LEN],
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests;
