//! One figure per line, the format every benchmark of the project shares.

/// Prints `{"bench", "metric", "value", "unit"}` on stdout.
pub fn figure(bench: &str, metric: &str, value: f64, unit: &str) {
    let value = if value.is_finite() {
        (value * 1000.0).round() / 1000.0
    } else {
        -1.0
    };
    println!(
        "{}",
        serde_json::json!({ "bench": bench, "metric": metric, "value": value, "unit": unit })
    );
}

/// Progress for the person watching.
pub fn note(message: &str) {
    eprintln!("[bench] {message}");
}

/// The p-th percentile (0–100) of `samples`, in their unit.
pub fn percentile(samples: &mut [f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * (samples.len() - 1) as f64).round() as usize;
    samples[rank.min(samples.len() - 1)]
}
