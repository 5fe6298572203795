//! The generated scenario: deterministic, realistic, and fast enough for a million attempts.

use anyhow::{Result, ensure};
use chrono::{DateTime, Utc};
use hook0_sandbox::{GeneratedScenario, ScenarioConfig};
use std::time::Instant;

fn end() -> Result<DateTime<Utc>> {
    Ok("2026-11-29T14:00:00Z".parse()?)
}

#[test]
fn same_seed_same_scenario_other_seed_other_scenario() -> Result<()> {
    let config = ScenarioConfig::default();
    let a = GeneratedScenario::generate(&config, end()?, 24);
    let b = GeneratedScenario::generate(&config, end()?, 24);
    ensure!(
        a.fingerprint() == b.fingerprint(),
        "deterministic for a seed"
    );
    let other = GeneratedScenario::generate(&ScenarioConfig { seed: 43, ..config }, end()?, 24);
    ensure!(
        a.fingerprint() != other.fingerprint(),
        "another seed differs"
    );
    let counts = a.counts();
    ensure!(
        counts.succeeded > 0 && counts.failed > 0,
        "both outcomes: {counts:?}"
    );
    ensure!(
        counts.open > 0,
        "some chains are still retrying at the end of the history"
    );
    ensure!(counts.retries > 0, "retries exist");
    Ok(())
}

#[test]
fn failure_rate_zero_means_no_failures() -> Result<()> {
    let config = ScenarioConfig {
        failure_rate: 0.0,
        ..ScenarioConfig::default()
    };
    let counts = GeneratedScenario::generate(&config, end()?, 24).counts();
    ensure!(counts.failed == 0 && counts.retries == 0, "{counts:?}");
    Ok(())
}

#[test]
fn two_hundred_thousand_attempts() -> Result<()> {
    let config = ScenarioConfig {
        seed: 1,
        applications: 3,
        subscriptions: 10,
        events: 28_000,
        failure_rate: 0.15,
    };
    let started = Instant::now();
    let scenario = GeneratedScenario::generate(&config, end()?, 24);
    println!(
        "{} attempts, {} events in {:?}",
        scenario.attempts(),
        scenario.events(),
        started.elapsed()
    );
    ensure!(
        scenario.attempts() >= 200_000,
        "{} attempts",
        scenario.attempts()
    );
    Ok(())
}

/// `cargo test --release -p hook0-sandbox -- --ignored one_million --nocapture`
#[test]
#[ignore = "release-mode timing check"]
fn one_million_attempts() -> Result<()> {
    let config = ScenarioConfig {
        seed: 42,
        applications: 3,
        subscriptions: 10,
        events: 140_000,
        failure_rate: 0.15,
    };
    let started = Instant::now();
    let scenario = GeneratedScenario::generate(&config, end()?, 24);
    let elapsed = started.elapsed();
    println!(
        "{} attempts over {} events in {elapsed:?}",
        scenario.attempts(),
        scenario.events()
    );
    ensure!(
        scenario.attempts() >= 1_000_000,
        "{} attempts",
        scenario.attempts()
    );
    Ok(())
}
