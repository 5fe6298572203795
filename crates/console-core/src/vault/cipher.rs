//! XChaCha20-Poly1305 and randomness, in the few shapes the vault uses.
//!
//! Every encryption takes a fresh random 192-bit nonce: with random nonces of that size,
//! reuse is not a practical concern however often the vault is re-sealed. Decryption either
//! returns the whole plaintext (zeroed on drop) or nothing.

use chacha20poly1305::aead::{Aead, Generate, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::VaultError;

/// Length of a key (data key, passphrase key, keyring wrapping key).
pub(super) const KEY_LEN: usize = 32;
/// Length of an XChaCha20 nonce.
pub(super) const NONCE_LEN: usize = 24;
/// Length of a Poly1305 tag.
pub(super) const TAG_LEN: usize = 16;

/// Random bytes from the operating system, zeroed on drop.
pub(super) fn random<const N: usize>() -> Result<Zeroizing<[u8; N]>, VaultError> {
    <[u8; N]>::try_generate()
        .map(Zeroizing::new)
        .map_err(|e| VaultError::Crypto {
            reason: format!("the system random generator failed: {e}"),
        })
}

/// A fresh random nonce (not secret).
pub(super) fn nonce() -> Result<[u8; NONCE_LEN], VaultError> {
    random::<NONCE_LEN>().map(|n| *n)
}

fn cipher(key: &[u8; KEY_LEN]) -> Result<XChaCha20Poly1305, VaultError> {
    XChaCha20Poly1305::new_from_slice(key).map_err(|_| VaultError::Crypto {
        reason: "invalid key length".into(),
    })
}

/// Encrypts `msg` with `aad` bound to it; the result is the ciphertext followed by the tag.
pub(super) fn encrypt(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    msg: &[u8],
) -> Result<Vec<u8>, VaultError> {
    cipher(key)?
        .encrypt(&XNonce::from(*nonce), Payload { msg, aad })
        .map_err(|_| VaultError::Crypto {
            reason: "encryption failed".into(),
        })
}

/// The plaintext, or `None` when the key is wrong or anything covered was changed.
pub(super) fn decrypt(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext: &[u8],
) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
    Ok(cipher(key)?
        .decrypt(
            &XNonce::from(*nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
        .map(Zeroizing::new))
}

/// Encrypts a 32-byte key under another: `nonce ‖ ciphertext ‖ tag`.
pub(super) fn wrap_key(
    wrapping_key: &[u8; KEY_LEN],
    key: &[u8; KEY_LEN],
    aad: &[u8],
) -> Result<WrappedKey, VaultError> {
    let nonce = nonce()?;
    let sealed = encrypt(wrapping_key, &nonce, aad, key)?;
    let sealed: [u8; KEY_LEN + TAG_LEN] =
        sealed
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::Crypto {
                reason: "unexpected wrapped key length".into(),
            })?;
    Ok(WrappedKey { nonce, sealed })
}

/// The key inside `wrapped`, or `None` when `wrapping_key` is not the one that wrapped it.
pub(super) fn unwrap_key(
    wrapping_key: &[u8; KEY_LEN],
    wrapped: &WrappedKey,
    aad: &[u8],
) -> Result<Option<Zeroizing<[u8; KEY_LEN]>>, VaultError> {
    let Some(plain) = decrypt(wrapping_key, &wrapped.nonce, aad, &wrapped.sealed)? else {
        return Ok(None);
    };
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    if plain.len() != KEY_LEN {
        return Ok(None);
    }
    key.copy_from_slice(&plain);
    Ok(Some(key))
}

/// A key encrypted under another key, as stored in a key slot. Not secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WrappedKey {
    pub nonce: [u8; NONCE_LEN],
    pub sealed: [u8; KEY_LEN + TAG_LEN],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_unwraps_only_with_its_wrapping_key_and_aad() -> Result<(), VaultError> {
        let outer = random::<KEY_LEN>()?;
        let inner = random::<KEY_LEN>()?;
        let wrapped = wrap_key(&outer, &inner, b"aad")?;
        assert_eq!(
            unwrap_key(&outer, &wrapped, b"aad")?.as_deref(),
            Some(&*inner)
        );
        assert!(unwrap_key(&outer, &wrapped, b"other aad")?.is_none());
        let other = random::<KEY_LEN>()?;
        assert!(unwrap_key(&other, &wrapped, b"aad")?.is_none());
        Ok(())
    }

    #[test]
    fn two_wraps_of_one_key_differ() -> Result<(), VaultError> {
        let outer = random::<KEY_LEN>()?;
        let inner = random::<KEY_LEN>()?;
        assert_ne!(
            wrap_key(&outer, &inner, b"")?,
            wrap_key(&outer, &inner, b"")?
        );
        Ok(())
    }
}
