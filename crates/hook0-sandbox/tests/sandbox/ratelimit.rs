//! Hook0's default rate limits: per token a burst of 20, then 10/s; 429 `RateLimited` with
//! `retry-after` / `x-ratelimit-after` in whole seconds; nothing on successful answers.

use crate::contract::{Schema, check};
use crate::support::{Sandbox, sample};
use anyhow::{Result, anyhow, ensure};
use hook0_sandbox::SandboxOptions;
use reqwest::Method;

#[tokio::test]
async fn a_burst_of_twenty_then_429_and_the_switch_turns_it_off() -> Result<()> {
    let sb = Sandbox::start(SandboxOptions {
        worker_paused: true,
        ..SandboxOptions::default()
    })
    .await?;
    let app = sb.app(0)?;
    let path = format!("event_types?application_id={app}");
    for i in 0..20 {
        let reply = sb.get(&path).await?;
        ensure!(
            reply.status == 200,
            "request {i} of the burst passes: {}",
            reply.status
        );
        ensure!(
            reply.header("x-ratelimit-after").is_none() && reply.header("retry-after").is_none(),
            "no rate-limit headers on success"
        );
    }
    let mut limited = None;
    for _ in 0..10 {
        let reply = sb.get(&path).await?;
        if reply.status == 429 {
            limited = Some(reply);
            break;
        }
    }
    let limited = limited.ok_or_else(|| anyhow!("no 429 after the burst"))?;
    let spec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        crate::support::reference("openapi.json"),
    )?)?;
    check(
        &spec,
        "error_rate_limited_per_token",
        &limited,
        Schema::One("Problem"),
    )?;
    ensure!(
        limited.json()? == sample("error_rate_limited_per_token")?,
        "body as captured"
    );
    ensure!(
        limited.header("retry-after") == Some("0".into())
            && limited.header("x-ratelimit-after") == Some("0".into()),
        "whole seconds, truncated: 100 ms → 0"
    );

    // Another token has its own bucket.
    let secret = sb.running.application_secret(app).unwrap_or_default();
    let other = sb
        .send(Method::GET, &sb.url(&path), Some(&secret), None)
        .await?;
    ensure!(other.status == 200, "quota is per token");

    sb.running.control().set_rate_limit(false);
    for i in 0..60 {
        let reply = sb.get(&path).await?;
        ensure!(
            reply.status == 200,
            "rate limiting off: request {i} got {}",
            reply.status
        );
    }
    Ok(())
}
