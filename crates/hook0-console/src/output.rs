//! Two audiences: a person at a terminal (progress bars, aligned tables) and a script (one
//! JSON object per line on stdout).

use std::io::IsTerminal;

/// Whether stdout is a terminal (tables) or not (JSON lines), unless `--json` forces JSON.
pub fn wants_json(forced: bool) -> bool {
    forced || !std::io::stdout().is_terminal()
}

/// Prints one JSON line.
pub fn json_line(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}

/// Shortens text to `width` characters for a table cell.
pub fn cell(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        format!("{text:<width$}")
    } else {
        let cut: String = text.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}
