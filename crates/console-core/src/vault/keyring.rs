//! The OS keyring, where one exists: it may keep the vault's wrapping key so the passphrase is
//! asked less often.
//!
//! Stores, through `keyring-core`: the macOS Keychain, the Windows Credential Manager, and on
//! Linux the Secret Service (GNOME Keyring, KWallet) or else the kernel keyring (keyutils,
//! which forgets its keys at logout or reboot). The entry is service [`KEYRING_SERVICE`], user
//! the vault id; its secret is the 32-byte wrapping key of the vault's keyring slot, never the
//! passphrase and never the contents.
//!
//! Every call into a store runs on its own thread and is abandoned after a timeout: a Secret
//! Service on a D-Bus with no daemon, or a keychain waiting on a prompt, must not freeze the
//! unlock. An abandoned call finishes (or not) on its thread; the caller has its error.
//! There is no fallback that stores anything unencrypted: without a keyring, the passphrase
//! alone unlocks the vault.

use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use keyring_core::{CredentialStore, Entry};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::cipher::KEY_LEN;

/// The service name of every entry Hook0 Console keeps in an OS keyring.
pub const KEYRING_SERVICE: &str = "com.hook0.console";

/// The user name of the entry `Keyring::detect` reads (never writes) to see whether a store
/// answers.
const PROBE_USER: &str = "availability-probe";

/// Which store holds the wrapping key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStoreKind {
    /// The freedesktop Secret Service over D-Bus (GNOME Keyring, KWallet).
    SecretService,
    /// The Linux kernel key retention service: kept until logout or reboot.
    Keyutils,
    /// The macOS login keychain.
    MacosKeychain,
    /// The Windows Credential Manager.
    WindowsCredentialManager,
    /// An in-memory store for tests, gone with the process.
    Mock,
}

impl KeyStoreKind {
    /// The name to show the operator.
    pub fn name(self) -> &'static str {
        match self {
            Self::SecretService => "Secret Service (GNOME Keyring / KWallet)",
            Self::Keyutils => "Linux kernel keyring (keyutils)",
            Self::MacosKeychain => "macOS Keychain",
            Self::WindowsCredentialManager => "Windows Credential Manager",
            Self::Mock => "in-memory test keyring",
        }
    }

    /// The real stores this platform may have, most durable first.
    pub fn candidates() -> &'static [KeyStoreKind] {
        if cfg!(target_os = "linux") {
            &[Self::SecretService, Self::Keyutils]
        } else if cfg!(target_os = "macos") {
            &[Self::MacosKeychain]
        } else if cfg!(windows) {
            &[Self::WindowsCredentialManager]
        } else {
            &[]
        }
    }
}

/// No OS keyring can be used here; the reason says what was tried and what failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no OS keyring can be used ({reason}); the passphrase alone unlocks the vault")]
pub struct KeyringUnavailable {
    /// Each store tried and why it was not usable.
    pub reason: String,
}

/// A keyring operation failed. The passphrase still opens the vault in every case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// The store refused or failed the call.
    #[error("the {store} could not be used: {reason}")]
    Unavailable {
        /// The store's name.
        store: &'static str,
        /// What it answered.
        reason: String,
    },
    /// The store did not answer in time.
    #[error("the {store} did not answer within {} s", .after.as_secs_f32())]
    TimedOut {
        /// The store's name.
        store: &'static str,
        /// How long it was given.
        after: Duration,
    },
    /// The store holds no key for this vault: deleted, or never stored.
    #[error("the {store} holds no key for this vault (it was removed); use the passphrase")]
    EntryMissing {
        /// The store's name.
        store: &'static str,
    },
    /// The store holds a key for this vault, but not the one that opens it.
    #[error("the key in the {store} does not open this vault; use the passphrase")]
    EntryRejected {
        /// The store's name.
        store: &'static str,
    },
    /// The vault has no keyring slot: keyring unlock was never enabled, or was disabled.
    #[error("keyring unlock is not enabled for this vault; use the passphrase")]
    NotEnabled,
}

/// A handle on one credential store.
#[derive(Clone)]
pub struct Keyring {
    store: Arc<CredentialStore>,
    kind: KeyStoreKind,
    timeout: Duration,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("kind", &self.kind)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Keyring {
    /// How long a read, write or delete may take before it is abandoned. Generous, because
    /// the store may show its own unlock prompt.
    pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

    /// The most durable store that answers within `timeout`, all candidates probed at once.
    /// Returns within `timeout` (plus thread start-up) whatever the stores do.
    pub fn detect(timeout: Duration) -> Result<Keyring, KeyringUnavailable> {
        let candidates = KeyStoreKind::candidates();
        if candidates.is_empty() {
            return Err(KeyringUnavailable {
                reason: "this platform has no supported keyring".into(),
            });
        }
        let deadline = Instant::now() + timeout;
        let (tx, rx) = mpsc::channel();
        let mut results: Vec<Option<Probed>> = candidates.iter().map(|_| None).collect();
        for (index, &kind) in candidates.iter().enumerate() {
            let tx = tx.clone();
            let spawned = std::thread::Builder::new()
                .name("keyring-probe".into())
                .spawn(move || {
                    let _ = tx.send((index, probe(kind)));
                });
            if let Err(e) = spawned {
                results[index] = Some(Err(format!("could not start the probe: {e}")));
            }
        }
        drop(tx);
        loop {
            if let Some(decided) = decide(candidates, &results) {
                return decided.map(|(kind, store)| Keyring::with_store(store, kind));
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(remaining) {
                Ok((index, result)) => results[index] = Some(result),
                Err(_) => break,
            }
        }
        let mut reasons = Vec::new();
        for (kind, result) in candidates.iter().zip(results) {
            match result {
                Some(Ok(store)) => return Ok(Keyring::with_store(store, *kind)),
                Some(Err(reason)) => reasons.push(format!("{}: {reason}", kind.name())),
                None => reasons.push(format!(
                    "{}: no answer within {} ms",
                    kind.name(),
                    timeout.as_millis()
                )),
            }
        }
        Err(KeyringUnavailable {
            reason: reasons.join("; "),
        })
    }

    /// One given store, if it answers within `timeout`.
    pub fn connect(kind: KeyStoreKind, timeout: Duration) -> Result<Keyring, KeyringUnavailable> {
        match bounded(timeout, move || probe(kind)) {
            Some(Ok(store)) => Ok(Keyring::with_store(store, kind)),
            Some(Err(reason)) => Err(KeyringUnavailable {
                reason: format!("{}: {reason}", kind.name()),
            }),
            None => Err(KeyringUnavailable {
                reason: format!(
                    "{}: no answer within {} ms",
                    kind.name(),
                    timeout.as_millis()
                ),
            }),
        }
    }

    /// A fresh in-memory store, for tests: its entries live as long as the returned handle
    /// and its clones.
    pub fn mock() -> Keyring {
        let store = keyring_core::mock::Store {
            id: "hook0-console-mock".into(),
            inner: Default::default(),
        };
        Keyring::with_store(Arc::new(store), KeyStoreKind::Mock)
    }

    /// Wraps a store built elsewhere (tests keep their own handle on a mock store this way).
    pub fn with_store(store: Arc<CredentialStore>, kind: KeyStoreKind) -> Keyring {
        Keyring {
            store,
            kind,
            timeout: Self::DEFAULT_OPERATION_TIMEOUT,
        }
    }

    /// The same store with another per-operation timeout.
    pub fn with_operation_timeout(mut self, timeout: Duration) -> Keyring {
        self.timeout = timeout;
        self
    }

    /// Which store this is.
    pub fn kind(&self) -> KeyStoreKind {
        self.kind
    }

    /// The store's name, to show the operator.
    pub fn store_name(&self) -> &'static str {
        self.kind.name()
    }

    /// Removes the entry of the vault with this id, if there is one. For a vault that no
    /// longer exists; [`super::Vault::disable_keyring`] does this for a live one.
    pub fn delete_entry(&self, vault_id: &str) -> Result<(), KeyringError> {
        let user = vault_id.to_owned();
        match self.call(move |store| {
            Entry::new_in_store(store, KEYRING_SERVICE, &user)?.delete_credential()
        }) {
            Err(KeyringError::EntryMissing { .. }) => Ok(()),
            other => other,
        }
    }

    pub(super) fn read_key(
        &self,
        vault_id: &str,
    ) -> Result<Zeroizing<[u8; KEY_LEN]>, KeyringError> {
        let user = vault_id.to_owned();
        let secret = self.call(move |store| {
            Entry::new_in_store(store, KEYRING_SERVICE, &user)?
                .get_secret()
                .map(Zeroizing::new)
        })?;
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        if secret.len() != KEY_LEN {
            return Err(KeyringError::EntryRejected {
                store: self.store_name(),
            });
        }
        key.copy_from_slice(&secret);
        Ok(key)
    }

    pub(super) fn write_key(
        &self,
        vault_id: &str,
        key: &Zeroizing<[u8; KEY_LEN]>,
    ) -> Result<(), KeyringError> {
        let user = vault_id.to_owned();
        let key = key.clone();
        self.call(move |store| {
            Entry::new_in_store(store, KEYRING_SERVICE, &user)?.set_secret(key.as_slice())
        })
    }

    /// Runs one store call on its own thread, bounded by the operation timeout.
    fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Arc<CredentialStore>) -> keyring_core::Result<T> + Send + 'static,
    ) -> Result<T, KeyringError> {
        let store_name = self.store_name();
        let store = Arc::clone(&self.store);
        match bounded(self.timeout, move || f(&store)) {
            Some(Ok(value)) => Ok(value),
            Some(Err(e)) => Err(from_store(store_name, &e)),
            None => Err(KeyringError::TimedOut {
                store: store_name,
                after: self.timeout,
            }),
        }
    }
}

/// A probe's answer: a store that answers, or why not.
type Probed = Result<Arc<CredentialStore>, String>;

/// Decides as soon as possible: the first candidate in preference order that answered yes,
/// once every candidate before it has answered no.
fn decide(
    candidates: &[KeyStoreKind],
    results: &[Option<Probed>],
) -> Option<Result<(KeyStoreKind, Arc<CredentialStore>), KeyringUnavailable>> {
    for (kind, result) in candidates.iter().zip(results) {
        match result {
            None => return None,
            Some(Ok(store)) => return Some(Ok((*kind, Arc::clone(store)))),
            Some(Err(_)) => {}
        }
    }
    let reason = candidates
        .iter()
        .zip(results)
        .filter_map(|(kind, result)| match result {
            Some(Err(reason)) => Some(format!("{}: {reason}", kind.name())),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("; ");
    Some(Err(KeyringUnavailable { reason }))
}

/// `f`'s result if it comes within `timeout`; `None` otherwise (the thread is abandoned) or
/// if the thread could not start or panicked.
fn bounded<T: Send + 'static>(
    timeout: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::sync_channel(1);
    std::thread::Builder::new()
        .name("keyring-call".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .ok()?;
    rx.recv_timeout(timeout).ok()
}

/// Opens a store and reads an entry that does not exist: "no such entry" proves it answers.
///
/// The kernel keyring needs more: the process must have a session keyring of its own (a
/// login session gives it one; many containers and services have none), and a probe key is
/// written, read back and deleted (it lives a moment in kernel memory).
fn probe(kind: KeyStoreKind) -> Probed {
    if kind == KeyStoreKind::Keyutils {
        own_session_keyring()?;
    }
    let store = open_store(kind)?;
    let read = Entry::new_in_store(&store, KEYRING_SERVICE, PROBE_USER)
        .and_then(|entry| entry.get_secret().map(Zeroizing::new));
    match read {
        Ok(_) | Err(keyring_core::Error::NoEntry) => {}
        Err(e) => return Err(describe(&e)),
    }
    if kind == KeyStoreKind::Keyutils {
        keyutils_round_trip(&store)?;
    }
    Ok(store)
}

#[cfg(target_os = "linux")]
fn keyutils_round_trip(store: &Arc<CredentialStore>) -> Result<(), String> {
    let user = format!("{PROBE_USER}-{}", std::process::id());
    let entry = Entry::new_in_store(store, KEYRING_SERVICE, &user).map_err(|e| describe(&e))?;
    entry.set_secret(b"probe").map_err(|e| describe(&e))?;
    let read = entry.get_secret().map(Zeroizing::new);
    let deleted = entry.delete_credential();
    match (read, deleted) {
        (Ok(value), Ok(())) if value.as_slice() == b"probe" => Ok(()),
        (Ok(_), Ok(())) => Err("a key written came back different".into()),
        (Err(e), _) | (_, Err(e)) => Err(format!(
            "a key written cannot be read back: {}",
            describe(&e)
        )),
    }
}

/// Whether this process has a session keyring of its own, checked before anything touches
/// the kernel keyring on this thread. Without one, the keyutils store makes each thread join
/// a new anonymous session keyring, so what one call stores the next call cannot see.
#[cfg(target_os = "linux")]
fn own_session_keyring() -> Result<(), String> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    let session = KeyRing::from_special_id(KeyRingIdentifier::Session, false)
        .map_err(|e| format!("the kernel keyring cannot be reached: {e:?}"))?;
    let user_session = KeyRing::from_special_id(KeyRingIdentifier::UserSession, false)
        .map_err(|e| format!("the kernel keyring cannot be reached: {e:?}"))?;
    if session == user_session {
        return Err(
            "this process has no session keyring of its own (no login session), so \
                    what one call stores the next cannot see"
                .into(),
        );
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn own_session_keyring() -> Result<(), String> {
    Err("not available on this platform".into())
}

#[cfg(not(target_os = "linux"))]
fn keyutils_round_trip(_store: &Arc<CredentialStore>) -> Result<(), String> {
    Err("not available on this platform".into())
}

fn open_store(kind: KeyStoreKind) -> Result<Arc<CredentialStore>, String> {
    fn erase<S: keyring_core::api::CredentialStoreApi + Send + Sync + 'static>(
        store: keyring_core::Result<Arc<S>>,
    ) -> Result<Arc<CredentialStore>, String> {
        store
            .map(|s| s as Arc<CredentialStore>)
            .map_err(|e| describe(&e))
    }
    match kind {
        #[cfg(target_os = "linux")]
        KeyStoreKind::SecretService => erase(zbus_secret_service_keyring_store::Store::new()),
        #[cfg(target_os = "linux")]
        KeyStoreKind::Keyutils => erase(linux_keyutils_keyring_store::Store::new()),
        #[cfg(target_os = "macos")]
        KeyStoreKind::MacosKeychain => erase(apple_native_keyring_store::keychain::Store::new()),
        #[cfg(windows)]
        KeyStoreKind::WindowsCredentialManager => erase(windows_native_keyring_store::Store::new()),
        KeyStoreKind::Mock => Ok(Keyring::mock().store),
        #[allow(unreachable_patterns)]
        _ => Err("not available on this platform".into()),
    }
}

fn from_store(store: &'static str, e: &keyring_core::Error) -> KeyringError {
    match e {
        keyring_core::Error::NoEntry => KeyringError::EntryMissing { store },
        keyring_core::Error::BadEncoding(_) | keyring_core::Error::BadDataFormat(..) => {
            KeyringError::EntryRejected { store }
        }
        other => KeyringError::Unavailable {
            store,
            reason: describe(other),
        },
    }
}

/// A store error in words, without the secret bytes some variants carry.
fn describe(e: &keyring_core::Error) -> String {
    match e {
        keyring_core::Error::NoStorageAccess(inner) => format!("access refused: {inner}"),
        keyring_core::Error::PlatformFailure(inner) => inner.to_string(),
        keyring_core::Error::BadEncoding(_) | keyring_core::Error::BadDataFormat(..) => {
            "the stored entry is malformed".into()
        }
        keyring_core::Error::Ambiguous(_) => "more than one entry matches".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mock_keyring_keeps_a_key_until_it_is_deleted() -> Result<(), KeyringError> {
        let keyring = Keyring::mock();
        let key = Zeroizing::new([42u8; KEY_LEN]);
        assert!(matches!(
            keyring.read_key("v1"),
            Err(KeyringError::EntryMissing { .. })
        ));
        keyring.write_key("v1", &key)?;
        assert_eq!(*keyring.read_key("v1")?, *key);
        keyring.delete_entry("v1")?;
        keyring.delete_entry("v1")?;
        assert!(matches!(
            keyring.read_key("v1"),
            Err(KeyringError::EntryMissing { .. })
        ));
        Ok(())
    }

    #[test]
    fn a_call_that_hangs_is_abandoned_at_the_timeout() {
        let started = Instant::now();
        let result = bounded(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(5));
        });
        assert!(result.is_none());
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn debug_shows_the_kind_only() {
        let shown = format!("{:?}", Keyring::mock());
        assert!(shown.contains("Mock"), "{shown}");
    }
}
