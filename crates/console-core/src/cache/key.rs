//! The raw 256-bit key the cache is encrypted with.
//!
//! The vault supplies it; this type only carries it to SQLCipher. Invariants: the bytes are
//! zeroed when the key is dropped, and neither `Debug` nor `Display` ever shows them.

use zeroize::{Zeroize, Zeroizing};

/// A 32-byte SQLCipher key, zeroed on drop and never printed.
#[derive(Clone)]
pub struct CacheKey([u8; 32]);

/// The built-in sandbox's cache holds simulated data only, so its key need not be secret (the
/// command line opens it without unlocking); it is still encrypted like every cache.
const SANDBOX_KEY: [u8; 32] = *b"hook0-console-sandbox-cache-key!";

impl CacheKey {
    /// The key of the built-in sandbox profile's cache.
    pub fn sandbox() -> Self {
        Self(SANDBOX_KEY)
    }

    /// Wraps 32 bytes supplied by the vault (or random bytes in tests).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw bytes, for what must hold them (the vault) and for tests proving they never
    /// leak. Never log or display them.
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The `PRAGMA key` statement for this key: a raw key (`x'<64 hex>'`), which skips
    /// SQLCipher's PBKDF2 because the vault already derived it. Zeroed when dropped.
    pub(crate) fn pragma(&self) -> Zeroizing<String> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut sql = Zeroizing::new(String::with_capacity(80));
        sql.push_str("PRAGMA key = \"x'");
        for byte in self.0 {
            sql.push(char::from(HEX[usize::from(byte >> 4)]));
            sql.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        sql.push_str("'\";");
        sql
    }
}

impl Drop for CacheKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheKey(<redacted>)")
    }
}
