//! Passphrase strength feedback, shown while the operator chooses the vault passphrase.
//!
//! The passphrase is the only thing between a stolen vault file and an offline guessing
//! attack (the TOTP secret is inside the vault, so the second factor does not help there).
//! A passphrase is refused when zxcvbn scores it below 2 (found within about 10^6 guesses:
//! dictionary words, keyboard rows, common passwords with digits appended) or when it has
//! fewer than 10 characters, which zxcvbn can score well when they look random. That is the
//! floor, not the goal: the score, warning and crack time shown let the operator aim higher,
//! and Argon2id at unlock makes each offline guess expensive.
//!
//! The passphrase itself is never logged, stored or returned: the assessment carries only the
//! score and zxcvbn's generic advice.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Fewest characters accepted.
pub const MIN_CHARS: usize = 10;
/// Lowest zxcvbn score accepted (0 to 4).
pub const MIN_SCORE: u8 = 2;

/// How strong a proposed passphrase is, for the enrollment and change forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PassphraseAssessment {
    /// zxcvbn's score, 0 (too guessable) to 4 (very unguessable).
    pub score: u8,
    /// Whether the console accepts it: score at least 2 and at least 10 characters.
    pub acceptable: bool,
    /// The main weakness found, if any.
    pub warning: Option<String>,
    /// How to make it stronger.
    pub suggestions: Vec<String>,
    /// Estimated time to guess it offline against a slow hash (zxcvbn's 10^4 guesses per
    /// second scenario), e.g. "3 hours".
    pub crack_time_display: String,
}

/// Assesses `passphrase`; `user_inputs` are words an attacker would try first (profile names,
/// the operator's e-mail, "hook0").
pub fn assess(passphrase: &str, user_inputs: &[&str]) -> PassphraseAssessment {
    let entropy = zxcvbn::zxcvbn(passphrase, user_inputs);
    let score = u8::from(entropy.score());
    let long_enough = passphrase.chars().count() >= MIN_CHARS;
    let feedback = entropy.feedback();
    let mut suggestions: Vec<String> = feedback
        .map(|f| f.suggestions().iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    if !long_enough {
        suggestions.insert(0, format!("Use at least {MIN_CHARS} characters."));
    }
    PassphraseAssessment {
        score,
        acceptable: score >= MIN_SCORE && long_enough,
        warning: feedback.and_then(|f| f.warning()).map(|w| w.to_string()),
        suggestions,
        crack_time_display: entropy
            .crack_times()
            .offline_slow_hashing_1e4_per_second()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn very_weak_passphrases_are_refused_with_advice() {
        for weak in ["", "password", "password123", "qwertyuiop", "aaaaaaaaaaaa"] {
            let a = assess(weak, &[]);
            assert!(!a.acceptable, "{weak:?} should be refused: {a:?}");
            assert!(a.score < MIN_SCORE, "{weak:?}: {a:?}");
            assert!(
                a.warning.is_some() || !a.suggestions.is_empty(),
                "{weak:?} should come with advice"
            );
        }
    }

    #[test]
    fn short_passphrases_are_refused_whatever_their_score() {
        let a = assess("X9#qv!2z", &[]);
        assert!(
            a.score >= MIN_SCORE,
            "random 8 characters score well: {a:?}"
        );
        assert!(!a.acceptable, "but fewer than 10 characters are refused");
        assert!(a.suggestions[0].contains("10 characters"));
    }

    #[test]
    fn a_long_unusual_passphrase_is_accepted() {
        let a = assess("correct horse battery staple orbit", &[]);
        assert!(a.acceptable, "{a:?}");
        assert_eq!(a.score, 4);
        assert!(!a.crack_time_display.is_empty());
    }

    #[test]
    fn user_inputs_count_against_the_passphrase() {
        let passphrase = "alicehook0console";
        let alone = assess(passphrase, &[]);
        let known = assess(passphrase, &["alice", "hook0", "console"]);
        assert!(known.score < alone.score, "{alone:?} vs {known:?}");
    }

    #[test]
    fn the_assessment_never_contains_the_passphrase() {
        let passphrase = "Tr0ub4dour&3-unique-marker";
        let a = assess(passphrase, &[]);
        let shown = format!("{a:?} {}", serde_json::to_string(&a).unwrap_or_default());
        assert!(!shown.contains("unique-marker"), "{shown}");
    }
}
