//! Each fault switch is observable over HTTP, and can be flipped at runtime.

use crate::support::Sandbox;
use anyhow::{Result, ensure};
use hook0_sandbox::{Faults, SandboxOptions, ScenarioConfig, Storm};
use std::time::{Duration, Instant};

async fn sandbox(faults: Faults) -> Result<Sandbox> {
    Sandbox::start(SandboxOptions {
        scenario: ScenarioConfig {
            events: 30,
            ..ScenarioConfig::default()
        },
        rate_limit: false,
        faults,
        worker_paused: true,
        ..SandboxOptions::default()
    })
    .await
}

#[tokio::test]
async fn latency_and_random_unavailability() -> Result<()> {
    let sb = sandbox(Faults {
        latency_ms: 150,
        ..Faults::default()
    })
    .await?;
    let started = Instant::now();
    ensure!(
        sb.get("organizations").await?.status == 200,
        "slow but fine"
    );
    ensure!(
        started.elapsed() >= Duration::from_millis(150),
        "latency added"
    );

    sb.running.control().set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let reply = sb.get("organizations").await?;
    ensure!(reply.status == 503, "503 when asked: {}", reply.status);
    ensure!(
        reply.header("retry-after") == Some("5".into()),
        "Retry-After: 5"
    );
    ensure!(reply.json()?["id"] == "ServiceUnavailable", "problem id");
    ensure!(
        reply.header("content-type") == Some("application/problem+json".into()),
        "problem+json"
    );

    sb.running.control().set_faults(Faults::default());
    ensure!(
        sb.get("organizations").await?.status == 200,
        "faults off again"
    );
    Ok(())
}

#[tokio::test]
async fn a_429_storm_hits_everything_then_passes() -> Result<()> {
    let sb = sandbox(Faults {
        storm: Some(Storm {
            starts_after: Duration::ZERO,
            lasts: Duration::from_secs(1),
        }),
        ..Faults::default()
    })
    .await?;
    for path in ["health", "organizations", "instance"] {
        let reply = sb.get(path).await?;
        ensure!(
            reply.status == 429,
            "{path} during the storm: {}",
            reply.status
        );
        ensure!(reply.json()?["id"] == "RateLimited", "RateLimited problem");
        ensure!(
            reply.header("x-ratelimit-after").is_some() && reply.header("retry-after").is_some(),
            "headers"
        );
    }
    let started = Instant::now();
    loop {
        if sb.get("health").await?.status == 200 {
            break;
        }
        ensure!(
            started.elapsed() < Duration::from_secs(5),
            "the storm never passed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sb.running.control().start_storm(Duration::from_secs(60));
    let reply = sb.get("health").await?;
    ensure!(reply.status == 429, "storm started at runtime");
    let wait: u64 = reply.header("retry-after").unwrap_or_default().parse()?;
    ensure!(
        (50..=59).contains(&wait),
        "remaining whole seconds, truncated: {wait}"
    );
    Ok(())
}

#[tokio::test]
async fn damaged_bodies_truncated_malformed_and_large() -> Result<()> {
    let sb = sandbox(Faults::default()).await?;
    let app = sb.app(0)?;
    let path = format!("request_attempts?application_id={app}");
    let clean = sb.get(&path).await?;
    ensure!(clean.json().is_ok(), "clean body parses");

    let control = sb.running.control();
    control.set_faults(Faults {
        truncated_json_rate: 1.0,
        ..Faults::default()
    });
    let truncated = sb.get(&path).await?;
    ensure!(
        truncated.status == 200 && truncated.json().is_err(),
        "truncated JSON does not parse"
    );
    ensure!(truncated.body.len() == clean.body.len() / 2, "cut in half");
    let error = sb.get("request_attempts").await?;
    ensure!(
        error.status == 400 && error.text().starts_with("Query"),
        "errors are left alone"
    );

    control.set_faults(Faults {
        malformed_json_rate: 1.0,
        ..Faults::default()
    });
    let malformed = sb.get(&path).await?;
    ensure!(
        malformed.json().is_err() && malformed.body.len() == clean.body.len() + 1,
        "malformed"
    );

    control.set_faults(Faults {
        large_body_rate: 1.0,
        large_body_bytes: 3 * 1024 * 1024,
        ..Faults::default()
    });
    let large = sb.get(&path).await?;
    ensure!(
        large.body.len() == 3 * 1024 * 1024,
        "padded to the size asked: {}",
        large.body.len()
    );
    ensure!(large.json()? == clean.json()?, "still the same valid JSON");
    Ok(())
}
