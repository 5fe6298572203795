//! Keyring unlock against the real Linux stores. Ignored by default: `cargo xtask test` runs
//! them in a step of their own, the Secret Service one inside a private D-Bus session with an
//! unlocked gnome-keyring, the keyutils one directly when the kernel keyring is reachable
//! (container seccomp profiles often block it; the step then says so and skips it, it does
//! not pass it). A store that cannot be reached fails these tests: they never pass vacuously.

#![cfg(target_os = "linux")]

use std::time::Duration;

use anyhow::Context as _;
use console_core::vault::{KdfParams, KeyStoreKind, Keyring, KeyringError, Vault, VaultError};
use secrecy::SecretString;

fn round_trip(kind: KeyStoreKind) -> anyhow::Result<()> {
    let keyring = Keyring::connect(kind, Duration::from_secs(5))
        .map_err(|e| anyhow::anyhow!("unavailable here: {}", e.reason))?;
    assert_eq!(keyring.kind(), kind);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("vault.bin");
    let passphrase = SecretString::from("real store passphrase");
    let contents = b"secrets held by a real keyring test";
    let mut vault = Vault::create(
        &path,
        &passphrase,
        KdfParams::FAST_INSECURE_FOR_TESTS,
        contents,
    )?;
    let outcome = (|| -> anyhow::Result<()> {
        vault.enable_keyring(&keyring, contents).context("enable")?;
        let (_, opened) = Vault::open_with_keyring(&path, &keyring).context("first open")?;
        assert_eq!(opened.as_slice(), contents);
        // A second handle on the same store (as after a restart) finds the entry too.
        let again = Keyring::connect(kind, Duration::from_secs(5))
            .map_err(|e| anyhow::anyhow!("{}", e.reason))?;
        assert_eq!(
            Vault::open_with_keyring(&path, &again)?.1.as_slice(),
            contents
        );
        vault.disable_keyring(Some(&keyring), contents)?;
        assert_eq!(
            Vault::open_with_keyring(&path, &keyring).err(),
            Some(VaultError::Keyring(KeyringError::NotEnabled))
        );
        // The entry itself is gone from the store.
        vault
            .enable_keyring(&keyring, contents)
            .context("enable again")?;
        keyring.delete_entry(&vault.id()).context("delete")?;
        assert!(matches!(
            Vault::open_with_keyring(&path, &keyring),
            Err(VaultError::Keyring(KeyringError::EntryMissing { .. }))
        ));
        assert_eq!(Vault::open(&path, &passphrase)?.1.as_slice(), contents);
        Ok(())
    })();
    let _ = keyring.delete_entry(&vault.id());
    outcome
}

#[test]
#[ignore = "needs a Secret Service: run by `cargo xtask test` in a private D-Bus session"]
fn secret_service_round_trip() -> anyhow::Result<()> {
    round_trip(KeyStoreKind::SecretService)
}

#[test]
#[ignore = "needs the kernel keyring: run by `cargo xtask test` where keyutils is reachable"]
fn keyutils_round_trip() -> anyhow::Result<()> {
    round_trip(KeyStoreKind::Keyutils)
}

#[test]
#[ignore = "needs a Secret Service: run by `cargo xtask test` in a private D-Bus session"]
fn detect_prefers_the_secret_service() -> anyhow::Result<()> {
    let keyring = Keyring::detect(Duration::from_secs(1))
        .map_err(|e| anyhow::anyhow!("no keyring detected: {}", e.reason))?;
    assert_eq!(keyring.kind(), KeyStoreKind::SecretService);
    Ok(())
}
