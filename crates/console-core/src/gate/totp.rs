//! TOTP (RFC 6238): the second factor of unlock and of step-up approval.
//!
//! Enrollment draws a 160-bit secret from the OS and offers it to the operator's authenticator
//! app as an `otpauth://` URI, its base32 text and a QR code; the gate uses HMAC-SHA1, 6 digits
//! and 30-second steps, which every authenticator app understands.
//!
//! Invariants of [`verify`]:
//! - the current step and one step on either side are accepted (30 s of clock drift);
//! - **a code is accepted at most once**: the caller keeps the last accepted step and any code
//!   whose step is not later than it is refused as [`CodeError::Reused`], also when the clock
//!   has moved back since;
//! - codes are compared in constant time, and every candidate step is compared, matched or
//!   not.
//!
//! HMAC-TOTP itself comes from `totp-rs`; the RFC's Appendix B vectors run through the same
//! [`verify_with`] path as the gate's own codes.

use std::fmt;

use secrecy::SecretString;
use serde::Serialize;
use subtle::ConstantTimeEq as _;
use totp_rs::{Algorithm, TOTP};
use ts_rs::TS;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{ErrorCode, ErrorDto};

/// Shown as the account's issuer in authenticator apps.
pub const ISSUER: &str = "Hook0 Console";
/// Length of a freshly enrolled secret: 160 bits, as RFC 4226 recommends.
pub const SECRET_LEN: usize = 20;
/// Shortest secret accepted back from the vault: RFC 4226's 128-bit minimum.
const MIN_SECRET_LEN: usize = 16;
/// Steps accepted on either side of the current one.
const SKEW: u64 = 1;

/// How codes are computed. Fixed to [`Params::GATE`] for the gate; the RFC's test vectors use
/// the other algorithms and 8 digits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    pub algorithm: Algorithm,
    pub digits: usize,
    pub step_seconds: u64,
}

impl Params {
    pub(crate) const GATE: Self = Self {
        algorithm: Algorithm::SHA1,
        digits: 6,
        step_seconds: 30,
    };
}

/// Why enrollment or a stored secret could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    /// The operating system would not provide random bytes.
    #[error("the system's random number generator failed: {0}")]
    Random(String),
    /// Authenticator apps split `issuer:account` on the colon.
    #[error("the account label must not be empty or contain ':'")]
    InvalidLabel,
    /// A stored secret is too short to be one the console made.
    #[error("the stored TOTP secret is {0} bytes; at least {MIN_SECRET_LEN} are needed")]
    SecretLength(usize),
    /// The QR code could not be drawn.
    #[error("the QR code could not be drawn: {0}")]
    Qr(String),
}

impl From<TotpError> for ErrorDto {
    fn from(error: TotpError) -> Self {
        let code = match &error {
            TotpError::InvalidLabel => ErrorCode::InvalidInput,
            TotpError::Random(_) | TotpError::SecretLength(_) | TotpError::Qr(_) => {
                ErrorCode::Internal
            }
        };
        ErrorDto::new(code, error.to_string())
    }
}

/// Why a one-time code (TOTP or recovery) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Not a code at all: wrong length or characters other than digits and spaces.
    #[error("enter the code shown by your authenticator app (digits only)")]
    Malformed,
    /// Well formed, but not valid now.
    #[error("the code is not valid; check your authenticator app and the computer's clock")]
    Wrong,
    /// Valid, but already used once: only a later code is accepted.
    #[error("this code has already been used; wait for the next one")]
    Reused,
}

impl From<CodeError> for ErrorDto {
    fn from(error: CodeError) -> Self {
        let code = match error {
            CodeError::Malformed => ErrorCode::InvalidInput,
            CodeError::Wrong => ErrorCode::WrongCode,
            CodeError::Reused => ErrorCode::CodeReused,
        };
        ErrorDto::new(code, error.to_string())
    }
}

/// The shared TOTP secret. Wiped from memory on drop and never printed.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct TotpSecret {
    bytes: Vec<u8>,
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    /// A fresh 160-bit secret from the operating system's random number generator.
    pub fn generate() -> Result<Self, TotpError> {
        let mut bytes = vec![0u8; SECRET_LEN];
        getrandom::fill(&mut bytes).map_err(|e| TotpError::Random(e.to_string()))?;
        Ok(Self { bytes })
    }

    /// The secret as read back from the vault.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TotpError> {
        if bytes.len() < MIN_SECRET_LEN {
            return Err(TotpError::SecretLength(bytes.len()));
        }
        Ok(Self {
            bytes: bytes.to_vec(),
        })
    }

    /// The raw secret, for sealing into the vault.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// RFC 4648 base32 without padding, as typed into an authenticator app by hand.
    pub fn to_base32(&self) -> SecretString {
        let text = Zeroizing::new(self.totp(Params::GATE, String::new()).get_secret_base32());
        SecretString::from(text.as_str())
    }

    fn totp(&self, params: Params, account: String) -> TOTP {
        totp_for(params, &self.bytes, account)
    }
}

/// `TOTP` wipes its own copy of the secret on drop (totp-rs `zeroize` feature).
fn totp_for(params: Params, secret: &[u8], account: String) -> TOTP {
    TOTP::new_unchecked(
        params.algorithm,
        params.digits,
        // Skew is applied by `verify_with`, which needs to know which step matched.
        0,
        params.step_seconds,
        secret.to_vec(),
        Some(ISSUER.to_owned()),
        account,
    )
}

/// What the operator sees once, at enrollment, to add the console to an authenticator app.
///
/// All three fields carry the secret: the value is wiped on drop and its `Debug` is redacted.
#[derive(Serialize, TS, Zeroize, ZeroizeOnDrop)]
pub struct Enrollment {
    /// `otpauth://totp/Hook0%20Console:<account>?secret=…&issuer=Hook0%20Console`.
    pub otpauth_uri: String,
    /// The secret as base32 text, for typing in by hand.
    pub secret_base32: String,
    /// The URI as a QR code: `data:image/png;base64,…`.
    pub qr_png_data_url: String,
}

impl fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Enrollment(<redacted>)")
    }
}

impl Enrollment {
    /// The offer for `secret`, labelled `account` in the authenticator app (e.g. the profile
    /// or operator name).
    pub fn new(secret: &TotpSecret, account: &str) -> Result<Self, TotpError> {
        let account = account.trim();
        if account.is_empty() || account.contains(':') {
            return Err(TotpError::InvalidLabel);
        }
        let totp = secret.totp(Params::GATE, account.to_owned());
        let png = totp.get_qr_base64().map_err(TotpError::Qr)?;
        Ok(Self {
            otpauth_uri: totp.get_url(),
            secret_base32: totp.get_secret_base32(),
            qr_png_data_url: format!("data:image/png;base64,{png}"),
        })
    }
}

/// The TOTP step that `unix_secs` falls in.
pub fn step_at(unix_secs: u64) -> u64 {
    unix_secs / Params::GATE.step_seconds
}

/// The code an authenticator app shows at `unix_secs` (tests and the sandbox use it to play
/// the operator).
pub fn code_at(secret: &TotpSecret, unix_secs: u64) -> String {
    secret.totp(Params::GATE, String::new()).generate(unix_secs)
}

/// Checks `code` against `secret` at `now_unix_secs` and returns the step it was accepted for;
/// the caller stores that step as the new `last_used_step`.
///
/// Spaces inside the code are ignored. A code matching a step not later than `last_used_step`
/// is [`CodeError::Reused`]; a code matching nothing is [`CodeError::Wrong`].
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    now_unix_secs: u64,
    last_used_step: Option<u64>,
) -> Result<u64, CodeError> {
    verify_with(
        Params::GATE,
        secret.as_bytes(),
        code,
        now_unix_secs,
        last_used_step,
    )
}

pub(crate) fn verify_with(
    params: Params,
    secret: &[u8],
    code: &str,
    now_unix_secs: u64,
    last_used_step: Option<u64>,
) -> Result<u64, CodeError> {
    let code: Zeroizing<String> =
        Zeroizing::new(code.chars().filter(|c| !c.is_whitespace()).collect());
    if code.len() != params.digits || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CodeError::Malformed);
    }
    let totp = totp_for(params, secret, String::new());
    let current = now_unix_secs / params.step_seconds;
    let mut fresh: Option<u64> = None;
    let mut stale = false;
    for step in current.saturating_sub(SKEW)..=current.saturating_add(SKEW) {
        let Some(at) = step.checked_mul(params.step_seconds) else {
            continue;
        };
        let expected = Zeroizing::new(totp.generate(at));
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            // The earliest fresh match wins: it leaves later codes usable.
            match last_used_step {
                Some(last) if step <= last => stale = true,
                _ => fresh = fresh.or(Some(step)),
            }
        }
    }
    match (fresh, stale) {
        (Some(step), _) => Ok(step),
        (None, true) => Err(CodeError::Reused),
        (None, false) => Err(CodeError::Wrong),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use secrecy::ExposeSecret as _;

    use super::*;

    /// RFC 6238 Appendix B seeds: the ASCII digits repeated to the hash's output length.
    const SEED_SHA1: &[u8] = b"12345678901234567890";
    const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
    const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

    /// RFC 6238 Appendix B: (time, T as hex in the RFC, TOTP, mode).
    const RFC_6238_VECTORS: [(u64, u64, &str, Algorithm); 18] = [
        (59, 0x1, "94287082", Algorithm::SHA1),
        (59, 0x1, "46119246", Algorithm::SHA256),
        (59, 0x1, "90693936", Algorithm::SHA512),
        (1_111_111_109, 0x0235_23EC, "07081804", Algorithm::SHA1),
        (1_111_111_109, 0x0235_23EC, "68084774", Algorithm::SHA256),
        (1_111_111_109, 0x0235_23EC, "25091201", Algorithm::SHA512),
        (1_111_111_111, 0x0235_23ED, "14050471", Algorithm::SHA1),
        (1_111_111_111, 0x0235_23ED, "67062674", Algorithm::SHA256),
        (1_111_111_111, 0x0235_23ED, "99943326", Algorithm::SHA512),
        (1_234_567_890, 0x0273_EF07, "89005924", Algorithm::SHA1),
        (1_234_567_890, 0x0273_EF07, "91819424", Algorithm::SHA256),
        (1_234_567_890, 0x0273_EF07, "93441116", Algorithm::SHA512),
        (2_000_000_000, 0x03F9_40AA, "69279037", Algorithm::SHA1),
        (2_000_000_000, 0x03F9_40AA, "90698825", Algorithm::SHA256),
        (2_000_000_000, 0x03F9_40AA, "38618901", Algorithm::SHA512),
        (20_000_000_000, 0x27BC_86AA, "65353130", Algorithm::SHA1),
        (20_000_000_000, 0x27BC_86AA, "77737706", Algorithm::SHA256),
        (20_000_000_000, 0x27BC_86AA, "47863826", Algorithm::SHA512),
    ];

    fn rfc_params(algorithm: Algorithm) -> (Params, &'static [u8]) {
        let seed = match algorithm {
            Algorithm::SHA1 => SEED_SHA1,
            Algorithm::SHA256 => SEED_SHA256,
            Algorithm::SHA512 => SEED_SHA512,
        };
        let params = Params {
            algorithm,
            digits: 8,
            step_seconds: 30,
        };
        (params, seed)
    }

    #[test]
    fn all_rfc_6238_appendix_b_vectors_verify_at_their_exact_step() {
        for (time, step, code, algorithm) in RFC_6238_VECTORS {
            let (params, seed) = rfc_params(algorithm);
            assert_eq!(
                verify_with(params, seed, code, time, None),
                Ok(step),
                "RFC 6238 vector {algorithm:?} at T={time} should be accepted at step {step:#x}"
            );
            assert_eq!(
                totp_for(params, seed, String::new()).generate(time),
                code,
                "RFC 6238 vector {algorithm:?} at T={time} should be generated exactly"
            );
        }
    }

    #[test]
    fn rfc_vectors_are_refused_two_steps_away_and_once_used() {
        for (time, step, code, algorithm) in RFC_6238_VECTORS {
            let (params, seed) = rfc_params(algorithm);
            assert_eq!(
                verify_with(params, seed, code, time + 60, None),
                Err(CodeError::Wrong),
                "{algorithm:?} at T={time}: two steps later is outside the skew"
            );
            assert_eq!(
                verify_with(params, seed, code, time, Some(step)),
                Err(CodeError::Reused),
                "{algorithm:?} at T={time}: the same step is accepted only once"
            );
        }
    }

    fn secret() -> TotpSecret {
        TotpSecret::from_bytes(SEED_SHA1).unwrap()
    }

    const NOW: u64 = 1_700_000_015;

    #[test]
    fn accepts_current_previous_and_next_step_and_returns_it() {
        let secret = secret();
        let current = step_at(NOW);
        for step in [current - 1, current, current + 1] {
            let code = code_at(&secret, step * 30);
            assert_eq!(verify(&secret, &code, NOW, None), Ok(step), "step {step}");
        }
        for step in [current - 2, current + 2] {
            let code = code_at(&secret, step * 30);
            assert_eq!(verify(&secret, &code, NOW, None), Err(CodeError::Wrong));
        }
    }

    #[test]
    fn a_code_is_accepted_at_most_once_even_after_the_clock_moves_back() {
        let secret = secret();
        let code = code_at(&secret, NOW);
        let used = verify(&secret, &code, NOW, None).unwrap();
        assert_eq!(
            verify(&secret, &code, NOW, Some(used)),
            Err(CodeError::Reused)
        );
        assert_eq!(
            verify(&secret, &code, NOW - 30, Some(used)),
            Err(CodeError::Reused),
            "moving the clock back must not make a used code fresh again"
        );
        let older = code_at(&secret, NOW - 30);
        assert_eq!(
            verify(&secret, &older, NOW, Some(used)),
            Err(CodeError::Reused),
            "a code for a step before the last used one is refused"
        );
        let next = code_at(&secret, NOW + 30);
        assert_eq!(verify(&secret, &next, NOW, Some(used)), Ok(used + 1));
    }

    #[test]
    fn spaces_are_ignored_and_other_characters_refused() {
        let secret = secret();
        let code = code_at(&secret, NOW);
        let spaced = format!(" {} {} ", &code[..3], &code[3..]);
        assert_eq!(verify(&secret, &spaced, NOW, None), Ok(step_at(NOW)));
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６", "123-456"] {
            assert_eq!(
                verify(&secret, bad, NOW, None),
                Err(CodeError::Malformed),
                "{bad:?} is not a six-digit code"
            );
        }
    }

    #[test]
    fn works_at_the_epoch_without_underflow() {
        let secret = secret();
        let code = code_at(&secret, 0);
        assert_eq!(verify(&secret, &code, 0, None), Ok(0));
        assert_eq!(verify(&secret, &code, 0, Some(0)), Err(CodeError::Reused));
    }

    #[test]
    fn generated_secrets_are_160_bits_and_distinct() {
        let a = TotpSecret::generate().unwrap();
        let b = TotpSecret::generate().unwrap();
        assert_eq!(a.as_bytes().len(), SECRET_LEN);
        assert_ne!(a.as_bytes(), b.as_bytes());
        let round_trip = TotpSecret::from_bytes(a.as_bytes()).unwrap();
        assert_eq!(round_trip.as_bytes(), a.as_bytes());
        assert!(matches!(
            TotpSecret::from_bytes(&[0; 15]),
            Err(TotpError::SecretLength(15))
        ));
    }

    #[test]
    fn secrets_and_offers_never_print() {
        let secret = secret();
        let offer = Enrollment::new(&secret, "alice").unwrap();
        let base32 = secret.to_base32();
        for printed in [format!("{secret:?}"), format!("{offer:?}")] {
            assert!(!printed.contains(base32.expose_secret()), "{printed}");
            assert!(printed.contains("redacted"));
        }
    }

    #[test]
    fn enrollment_offer_carries_uri_base32_and_png() {
        let secret = TotpSecret::generate().unwrap();
        let offer = Enrollment::new(&secret, "alice@example.com").unwrap();
        let base32 = secret.to_base32();
        assert_eq!(offer.secret_base32, base32.expose_secret());
        assert_eq!(
            offer.secret_base32.len(),
            32,
            "160 bits are 32 base32 characters"
        );
        assert!(
            offer
                .otpauth_uri
                .starts_with("otpauth://totp/Hook0%20Console:alice%40example.com?"),
            "{}",
            offer.otpauth_uri
        );
        assert!(
            offer
                .otpauth_uri
                .contains(&format!("secret={}", offer.secret_base32))
        );
        assert!(offer.otpauth_uri.contains("issuer=Hook0%20Console"));
        assert!(
            !offer.otpauth_uri.contains("digits="),
            "6 digits is the default"
        );
        assert!(
            !offer.otpauth_uri.contains("period="),
            "30 s is the default"
        );
        assert!(
            !offer.otpauth_uri.contains("algorithm="),
            "SHA1 is the default"
        );
        let png = offer
            .qr_png_data_url
            .strip_prefix("data:image/png;base64,")
            .unwrap();
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png)
            .unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        // The app and the console agree on the code.
        let from_uri = TOTP::from_url(&offer.otpauth_uri).unwrap();
        assert_eq!(from_uri.generate(NOW), code_at(&secret, NOW));
    }

    #[test]
    fn labels_with_colons_or_empty_are_refused() {
        let secret = secret();
        for label in ["", "  ", "a:b"] {
            assert!(matches!(
                Enrollment::new(&secret, label),
                Err(TotpError::InvalidLabel)
            ));
        }
    }

    #[test]
    fn errors_map_to_the_ui_codes() {
        assert_eq!(ErrorDto::from(CodeError::Wrong).code, ErrorCode::WrongCode);
        assert_eq!(
            ErrorDto::from(CodeError::Reused).code,
            ErrorCode::CodeReused
        );
        assert_eq!(
            ErrorDto::from(CodeError::Malformed).code,
            ErrorCode::InvalidInput
        );
        assert_eq!(
            ErrorDto::from(TotpError::InvalidLabel).code,
            ErrorCode::InvalidInput
        );
    }
}
