//! The `hook0-sandbox` binary: one JSON line on stdout once listening, stops on SIGTERM.

use anyhow::{Context, Result, anyhow, ensure};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn prints_one_json_line_serves_and_stops_on_sigterm() -> Result<()> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hook0-sandbox"))
        .args(["--events", "40", "--applications", "2", "--no-rate-limit"])
        .args(["--public-url", "http://console.example:8081/"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("stdout"))?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let ready: serde_json::Value = serde_json::from_str(&line).context("one JSON line")?;
    let base = ready["api_base_url"]
        .as_str()
        .ok_or_else(|| anyhow!("api_base_url: {line}"))?;
    ensure!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/api/v1/"),
        "{base}"
    );
    ensure!(
        ready["applications"].as_array().map(Vec::len) == Some(2),
        "{line}"
    );
    ensure!(ready["attempts"].as_u64().is_some_and(|n| n > 0), "{line}");
    ensure!(ready["organization_id"].is_string(), "{line}");
    let token = ready["service_token"].as_str().unwrap_or_default();

    let health = reqwest::get(format!("{base}health")).await?;
    ensure!(health.status() == 200, "serves");
    let orgs = reqwest::Client::new()
        .get(format!("{base}organizations"))
        .bearer_auth(token)
        .send()
        .await?;
    ensure!(orgs.status() == 200, "the printed token works");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    ensure!(status.success(), "kill -TERM");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Some(exit) = child.try_wait()? {
            ensure!(exit.success(), "clean exit on SIGTERM: {exit}");
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    Err(anyhow!("did not stop on SIGTERM"))
}

#[test]
fn refuses_a_non_loopback_bind() -> Result<()> {
    let output = Command::new(env!("CARGO_BIN_EXE_hook0-sandbox"))
        .args(["--bind", "0.0.0.0:0", "--events", "1"])
        .output()?;
    ensure!(!output.status.success(), "non-loopback bind must fail");
    ensure!(
        String::from_utf8_lossy(&output.stderr).contains("loopback"),
        "says why: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}
