//! One module per sub-command.

pub mod deliveries;
pub mod failures;
pub mod incident;
pub mod purge;
pub mod replay;
pub mod show;
pub mod sync;

/// Parses a snake_case word into one of the core's serde enums (`failed`, `gave_up`, …).
pub fn parse_word<T: serde::de::DeserializeOwned>(word: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(word.to_owned()))
        .map_err(|_| format!("`{word}` is not a recognised value"))
}
