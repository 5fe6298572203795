//! The audit key and the chain head.
//!
//! The key MACs every record; the vault owns it and keeps it sealed while the console is
//! locked. The head (last sequence number and MAC) is kept by the caller beside the key, so
//! a log cut short on disk no longer ends where the vault says it must.
//! Invariants: key bytes are zeroed on drop and never printed.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::error::AuditError;

/// The 256-bit HMAC-SHA256 key of the audit chain. Zeroed on drop, never printed.
#[derive(Clone)]
pub struct AuditKey([u8; 32]);

impl AuditKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> Result<Self, AuditError> {
        use hmac::digest::common::Generate;
        <[u8; 32]>::try_generate()
            .map(Self)
            .map_err(|e| AuditError::Randomness(e.to_string()))
    }

    /// Wraps 32 bytes kept by the vault.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw bytes, for the vault to seal. Nothing else should need them.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl Drop for AuditKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(<redacted>)")
    }
}

/// The last record of the chain: its sequence number and MAC. Serialised with the MAC as
/// lowercase hex: `{"seq": 12, "mac": "9f…"}`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct AuditHead {
    /// Sequence number of the last record (the first record is 1).
    pub seq: u64,
    /// That record's MAC.
    #[serde(serialize_with = "mac_to_hex", deserialize_with = "mac_from_hex")]
    pub mac: [u8; 32],
}

impl PartialEq for AuditHead {
    fn eq(&self, other: &Self) -> bool {
        self.seq == other.seq && bool::from(self.mac.ct_eq(&other.mac))
    }
}

impl Eq for AuditHead {}

/// Lowercase hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    s
}

/// Parses exactly 32 bytes of hex (either case).
pub(crate) fn mac_from_hex_str(s: &str) -> Option<[u8; 32]> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *slot = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

fn mac_to_hex<S: Serializer>(mac: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&to_hex(mac))
}

fn mac_from_hex<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
    let text = String::deserialize(d)?;
    mac_from_hex_str(&text)
        .ok_or_else(|| serde::de::Error::custom("a MAC is 64 hexadecimal characters"))
}
