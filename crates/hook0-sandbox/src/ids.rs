//! Identifiers derived from the seed.
//!
//! Organization, application, subscription and secret ids look like the real server's UUIDv4s;
//! events, request attempts and responses get UUIDv7s (as Hook0 does) whose timestamp is the
//! row's own time. The v7 random bits are derived from `(seed, kind, index)` and the low 32 bits
//! carry the row index, scrambled by a seed-derived bijection, so an id can be mapped back to its row without a
//! hash map — that keeps a million attempts compact. Decoding is always verified by re-deriving
//! the full id.

use crate::rng::mix;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// What an id names; each kind is an independent id space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Organization = 1,
    Application = 2,
    ApplicationSecret = 3,
    Subscription = 4,
    SubscriptionSecret = 5,
    Event = 6,
    Attempt = 7,
    Response = 8,
    User = 9,
    Token = 10,
}

fn hash(seed: u64, kind: IdKind, index: u64) -> u64 {
    mix(seed ^ mix((kind as u64).wrapping_mul(0xA24B_AED4_963E_E407) ^ mix(index)))
}

fn key32(seed: u64, kind: IdKind) -> u32 {
    (hash(seed, kind, u64::MAX) >> 17) as u32
}

/// An odd multiplier and its inverse modulo 2^32: consecutive indices get unrelated low bits.
const SPREAD: u32 = 0x9E37_79B1;
const SPREAD_INVERSE: u32 = {
    let mut inverse = SPREAD;
    let mut i = 0;
    while i < 5 {
        inverse = inverse.wrapping_mul(2u32.wrapping_sub(SPREAD.wrapping_mul(inverse)));
        i += 1;
    }
    inverse
};

fn scramble(seed: u64, kind: IdKind, index: u32) -> u32 {
    (index ^ key32(seed, kind)).wrapping_mul(SPREAD)
}

fn unscramble(seed: u64, kind: IdKind, bits: u32) -> u32 {
    bits.wrapping_mul(SPREAD_INVERSE) ^ key32(seed, kind)
}

/// A random-looking UUIDv4 for `(seed, kind, index)`.
pub fn v4(seed: u64, kind: IdKind, index: u64) -> Uuid {
    let hi = hash(seed, kind, index);
    let lo = hash(seed, kind, index ^ 0x5555_5555_5555_5555);
    let hi = (hi & !0xF000) | 0x4000;
    let lo = (lo & !(0b11 << 62)) | (0b10 << 62);
    Uuid::from_u64_pair(hi, lo)
}

/// A UUIDv7 for row `index` of `kind`, stamped with `unix_ms`.
pub fn v7(seed: u64, kind: IdKind, index: u32, unix_ms: i64) -> Uuid {
    let h = hash(seed, kind, u64::from(index));
    let ms = (unix_ms.max(0) as u64) & 0xFFFF_FFFF_FFFF;
    let hi = (ms << 16) | 0x7000 | (h & 0xFFF);
    let lo =
        (0b10 << 62) | (((h >> 12) & 0x3FFF_FFFF) << 32) | u64::from(scramble(seed, kind, index));
    Uuid::from_u64_pair(hi, lo)
}

/// The row index a v7 id of `kind` would carry; the caller must verify by re-deriving.
pub fn v7_index(seed: u64, kind: IdKind, id: Uuid) -> Option<u32> {
    let (hi, lo) = id.as_u64_pair();
    if (hi >> 12) & 0xF != 7 || lo >> 62 != 0b10 {
        return None;
    }
    Some(unscramble(seed, kind, lo as u32))
}

/// An opaque, biscuit-looking bearer token (long base64url), deterministic for the seed.
pub fn biscuit_token(seed: u64, purpose: u64) -> String {
    let mut bytes = Vec::with_capacity(240);
    // Biscuit tokens are protobuf; real ones start with the same few bytes.
    bytes.extend_from_slice(&[0x12, 0x7D, 0x0A, 0x13, 0x0A, 0x04]);
    let mut i = 0u64;
    while bytes.len() < 234 {
        bytes.extend_from_slice(&hash(seed, IdKind::Token, (purpose << 32) | i).to_le_bytes());
        i += 1;
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v7_ids_round_trip_to_their_index() {
        for index in [0u32, 1, 77, 999_999] {
            let id = v7(42, IdKind::Attempt, index, 1_800_000_000_000);
            assert_eq!(id.get_version_num(), 7, "must look like a UUIDv7");
            assert_eq!(v7_index(42, IdKind::Attempt, id), Some(index));
        }
    }

    #[test]
    fn v4_ids_are_version_4() {
        assert_eq!(v4(1, IdKind::Application, 0).get_version_num(), 4);
        assert_ne!(v4(1, IdKind::Application, 0), v4(1, IdKind::Application, 1));
    }

    #[test]
    fn tokens_are_long_base64url() {
        let token = biscuit_token(42, 0);
        assert!(token.len() > 200, "biscuits are long");
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(token, biscuit_token(42, 0), "deterministic");
    }
}
