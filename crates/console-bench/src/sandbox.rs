//! The sandbox as a separate process, so its memory and CPU are not the console's.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use anyhow::Context;
use serde::Deserialize;

/// What the sandbox binary prints once it listens.
#[derive(Debug, Deserialize)]
pub struct Started {
    pub api_base_url: String,
    pub service_token: String,
    pub attempts: u64,
    pub applications: Vec<StartedApplication>,
}

/// One application of the sandbox.
#[derive(Debug, Deserialize)]
pub struct StartedApplication {
    pub id: uuid::Uuid,
}

/// A running sandbox process; stopped on drop.
#[derive(Debug)]
pub struct SandboxProcess {
    child: Child,
    pub started: Started,
}

/// Starts `hook0-sandbox` (path in `HOOK0_SANDBOX_BIN`, set by `cargo xtask bench`) with
/// rate limiting off, a fixed history and the worker paused, so every run serves the
/// same data.
pub fn start(applications: u32, subscriptions: u32, events: u32) -> anyhow::Result<SandboxProcess> {
    let bin = std::env::var("HOOK0_SANDBOX_BIN")
        .context("HOOK0_SANDBOX_BIN must name a release build of hook0-sandbox")?;
    let mut child = Command::new(bin)
        .args([
            "--seed",
            "20261129",
            "--applications",
            &applications.to_string(),
            "--subscriptions",
            &subscriptions.to_string(),
            "--events",
            &events.to_string(),
            "--failure-rate",
            "0.15",
            "--history-end",
            "2026-11-20T12:00:00Z",
            "--no-rate-limit",
            "--worker-paused",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start hook0-sandbox")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let started: Started = serde_json::from_str(&line)
        .with_context(|| format!("unexpected first line from the sandbox: {line:?}"))?;
    Ok(SandboxProcess { child, started })
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
