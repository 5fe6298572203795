//! The vault file: round trips, wrong passphrases, damage of every kind, atomic writes,
//! passphrase change, and keyring unlock against the in-memory keyring.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use console_core::vault::{KdfParams, Keyring, KeyringError, Vault, VaultError};
use secrecy::SecretString;
use sha2::{Digest as _, Sha256};

const KDF: KdfParams = KdfParams::FAST_INSECURE_FOR_TESTS;
const CONTENTS: &[u8] = b"{\"token\":\"biscuit-MARKER-7f3a\",\"totp\":\"JBSWY3DPEHPK3PXP\"}";

fn passphrase() -> SecretString {
    SecretString::from("Tr0ub4dor&3-passphrase-MARKER")
}

fn vault_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("vault.bin")
}

fn fix_checksum(bytes: &mut [u8]) {
    let end = bytes.len() - 32;
    let sum = Sha256::digest(&bytes[..end]);
    bytes[end..].copy_from_slice(&sum);
}

fn is_typed(error: &VaultError) -> bool {
    matches!(
        error,
        VaultError::Tampered { .. }
            | VaultError::UnsupportedFormat { .. }
            | VaultError::WrongPassphrase
    )
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_vault_opens_with_its_passphrase_and_gives_back_its_contents() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    assert!(!Vault::exists(&path));
    let vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    assert!(Vault::exists(&path));
    let (opened, contents) = Vault::open(&path, &passphrase())?;
    assert_eq!(contents.as_slice(), CONTENTS);
    assert_eq!(opened.id(), vault.id());
    let info = Vault::info(&path)?;
    assert_eq!(info.format_version, 1);
    assert_eq!(info.kdf, KDF);
    assert_eq!(info.vault_id, vault.id());
    assert!(!info.has_keyring_slot);
    Ok(())
}

#[test]
fn empty_contents_round_trip_too() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    Vault::create(&path, &passphrase(), KDF, b"")?;
    assert!(Vault::open(&path, &passphrase())?.1.is_empty());
    Ok(())
}

#[test]
fn a_wrong_passphrase_is_reported_as_such() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    for wrong in [
        "",
        "Tr0ub4dor&3-passphrase-MARKEr",
        "something else entirely",
    ] {
        let result = Vault::open(&path, &SecretString::from(wrong));
        assert_eq!(result.err(), Some(VaultError::WrongPassphrase), "{wrong:?}");
    }
    Ok(())
}

#[test]
fn a_missing_vault_is_not_found() {
    let result = Vault::open(Path::new("/nonexistent/dir/vault.bin"), &passphrase());
    assert!(
        matches!(result, Err(VaultError::NotFound { .. })),
        "{result:?}"
    );
}

#[test]
fn flipping_any_byte_gives_a_typed_error_never_contents() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    let good = fs::read(&path)?;
    for index in 0..good.len() {
        for mask in [0x01, 0x80, 0xff] {
            let mut bad = good.clone();
            bad[index] ^= mask;
            fs::write(&path, &bad)?;
            match Vault::open(&path, &passphrase()) {
                Ok(_) => panic!("byte {index} ^ {mask:#x} still opened"),
                Err(e) => assert!(is_typed(&e), "byte {index} ^ {mask:#x}: {e:?}"),
            }
        }
    }
    Ok(())
}

/// Each region edited behind a recomputed checksum: only the keys and tags can tell.
#[test]
fn every_region_is_authenticated_even_behind_a_valid_checksum() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    let keyring = Keyring::mock();
    let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    vault.enable_keyring(&keyring, CONTENTS)?;
    let good = fs::read(&path)?;
    // Offsets from the layout in `vault::format`.
    let slot = 1 + 24 + 48;
    let body = 57 + 2 * slot;
    type Expected = fn(&VaultError) -> bool;
    let regions: &[(&str, usize, Expected)] = &[
        ("vault id", 12, |e| *e == VaultError::WrongPassphrase),
        ("KDF memory", 28, |e| *e == VaultError::WrongPassphrase),
        ("salt", 40, |e| *e == VaultError::WrongPassphrase),
        ("passphrase slot nonce", 57 + 1, |e| {
            *e == VaultError::WrongPassphrase
        }),
        ("passphrase slot key", 57 + 1 + 24, |e| {
            *e == VaultError::WrongPassphrase
        }),
        ("keyring slot nonce", 57 + slot + 1, |e| {
            matches!(e, VaultError::Tampered { .. })
        }),
        ("keyring slot key", 57 + slot + 30, |e| {
            matches!(e, VaultError::Tampered { .. })
        }),
        ("body nonce", body, |e| {
            matches!(e, VaultError::Tampered { .. })
        }),
        ("ciphertext", body + 24 + 3, |e| {
            matches!(e, VaultError::Tampered { .. })
        }),
        ("tag", good.len() - 32 - 1, |e| {
            matches!(e, VaultError::Tampered { .. })
        }),
    ];
    for (name, index, expected) in regions {
        let mut bad = good.clone();
        bad[*index] ^= 0x04;
        fix_checksum(&mut bad);
        fs::write(&path, &bad)?;
        match Vault::open(&path, &passphrase()) {
            Ok(_) => panic!("{name}: an edited vault opened"),
            Err(e) => assert!(expected(&e), "{name}: {e:?}"),
        }
        match Vault::open_with_keyring(&path, &keyring) {
            Ok(_) => panic!("{name}: an edited vault opened with the keyring"),
            Err(e) => assert!(
                matches!(e, VaultError::Tampered { .. } | VaultError::Keyring(_)),
                "{name}: {e:?}"
            ),
        }
    }
    Ok(())
}

#[test]
fn a_truncated_or_extended_file_is_tampered() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    let good = fs::read(&path)?;
    for len in 0..good.len() {
        fs::write(&path, &good[..len])?;
        let result = Vault::open(&path, &passphrase());
        assert!(
            matches!(result, Err(VaultError::Tampered { .. })),
            "cut at {len}: {result:?}"
        );
        assert!(Vault::info(&path).is_err(), "cut at {len}");
    }
    let mut longer = good.clone();
    longer.extend_from_slice(b"trailing");
    fs::write(&path, &longer)?;
    let result = Vault::open(&path, &passphrase());
    assert!(
        matches!(result, Err(VaultError::Tampered { .. })),
        "{result:?}"
    );
    Ok(())
}

#[test]
fn a_huge_file_is_refused_without_reading_it_all() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    let file = fs::OpenOptions::new().write(true).open(&path)?;
    file.set_len(1 << 40)?; // sparse: a terabyte that takes no space
    drop(file);
    let started = Instant::now();
    let result = Vault::open(&path, &passphrase());
    assert!(
        matches!(result, Err(VaultError::Tampered { .. })),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    Ok(())
}

#[test]
fn another_format_version_is_refused_as_unsupported() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    let mut bytes = fs::read(&path)?;
    bytes[8..12].copy_from_slice(&2u32.to_le_bytes());
    fix_checksum(&mut bytes);
    fs::write(&path, &bytes)?;
    assert_eq!(
        Vault::open(&path, &passphrase()).err(),
        Some(VaultError::UnsupportedFormat { found: 2 })
    );
    assert_eq!(
        Vault::info(&path).err(),
        Some(VaultError::UnsupportedFormat { found: 2 })
    );
    Ok(())
}

#[cfg(unix)]
#[test]
fn the_file_is_private_to_its_owner_after_every_write() -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    let mode = |path: &Path| -> anyhow::Result<u32> {
        Ok(fs::metadata(path)?.permissions().mode() & 0o777)
    };
    let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    assert_eq!(mode(&path)?, 0o600, "after create");
    vault.seal(CONTENTS)?;
    assert_eq!(mode(&path)?, 0o600, "after seal");
    vault.change_passphrase(&SecretString::from("new one"), KDF, CONTENTS)?;
    assert_eq!(mode(&path)?, 0o600, "after a passphrase change");
    let nested = dir.path().join("data").join("vault.bin");
    Vault::create(&nested, &passphrase(), KDF, CONTENTS)?;
    assert_eq!(mode(&nested)?, 0o600);
    assert_eq!(
        mode(nested.parent().unwrap())?,
        0o700,
        "a created directory"
    );
    Ok(())
}

#[test]
fn neither_contents_nor_passphrase_appear_in_the_file() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    vault.enable_keyring(&Keyring::mock(), CONTENTS)?;
    let bytes = fs::read(&path)?;
    for needle in [&b"MARKER"[..], b"biscuit", b"JBSWY3DP", b"Tr0ub4dor"] {
        assert!(
            !contains(&bytes, needle),
            "{:?} is in the file",
            String::from_utf8_lossy(needle)
        );
    }
    Ok(())
}

#[test]
fn every_seal_uses_a_fresh_nonce() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    let mut seen = vec![fs::read(&path)?];
    for _ in 0..3 {
        vault.seal(CONTENTS)?;
        let bytes = fs::read(&path)?;
        assert!(
            !seen.contains(&bytes),
            "two seals of the same contents are identical"
        );
        seen.push(bytes);
    }
    let body = 57 + 73;
    let nonces: Vec<&[u8]> = seen.iter().map(|b| &b[body..body + 24]).collect();
    for (i, a) in nonces.iter().enumerate() {
        for b in &nonces[i + 1..] {
            assert_ne!(a, b, "a body nonce was reused");
        }
    }
    assert_eq!(Vault::open(&path, &passphrase())?.1.as_slice(), CONTENTS);
    Ok(())
}

#[test]
fn a_passphrase_change_keeps_the_contents_and_retires_the_old_passphrase() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    let before = fs::read(&path)?;
    let new = SecretString::from("a brand new passphrase");
    assert_eq!(
        vault.verify_passphrase(&new).err(),
        Some(VaultError::WrongPassphrase)
    );
    vault.verify_passphrase(&passphrase())?;
    let stronger = KdfParams {
        iterations: 2,
        ..KDF
    };
    vault.change_passphrase(&new, stronger, CONTENTS)?;
    let after = fs::read(&path)?;
    assert_ne!(before[40..56], after[40..56], "the salt is new");
    assert_eq!(
        Vault::open(&path, &passphrase()).err(),
        Some(VaultError::WrongPassphrase)
    );
    let (reopened, contents) = Vault::open(&path, &new)?;
    assert_eq!(contents.as_slice(), CONTENTS);
    assert_eq!(reopened.id(), vault.id());
    assert_eq!(Vault::info(&path)?.kdf, stronger);
    vault.verify_passphrase(&new)?;
    Ok(())
}

#[test]
fn create_refuses_to_replace_anything() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    let before = fs::read(&path)?;
    let result = Vault::create(&path, &SecretString::from("other"), KDF, b"other");
    assert!(
        matches!(result, Err(VaultError::AlreadyExists { .. })),
        "{result:?}"
    );
    assert_eq!(fs::read(&path)?, before);
    let other = dir.path().join("notes.txt");
    fs::write(&other, "not a vault")?;
    let result = Vault::create(&other, &passphrase(), KDF, CONTENTS);
    assert!(
        matches!(result, Err(VaultError::AlreadyExists { .. })),
        "{result:?}"
    );
    assert_eq!(fs::read_to_string(&other)?, "not a vault");
    Ok(())
}

#[test]
fn unusable_inputs_are_refused_before_anything_is_written() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    let empty = Vault::create(&path, &SecretString::from(""), KDF, CONTENTS);
    assert!(
        matches!(empty, Err(VaultError::InvalidInput { .. })),
        "{empty:?}"
    );
    let absurd = KdfParams {
        memory_kib: u32::MAX,
        ..KDF
    };
    let result = Vault::create(&path, &passphrase(), absurd, CONTENTS);
    assert!(
        matches!(result, Err(VaultError::InvalidInput { .. })),
        "{result:?}"
    );
    let huge = vec![0u8; 16 * 1024 * 1024 + 1];
    let result = Vault::create(&path, &passphrase(), KDF, &huge);
    assert!(
        matches!(result, Err(VaultError::TooLarge { .. })),
        "{result:?}"
    );
    assert!(!Vault::exists(&path));
    Ok(())
}

#[cfg(unix)]
#[test]
fn a_failed_write_leaves_the_good_vault_in_place() -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    let before = fs::read(&path)?;
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o500))?;
    let writable = fs::write(dir.path().join("probe"), b"").is_ok();
    let result = vault.seal(b"replacement");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700))?;
    if writable {
        // Root ignores directory permissions; the unit tests inject the failure instead.
        eprintln!("directory permissions not enforced for this user; see vault::tests");
        return Ok(());
    }
    assert!(matches!(result, Err(VaultError::Io { .. })), "{result:?}");
    assert_eq!(fs::read(&path)?, before);
    assert_eq!(Vault::open(&path, &passphrase())?.1.as_slice(), CONTENTS);
    Ok(())
}

#[test]
fn the_recommended_parameters_are_argon2id_64_mib_t3_p4_and_open_quickly() -> anyhow::Result<()> {
    assert_eq!(
        KdfParams::RECOMMENDED,
        KdfParams {
            memory_kib: 65536,
            iterations: 3,
            parallelism: 4
        }
    );
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    let vault = Vault::create(&path, &passphrase(), KdfParams::RECOMMENDED, CONTENTS)?;
    assert_eq!(vault.kdf(), KdfParams::RECOMMENDED);
    assert_eq!(Vault::info(&path)?.kdf, KdfParams::RECOMMENDED);
    let started = Instant::now();
    let (_, contents) = Vault::open(&path, &passphrase())?;
    let took = started.elapsed();
    assert_eq!(contents.as_slice(), CONTENTS);
    eprintln!("one open with the recommended parameters: {took:?}");
    assert!(took < Duration::from_secs(10), "an unlock took {took:?}");
    // The same file with cheaper parameters written in: the passphrase no longer opens it,
    // so the stored parameters are the ones used.
    let mut bytes = fs::read(&path)?;
    bytes[32..36].copy_from_slice(&1u32.to_le_bytes());
    fix_checksum(&mut bytes);
    fs::write(&path, &bytes)?;
    assert_eq!(
        Vault::open(&path, &passphrase()).err(),
        Some(VaultError::WrongPassphrase)
    );
    Ok(())
}

#[test]
fn errors_reach_the_ui_with_their_codes_and_no_secret() -> anyhow::Result<()> {
    use console_core::{ErrorCode, ErrorDto};
    let dir = tempfile::tempdir()?;
    let path = vault_path(&dir);
    Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
    let wrong: ErrorDto = Vault::open(&path, &SecretString::from("guess MARKER"))
        .err()
        .unwrap()
        .into();
    assert_eq!(wrong.code, ErrorCode::WrongPassphrase);
    assert!(!wrong.message.contains("MARKER"));
    fs::write(&path, b"garbage")?;
    let tampered: ErrorDto = Vault::open(&path, &passphrase()).err().unwrap().into();
    assert_eq!(tampered.code, ErrorCode::Tampered);
    let keyring: ErrorDto = VaultError::Keyring(KeyringError::NotEnabled).into();
    assert_eq!(keyring.code, ErrorCode::KeyringUnavailable);
    Ok(())
}

mod keyring {
    use super::*;
    use console_core::vault::{KEYRING_SERVICE, KeyStoreKind};
    use std::sync::Arc;

    fn mock() -> anyhow::Result<(Arc<keyring_core::mock::Store>, Keyring)> {
        let store = keyring_core::mock::Store::new()?;
        let keyring = Keyring::with_store(store.clone(), KeyStoreKind::Mock);
        Ok((store, keyring))
    }

    #[test]
    fn an_enabled_keyring_opens_the_vault_without_the_passphrase() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = vault_path(&dir);
        let (store, keyring) = mock()?;
        assert_eq!(keyring.kind(), KeyStoreKind::Mock);
        assert!(!keyring.store_name().is_empty());
        let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
        assert_eq!(
            Vault::open_with_keyring(&path, &keyring).err(),
            Some(VaultError::Keyring(KeyringError::NotEnabled))
        );
        vault.enable_keyring(&keyring, CONTENTS)?;
        assert!(vault.has_keyring_slot());
        assert!(Vault::info(&path)?.has_keyring_slot);
        let entry = keyring_core::Entry::new_in_store(&(store as _), KEYRING_SERVICE, &vault.id())?;
        assert_eq!(
            entry.get_secret()?.len(),
            32,
            "the entry holds the wrapping key"
        );
        let (mut reopened, contents) = Vault::open_with_keyring(&path, &keyring)?;
        assert_eq!(contents.as_slice(), CONTENTS);
        reopened.seal(b"sealed after a keyring unlock")?;
        assert_eq!(
            Vault::open(&path, &passphrase())?.1.as_slice(),
            b"sealed after a keyring unlock"
        );
        Ok(())
    }

    #[test]
    fn a_passphrase_change_keeps_keyring_unlock() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = vault_path(&dir);
        let keyring = Keyring::mock();
        let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
        vault.enable_keyring(&keyring, CONTENTS)?;
        vault.change_passphrase(&SecretString::from("new"), KDF, CONTENTS)?;
        assert_eq!(
            Vault::open_with_keyring(&path, &keyring)?.1.as_slice(),
            CONTENTS
        );
        Ok(())
    }

    #[test]
    fn a_disabled_keyring_no_longer_opens_and_its_entry_is_gone() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = vault_path(&dir);
        let (store, keyring) = mock()?;
        let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
        vault.enable_keyring(&keyring, CONTENTS)?;
        vault.disable_keyring(Some(&keyring), CONTENTS)?;
        assert!(!vault.has_keyring_slot());
        assert_eq!(
            Vault::open_with_keyring(&path, &keyring).err(),
            Some(VaultError::Keyring(KeyringError::NotEnabled))
        );
        let entry = keyring_core::Entry::new_in_store(&(store as _), KEYRING_SERVICE, &vault.id())?;
        assert!(matches!(
            entry.get_secret(),
            Err(keyring_core::Error::NoEntry)
        ));
        assert_eq!(Vault::open(&path, &passphrase())?.1.as_slice(), CONTENTS);
        Ok(())
    }

    #[test]
    fn a_deleted_entry_is_a_typed_error_and_the_passphrase_still_opens() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = vault_path(&dir);
        let keyring = Keyring::mock();
        let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
        vault.enable_keyring(&keyring, CONTENTS)?;
        keyring.delete_entry(&vault.id())?;
        assert!(matches!(
            Vault::open_with_keyring(&path, &keyring),
            Err(VaultError::Keyring(KeyringError::EntryMissing { .. }))
        ));
        assert_eq!(Vault::open(&path, &passphrase())?.1.as_slice(), CONTENTS);
        // Another store (say, another machine's) has no entry either.
        assert!(matches!(
            Vault::open_with_keyring(&path, &Keyring::mock()),
            Err(VaultError::Keyring(KeyringError::EntryMissing { .. }))
        ));
        Ok(())
    }

    #[test]
    fn a_replaced_entry_is_rejected() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = vault_path(&dir);
        let (store, keyring) = mock()?;
        let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
        vault.enable_keyring(&keyring, CONTENTS)?;
        let entry = keyring_core::Entry::new_in_store(&(store as _), KEYRING_SERVICE, &vault.id())?;
        entry.set_secret(&[7u8; 32])?;
        assert!(matches!(
            Vault::open_with_keyring(&path, &keyring),
            Err(VaultError::Keyring(KeyringError::EntryRejected { .. }))
        ));
        entry.set_secret(b"short")?;
        assert!(matches!(
            Vault::open_with_keyring(&path, &keyring),
            Err(VaultError::Keyring(KeyringError::EntryRejected { .. }))
        ));
        Ok(())
    }

    #[test]
    fn a_failing_store_is_a_typed_error() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = vault_path(&dir);
        let (store, keyring) = mock()?;
        let mut vault = Vault::create(&path, &passphrase(), KDF, CONTENTS)?;
        vault.enable_keyring(&keyring, CONTENTS)?;
        let entry = keyring_core::Entry::new_in_store(&(store as _), KEYRING_SERVICE, &vault.id())?;
        let cred: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
        cred.set_error(keyring_core::Error::NoStorageAccess("locked".into()));
        assert!(matches!(
            Vault::open_with_keyring(&path, &keyring),
            Err(VaultError::Keyring(KeyringError::Unavailable { .. }))
        ));
        Ok(())
    }
}

/// Detection with nothing behind D-Bus: a socket path that does not exist, and a socket that
/// accepts but never answers (a bus with no daemon behind it). Each runs in a child process
/// because the bus address is process-wide.
mod detection {
    use super::*;
    use std::process::Command;

    const CHILD: &str = "HOOK0_VAULT_DETECT_CHILD";
    const TIMEOUT: Duration = Duration::from_millis(1000);

    fn run_child(bus: &str) -> anyhow::Result<String> {
        let out = Command::new(std::env::current_exe()?)
            .args([
                "vault::detection::child",
                "--exact",
                "--ignored",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .env("DBUS_SESSION_BUS_ADDRESS", bus)
            .output()?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "the child failed:\n{text}");
        assert!(text.contains("1 passed"), "the child did not run:\n{text}");
        Ok(text)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn no_bus_at_all_gives_an_error_within_the_timeout() -> anyhow::Result<()> {
        run_child("unix:path=/nonexistent/hook0-console-test-bus")?;
        Ok(())
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_bus_that_never_answers_gives_an_error_within_the_timeout() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let socket = dir.path().join("bus");
        let listener = std::os::unix::net::UnixListener::bind(&socket)?;
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                held.push(stream); // accept, never answer
            }
        });
        run_child(&format!("unix:path={}", socket.display()))?;
        Ok(())
    }

    /// Runs only when started by the tests above.
    #[test]
    #[ignore = "started by the detection tests in a child process"]
    fn child() {
        if std::env::var_os(CHILD).is_none() {
            return;
        }
        let started = Instant::now();
        let secret_service =
            Keyring::connect(console_core::vault::KeyStoreKind::SecretService, TIMEOUT);
        let took = started.elapsed();
        println!(
            "secret service: {:?} after {took:?}",
            secret_service.as_ref().err()
        );
        assert!(secret_service.is_err(), "a secret service answered");
        assert!(took < TIMEOUT + Duration::from_millis(500), "took {took:?}");
        let started = Instant::now();
        let detected = Keyring::detect(TIMEOUT);
        let took = started.elapsed();
        println!("detect: {detected:?} after {took:?}");
        assert!(took < TIMEOUT + Duration::from_millis(500), "took {took:?}");
        match detected {
            Err(e) => assert!(e.reason.contains("Secret Service"), "{e}"),
            Ok(keyring) => assert_eq!(
                keyring.kind(),
                console_core::vault::KeyStoreKind::Keyutils,
                "only the kernel keyring can answer here"
            ),
        }
    }
}
