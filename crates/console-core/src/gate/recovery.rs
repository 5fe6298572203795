//! One-time recovery codes: the way in when the authenticator app is lost, and the only
//! second factor left once throttling has disabled TOTP.
//!
//! Ten codes of 80 random bits each, written as 16 Crockford base32 characters in four groups
//! (`7KQ2-M9XD-4HTB-R0WE`). They are shown once and stored only as Argon2id PHC strings; a
//! code redeemed is marked used and never accepted again. Regenerating replaces the whole set,
//! so every earlier code stops working.
//!
//! Hash cost: m = 19 MiB, t = 2, p = 1 (OWASP's baseline for Argon2id). A slow hash protects
//! guessable human passwords; these codes are 80 random bits, so guessing one against a stolen
//! hash is out of reach at any hashing cost. The hash only keeps the stored set from being a
//! plaintext list, and moderate parameters keep checking a typed code against all ten hashes
//! well under a second.

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::totp::CodeError;
use crate::error::{ErrorCode, ErrorDto};

/// Codes in a set.
pub const CODE_COUNT: usize = 10;
/// Characters in a code, dashes aside: 16 × 5 bits = 80 bits.
const CODE_CHARS: usize = 16;
const CODE_BYTES: usize = CODE_CHARS * 5 / 8;
const GROUP: usize = 4;
/// Crockford's base32: no I, L, O or U, so nothing reads as another character.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// Why a recovery code set could not be made or checked.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// The operating system would not provide random bytes.
    #[error("the system's random number generator failed: {0}")]
    Random(String),
    /// Argon2 refused its input or parameters.
    #[error("recovery codes could not be hashed: {0}")]
    Hash(String),
}

impl From<RecoveryError> for ErrorDto {
    fn from(error: RecoveryError) -> Self {
        ErrorDto::new(ErrorCode::Internal, error.to_string())
    }
}

/// One stored recovery code: its Argon2id hash and when it was redeemed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryHash {
    /// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` of the code's 16 canonical characters.
    pub phc: String,
    /// Set once the code has been used; it is never accepted again.
    pub used_at: Option<DateTime<Utc>>,
}

impl RecoveryHash {
    fn matches(&self, canonical: &str) -> bool {
        // A stored string that does not parse matches nothing rather than failing the
        // whole set: the other codes stay usable.
        PasswordHash::new(&self.phc).is_ok_and(|hash| {
            Argon2::default()
                .verify_password(canonical.as_bytes(), &hash)
                .is_ok()
        })
    }
}

/// The stored set of recovery codes (hashes only), as kept in the vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecoveryCodes {
    hashes: Vec<RecoveryHash>,
}

impl From<Vec<RecoveryHash>> for RecoveryCodes {
    fn from(hashes: Vec<RecoveryHash>) -> Self {
        Self { hashes }
    }
}

impl RecoveryCodes {
    /// A fresh set: the codes to show the operator once, and the hashes to store.
    pub fn generate() -> Result<(Vec<SecretString>, Self), RecoveryError> {
        let params = Params::new(M_COST_KIB, T_COST, P_COST, None)
            .map_err(|e| RecoveryError::Hash(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut shown = Vec::with_capacity(CODE_COUNT);
        let mut hashes = Vec::with_capacity(CODE_COUNT);
        for _ in 0..CODE_COUNT {
            let canonical = random_code()?;
            let phc = argon2
                .hash_password(canonical.as_bytes())
                .map_err(|e| RecoveryError::Hash(e.to_string()))?
                .to_string();
            hashes.push(RecoveryHash { phc, used_at: None });
            shown.push(SecretString::from(grouped(&canonical)));
        }
        Ok((shown, Self { hashes }))
    }

    /// The stored hashes, in the order the codes were shown.
    pub fn hashes(&self) -> &[RecoveryHash] {
        &self.hashes
    }

    /// Codes not used yet.
    pub fn remaining(&self) -> usize {
        self.hashes.iter().filter(|h| h.used_at.is_none()).count()
    }

    /// The index of the unused code `input` is, if any. Case, spaces and dashes do not
    /// matter, and the look-alikes I, L and O read as 1, 1 and 0.
    pub fn verify(&self, input: &str) -> Option<usize> {
        let canonical = canonical(input)?;
        self.hashes
            .iter()
            .position(|h| h.used_at.is_none() && h.matches(&canonical))
    }

    /// Accepts `input` if it is an unused code of this set and marks it used at `now`; the
    /// caller then persists the set. A code already used is [`CodeError::Reused`].
    pub fn redeem(&mut self, input: &str, now: DateTime<Utc>) -> Result<usize, CodeError> {
        let canonical = canonical(input).ok_or(CodeError::Malformed)?;
        let index = self
            .hashes
            .iter()
            .position(|h| h.matches(&canonical))
            .ok_or(CodeError::Wrong)?;
        let hash = self.hashes.get_mut(index).ok_or(CodeError::Wrong)?;
        if hash.used_at.is_some() {
            return Err(CodeError::Reused);
        }
        hash.used_at = Some(now);
        Ok(index)
    }
}

fn random_code() -> Result<Zeroizing<String>, RecoveryError> {
    let mut bytes = Zeroizing::new([0u8; CODE_BYTES]);
    getrandom::fill(bytes.as_mut()).map_err(|e| RecoveryError::Random(e.to_string()))?;
    let mut bits = Zeroizing::new(0u128);
    for byte in bytes.iter() {
        *bits = (*bits << 8) | u128::from(*byte);
    }
    let mut code = Zeroizing::new(String::with_capacity(CODE_CHARS));
    for i in (0..CODE_CHARS).rev() {
        let index = (*bits >> (i * 5)) & 0x1f;
        // `index` is below 32 by the mask, so the alphabet always has it.
        if let Some(&c) = usize::try_from(index).ok().and_then(|i| ALPHABET.get(i)) {
            code.push(char::from(c));
        }
    }
    Ok(code)
}

fn grouped(canonical: &str) -> String {
    let chars: Vec<char> = canonical.chars().collect();
    chars
        .chunks(GROUP)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The 16 characters a code is hashed as, or `None` if `input` cannot be a code.
fn canonical(input: &str) -> Option<Zeroizing<String>> {
    let mut out = Zeroizing::new(String::with_capacity(CODE_CHARS));
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            c if c.is_whitespace() || c == '-' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
            _ => return None,
        };
        out.push(c);
    }
    (out.len() == CODE_CHARS).then_some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::HashSet;

    use secrecy::ExposeSecret as _;

    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    #[test]
    fn a_set_is_ten_distinct_grouped_codes_stored_as_argon2id_hashes() {
        let (shown, set) = RecoveryCodes::generate().unwrap();
        assert_eq!(shown.len(), CODE_COUNT);
        assert_eq!(set.hashes().len(), CODE_COUNT);
        assert_eq!(set.remaining(), CODE_COUNT);
        let distinct: HashSet<&str> = shown.iter().map(|c| c.expose_secret()).collect();
        assert_eq!(distinct.len(), CODE_COUNT);
        for (code, hash) in shown.iter().zip(set.hashes()) {
            let code = code.expose_secret();
            assert_eq!(code.len(), 19, "{code}: 4 groups of 4 and 3 dashes");
            assert!(code.split('-').all(|g| g.len() == 4), "{code}");
            assert!(
                code.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)),
                "{code}"
            );
            assert!(
                hash.phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
                "{}",
                hash.phc
            );
            assert!(!hash.phc.contains(&code.replace('-', "")));
        }
    }

    #[test]
    fn each_code_matches_its_own_hash_whatever_the_typing() {
        let (shown, set) = RecoveryCodes::generate().unwrap();
        let code = shown[3].expose_secret();
        assert_eq!(set.verify(code), Some(3));
        assert_eq!(set.verify(&code.to_lowercase()), Some(3));
        assert_eq!(set.verify(&code.replace('-', "")), Some(3));
        assert_eq!(set.verify(&code.replace('-', " ")), Some(3));
        assert_eq!(
            set.verify(&format!("  {}  ", code.replace('-', ""))),
            Some(3)
        );
    }

    #[test]
    fn look_alike_letters_read_as_digits() {
        assert_eq!(
            canonical("oOiI-lL01-2345-6789").unwrap().as_str(),
            "0011110123456789"
        );
        assert!(
            canonical("UUUU-AAAA-BBBB-CCCC").is_none(),
            "U is not Crockford"
        );
        assert!(canonical("AAAA-BBBB-CCCC").is_none(), "too short");
        assert!(canonical("AAAA-BBBB-CCCC-DDDD-E").is_none(), "too long");
        assert!(canonical("AAAA-BBBB-CCCC-DDD!").is_none());
    }

    #[test]
    fn a_redeemed_code_is_never_accepted_again() {
        let (shown, mut set) = RecoveryCodes::generate().unwrap();
        let code = shown[0].expose_secret();
        assert_eq!(set.redeem(code, now()), Ok(0));
        assert_eq!(set.hashes()[0].used_at, Some(now()));
        assert_eq!(set.remaining(), CODE_COUNT - 1);
        assert_eq!(set.verify(code), None);
        assert_eq!(set.redeem(code, now()), Err(CodeError::Reused));
        // Surviving a save and a load keeps it used.
        let stored = serde_json::to_string(&set).unwrap();
        let mut reloaded: RecoveryCodes = serde_json::from_str(&stored).unwrap();
        assert_eq!(reloaded.redeem(code, now()), Err(CodeError::Reused));
        assert_eq!(reloaded.redeem(shown[1].expose_secret(), now()), Ok(1));
    }

    #[test]
    fn wrong_and_malformed_codes_are_refused() {
        let (shown, mut set) = RecoveryCodes::generate().unwrap();
        let mut other = shown[0].expose_secret().to_owned();
        let last = if other.ends_with('0') { "1" } else { "0" };
        other.replace_range(18..19, last);
        assert_eq!(set.verify(&other), None);
        assert_eq!(set.redeem(&other, now()), Err(CodeError::Wrong));
        assert_eq!(set.redeem("not a code", now()), Err(CodeError::Malformed));
        assert_eq!(set.remaining(), CODE_COUNT);
    }

    #[test]
    fn regenerating_invalidates_every_earlier_code() {
        let (old_codes, _old_set) = RecoveryCodes::generate().unwrap();
        let (_, new_set) = RecoveryCodes::generate().unwrap();
        for code in &old_codes {
            assert_eq!(new_set.verify(code.expose_secret()), None);
        }
    }

    #[test]
    fn a_damaged_hash_matches_nothing_and_spares_the_others() {
        let (shown, set) = RecoveryCodes::generate().unwrap();
        let mut hashes = set.hashes().to_vec();
        hashes[0].phc = "not a phc string".to_owned();
        let set = RecoveryCodes::from(hashes);
        assert_eq!(set.verify(shown[0].expose_secret()), None);
        assert_eq!(set.verify(shown[1].expose_secret()), Some(1));
    }
}
