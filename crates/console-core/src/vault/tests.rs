//! What needs the inside of the module: interrupted writes, and tampering that keeps the
//! unkeyed checksum valid (so only the AEAD tags can catch it).

use sha2::{Digest as _, Sha256};

use super::file::fault::{FailAt, NEXT};
use super::*;

const KDF: KdfParams = KdfParams::FAST_INSECURE_FOR_TESTS;

fn passphrase() -> SecretString {
    SecretString::from("correct horse battery staple")
}

fn fix_checksum(bytes: &mut [u8]) {
    let end = bytes.len() - 32;
    let sum = Sha256::digest(&bytes[..end]);
    bytes[end..].copy_from_slice(&sum);
}

#[test]
fn an_interrupted_write_leaves_the_old_vault_whole() -> Result<(), VaultError> {
    let dir = tempfile::tempdir().map_err(|e| VaultError::io(Path::new("tmp"), &e))?;
    let path = dir.path().join("vault.bin");
    let mut vault = Vault::create(&path, &passphrase(), KDF, b"old contents")?;
    let before = std::fs::read(&path).map_err(|e| VaultError::io(&path, &e))?;
    for at in [FailAt::Write, FailAt::Rename] {
        NEXT.with(|next| next.set(Some(at)));
        let result = vault.seal(b"new contents, longer than the old ones");
        assert!(
            matches!(result, Err(VaultError::Io { .. })),
            "{at:?}: {result:?}"
        );
        let after = std::fs::read(&path).map_err(|e| VaultError::io(&path, &e))?;
        assert_eq!(before, after, "{at:?}: the vault file changed");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .map_err(|e| VaultError::io(dir.path(), &e))?
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        assert_eq!(
            names.len(),
            1,
            "{at:?}: a temporary file was left: {names:?}"
        );
        let (_, contents) = Vault::open(&path, &passphrase())?;
        assert_eq!(contents.as_slice(), b"old contents");
    }
    vault.seal(b"new contents")?;
    assert_eq!(
        Vault::open(&path, &passphrase())?.1.as_slice(),
        b"new contents"
    );
    Ok(())
}

#[test]
fn tampering_behind_a_recomputed_checksum_is_caught_by_the_tags() -> Result<(), VaultError> {
    let dir = tempfile::tempdir().map_err(|e| VaultError::io(Path::new("tmp"), &e))?;
    let path = dir.path().join("vault.bin");
    let keyring = Keyring::mock();
    let mut vault = Vault::create(&path, &passphrase(), KDF, b"secret contents")?;
    vault.enable_keyring(&keyring, b"secret contents")?;
    let good = std::fs::read(&path).map_err(|e| VaultError::io(&path, &e))?;
    // Skip the magic and version (their own errors) and the KDF parameters, whose bounds are
    // tested in `format`; flip one bit everywhere else.
    for index in 12..good.len() - 32 {
        if (28..40).contains(&index) {
            continue;
        }
        let mut bad = good.clone();
        bad[index] ^= 0x01;
        fix_checksum(&mut bad);
        std::fs::write(&path, &bad).map_err(|e| VaultError::io(&path, &e))?;
        let by_passphrase = Vault::open(&path, &passphrase());
        assert!(
            matches!(
                by_passphrase,
                Err(VaultError::WrongPassphrase | VaultError::Tampered { .. })
            ),
            "byte {index}: {by_passphrase:?}"
        );
        let by_keyring = Vault::open_with_keyring(&path, &keyring);
        assert!(
            matches!(
                by_keyring,
                Err(VaultError::Keyring(_) | VaultError::Tampered { .. })
            ),
            "byte {index}: {by_keyring:?}"
        );
    }
    Ok(())
}

#[test]
fn debug_never_shows_the_data_key() -> Result<(), VaultError> {
    let dir = tempfile::tempdir().map_err(|e| VaultError::io(Path::new("tmp"), &e))?;
    let path = dir.path().join("vault.bin");
    let vault = Vault::create(&path, &passphrase(), KDF, b"x")?;
    let shown = format!("{vault:?}");
    assert!(shown.contains("<redacted>"), "{shown}");
    assert!(
        !shown.contains(&hex(vault.data_key.expose_secret())),
        "{shown}"
    );
    Ok(())
}
