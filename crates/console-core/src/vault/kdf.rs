//! The passphrase side: Argon2id parameters, their bounds, and the key they derive.
//!
//! The parameters are stored in the vault header, so a vault made with one cost keeps opening
//! after the recommended cost changes. Values read from a file are checked against fixed
//! bounds before Argon2 runs: a damaged or hostile header cannot make the unlock allocate
//! gigabytes or loop for minutes.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::VaultError;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory (Argon2 `t`).
    pub iterations: u32,
    /// Lanes (Argon2 `p`).
    pub parallelism: u32,
}

impl KdfParams {
    /// What every real vault is made with: 64 MiB, three passes, four lanes.
    pub const RECOMMENDED: Self = Self {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 4,
    };

    /// A cheap cost for tests only: it offers next to no protection against guessing.
    pub const FAST_INSECURE_FOR_TESTS: Self = Self {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };

    /// The largest memory cost a vault may ask for (1 GiB).
    pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;
    /// The largest number of passes a vault may ask for.
    pub const MAX_ITERATIONS: u32 = 64;
    /// The largest number of lanes a vault may ask for.
    pub const MAX_PARALLELISM: u32 = 64;

    /// Why these parameters are out of bounds, if they are.
    pub fn problem(&self) -> Option<&'static str> {
        if self.parallelism == 0 || self.parallelism > Self::MAX_PARALLELISM {
            return Some("the KDF parallelism is out of bounds");
        }
        if self.iterations == 0 || self.iterations > Self::MAX_ITERATIONS {
            return Some("the KDF iteration count is out of bounds");
        }
        // Argon2 needs at least 8 KiB per lane.
        if self.memory_kib < 8 * self.parallelism || self.memory_kib > Self::MAX_MEMORY_KIB {
            return Some("the KDF memory cost is out of bounds");
        }
        None
    }
}

/// Length of the random salt stored in the header.
pub(super) const SALT_LEN: usize = 16;

/// Derives the 256-bit key that wraps the data key in the passphrase slot.
pub(super) fn derive_key(
    passphrase: &[u8],
    salt: &[u8; SALT_LEN],
    kdf: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, VaultError> {
    let params =
        Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32)).map_err(|e| {
            VaultError::Crypto {
                reason: format!("invalid KDF parameters: {e}"),
            }
        })?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon2
        .hash_password_into(passphrase, salt, key.as_mut())
        .map_err(|e| VaultError::Crypto {
            reason: format!("key derivation failed: {e}"),
        })?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_parameters_are_within_bounds() {
        assert_eq!(KdfParams::RECOMMENDED.problem(), None);
        assert_eq!(KdfParams::FAST_INSECURE_FOR_TESTS.problem(), None);
    }

    #[test]
    fn absurd_parameters_are_refused_before_argon2_runs() {
        let cases = [
            KdfParams {
                memory_kib: u32::MAX,
                ..KdfParams::RECOMMENDED
            },
            KdfParams {
                memory_kib: 8,
                parallelism: 4,
                iterations: 1,
            },
            KdfParams {
                iterations: 0,
                ..KdfParams::RECOMMENDED
            },
            KdfParams {
                iterations: 1_000_000,
                ..KdfParams::RECOMMENDED
            },
            KdfParams {
                parallelism: 0,
                ..KdfParams::RECOMMENDED
            },
            KdfParams {
                parallelism: 1 << 20,
                ..KdfParams::RECOMMENDED
            },
        ];
        for case in cases {
            assert!(case.problem().is_some(), "{case:?} should be refused");
        }
    }

    #[test]
    fn the_same_passphrase_and_salt_give_the_same_key_and_another_salt_another()
    -> Result<(), VaultError> {
        let kdf = KdfParams::FAST_INSECURE_FOR_TESTS;
        let a = derive_key(b"correct horse", &[1; SALT_LEN], kdf)?;
        let b = derive_key(b"correct horse", &[1; SALT_LEN], kdf)?;
        let c = derive_key(b"correct horse", &[2; SALT_LEN], kdf)?;
        assert_eq!(*a, *b);
        assert_ne!(*a, *c);
        Ok(())
    }
}
