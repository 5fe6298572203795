//! The vault file, byte by byte (format version 1). All integers are little-endian.
//!
//! ```text
//! header   magic "HK0VAULT" (8) · version u32 · vault id (16)
//!          · KDF memory KiB u32 · iterations u32 · parallelism u32 · salt (16)
//!          · slot count u8 (1 or 2)
//!          · slots, each: kind u8 (1 passphrase, 2 keyring) · nonce (24) · wrapped key (32+16)
//! body     nonce (24) · contents ciphertext + tag (16 .. 16 MiB + 16)
//! checksum SHA-256 of everything before it (32)
//! ```
//!
//! What each part is bound to:
//! - the passphrase slot is encrypted with the Argon2id key, its associated data being the
//!   magic, version, vault id, KDF parameters, salt and slot kind;
//! - the keyring slot is encrypted with the keyring's wrapping key, its associated data being
//!   the magic, version, vault id and slot kind (not the salt, so a passphrase change leaves
//!   it valid without the wrapping key at hand);
//! - the body is encrypted with the data key, its associated data being the whole header;
//! - the checksum is unkeyed: it only tells damage apart from a wrong passphrase before
//!   Argon2 runs. Authenticity comes from the AEAD tags, which an attacker cannot forge.
//!
//! Parsing never trusts a length from the file: the only variable part is the body, whose
//! length is what is left of a file whose total size is bounded before it is read.

use sha2::{Digest, Sha256};

use super::cipher::{KEY_LEN, NONCE_LEN, TAG_LEN, WrappedKey};
use super::kdf::{KdfParams, SALT_LEN};

/// First bytes of every vault file.
pub(super) const MAGIC: &[u8; 8] = b"HK0VAULT";
/// The format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Length of the random vault id.
pub(super) const VAULT_ID_LEN: usize = 16;
/// The largest contents a vault holds.
pub const MAX_CONTENTS_LEN: usize = 16 * 1024 * 1024;

const SLOT_PASSPHRASE: u8 = 1;
const SLOT_KEYRING: u8 = 2;
const FIXED_LEN: usize = 8 + 4 + VAULT_ID_LEN + 12 + SALT_LEN + 1;
const SLOT_LEN: usize = 1 + NONCE_LEN + KEY_LEN + TAG_LEN;
const CHECKSUM_LEN: usize = 32;
/// No vault file is longer than this; a longer one is refused before it is read in full.
pub(super) const MAX_FILE_LEN: usize =
    FIXED_LEN + 2 * SLOT_LEN + NONCE_LEN + MAX_CONTENTS_LEN + TAG_LEN + CHECKSUM_LEN;

/// The unencrypted part of a vault: nothing in it is secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Header {
    pub vault_id: [u8; VAULT_ID_LEN],
    pub kdf: KdfParams,
    pub salt: [u8; SALT_LEN],
    pub passphrase_slot: WrappedKey,
    pub keyring_slot: Option<WrappedKey>,
}

/// Why a file cannot be read as a vault, before any key is involved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FormatProblem {
    Damaged(&'static str),
    Unsupported(u32),
}

/// A parsed file: the header, the exact header bytes (the body's associated data) and the body.
#[derive(Debug)]
pub(super) struct Parsed<'a> {
    pub header: Header,
    pub header_bytes: &'a [u8],
    pub body_nonce: [u8; NONCE_LEN],
    pub ciphertext: &'a [u8],
}

impl Header {
    pub fn encode(&self) -> Vec<u8> {
        let slots = 1 + usize::from(self.keyring_slot.is_some());
        let mut out = Vec::with_capacity(FIXED_LEN + slots * SLOT_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&self.vault_id);
        out.extend_from_slice(&self.kdf.memory_kib.to_le_bytes());
        out.extend_from_slice(&self.kdf.iterations.to_le_bytes());
        out.extend_from_slice(&self.kdf.parallelism.to_le_bytes());
        out.extend_from_slice(&self.salt);
        out.push(if self.keyring_slot.is_some() { 2 } else { 1 });
        push_slot(&mut out, SLOT_PASSPHRASE, &self.passphrase_slot);
        if let Some(slot) = &self.keyring_slot {
            push_slot(&mut out, SLOT_KEYRING, slot);
        }
        out
    }

    /// Associated data of the passphrase slot.
    pub fn passphrase_aad(&self) -> Vec<u8> {
        let mut aad = self.identity();
        aad.extend_from_slice(&self.kdf.memory_kib.to_le_bytes());
        aad.extend_from_slice(&self.kdf.iterations.to_le_bytes());
        aad.extend_from_slice(&self.kdf.parallelism.to_le_bytes());
        aad.extend_from_slice(&self.salt);
        aad.push(SLOT_PASSPHRASE);
        aad
    }

    /// Associated data of the keyring slot.
    pub fn keyring_aad(&self) -> Vec<u8> {
        let mut aad = self.identity();
        aad.push(SLOT_KEYRING);
        aad
    }

    fn identity(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(FIXED_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&self.vault_id);
        out
    }
}

fn push_slot(out: &mut Vec<u8>, kind: u8, slot: &WrappedKey) {
    out.push(kind);
    out.extend_from_slice(&slot.nonce);
    out.extend_from_slice(&slot.sealed);
}

/// The complete file: header, body nonce, ciphertext, checksum.
pub(super) fn assemble(header: &[u8], body_nonce: &[u8; NONCE_LEN], ciphertext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(header.len() + NONCE_LEN + ciphertext.len() + CHECKSUM_LEN);
    out.extend_from_slice(header);
    out.extend_from_slice(body_nonce);
    out.extend_from_slice(ciphertext);
    let checksum = Sha256::digest(&out);
    out.extend_from_slice(&checksum);
    out
}

/// Reads a whole file; checks everything that can be checked without a key.
pub(super) fn parse(bytes: &[u8]) -> Result<Parsed<'_>, FormatProblem> {
    use FormatProblem::Damaged;
    let mut r = Reader { bytes, pos: 0 };
    if r.take(8)
        .map_err(|_| Damaged("the file is too short to be a vault"))?
        != MAGIC
    {
        return Err(Damaged("the file does not start like a vault"));
    }
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(FormatProblem::Unsupported(version));
    }
    let Some(body_end) = bytes.len().checked_sub(CHECKSUM_LEN) else {
        return Err(Damaged("the file is truncated"));
    };
    if bytes.len() > MAX_FILE_LEN {
        return Err(Damaged("the file is larger than any vault"));
    }
    if Sha256::digest(&bytes[..body_end]).as_slice() != &bytes[body_end..] {
        return Err(Damaged("the checksum does not match"));
    }
    let bytes = &bytes[..body_end];
    r.bytes = bytes;

    let vault_id = r.array::<VAULT_ID_LEN>()?;
    let kdf = KdfParams {
        memory_kib: r.u32()?,
        iterations: r.u32()?,
        parallelism: r.u32()?,
    };
    if let Some(problem) = kdf.problem() {
        return Err(Damaged(problem));
    }
    let salt = r.array::<SALT_LEN>()?;
    let slot_count = r.u8()?;
    if !(1..=2).contains(&slot_count) {
        return Err(Damaged("the key slot count is invalid"));
    }
    let passphrase_slot = r.slot(SLOT_PASSPHRASE)?;
    let keyring_slot = if slot_count == 2 {
        Some(r.slot(SLOT_KEYRING)?)
    } else {
        None
    };
    let header_bytes = &bytes[..r.pos];
    let body_nonce = r.array::<NONCE_LEN>()?;
    let ciphertext = &bytes[r.pos..];
    if ciphertext.len() < TAG_LEN {
        return Err(Damaged("the file is truncated"));
    }
    Ok(Parsed {
        header: Header {
            vault_id,
            kdf,
            salt,
            passphrase_slot,
            keyring_slot,
        },
        header_bytes,
        body_nonce,
        ciphertext,
    })
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatProblem> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(FormatProblem::Damaged("the file is truncated"))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], FormatProblem> {
        self.take(N)?
            .try_into()
            .map_err(|_| FormatProblem::Damaged("the file is truncated"))
    }

    fn u8(&mut self) -> Result<u8, FormatProblem> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, FormatProblem> {
        Ok(u32::from_le_bytes(self.array::<4>()?))
    }

    fn slot(&mut self, kind: u8) -> Result<WrappedKey, FormatProblem> {
        if self.u8()? != kind {
            return Err(FormatProblem::Damaged("a key slot has an unexpected kind"));
        }
        Ok(WrappedKey {
            nonce: self.array()?,
            sealed: self.array()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(keyring: bool) -> Header {
        Header {
            vault_id: [7; VAULT_ID_LEN],
            kdf: KdfParams::FAST_INSECURE_FOR_TESTS,
            salt: [9; SALT_LEN],
            passphrase_slot: WrappedKey {
                nonce: [1; NONCE_LEN],
                sealed: [2; KEY_LEN + TAG_LEN],
            },
            keyring_slot: keyring.then_some(WrappedKey {
                nonce: [3; NONCE_LEN],
                sealed: [4; KEY_LEN + TAG_LEN],
            }),
        }
    }

    #[test]
    fn a_file_parses_back_to_what_was_assembled() -> Result<(), FormatProblem> {
        for keyring in [false, true] {
            let header = sample(keyring);
            let encoded = header.encode();
            let file = assemble(&encoded, &[5; NONCE_LEN], &[6; 40]);
            let parsed = parse(&file)?;
            assert_eq!(parsed.header, header);
            assert_eq!(parsed.header_bytes, encoded.as_slice());
            assert_eq!(parsed.body_nonce, [5; NONCE_LEN]);
            assert_eq!(parsed.ciphertext, &[6; 40]);
        }
        Ok(())
    }

    #[test]
    fn every_truncation_is_refused_without_panicking() {
        let file = assemble(&sample(true).encode(), &[5; NONCE_LEN], &[6; 40]);
        for len in 0..file.len() {
            assert!(
                parse(&file[..len]).is_err(),
                "a file cut at {len} bytes parsed"
            );
        }
    }

    #[test]
    fn absurd_kdf_parameters_with_a_valid_checksum_are_refused() {
        let mut header = sample(false);
        header.kdf.memory_kib = u32::MAX;
        let file = assemble(&header.encode(), &[5; NONCE_LEN], &[6; 40]);
        assert_eq!(
            parse(&file).err(),
            Some(FormatProblem::Damaged(
                "the KDF memory cost is out of bounds"
            ))
        );
    }

    #[test]
    fn another_version_is_reported_as_such() {
        let mut file = assemble(&sample(false).encode(), &[5; NONCE_LEN], &[6; 40]);
        file[8..12].copy_from_slice(&7u32.to_le_bytes());
        assert_eq!(parse(&file).err(), Some(FormatProblem::Unsupported(7)));
    }
}
