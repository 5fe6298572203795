//! `hook0-sandbox`: a Hook0-compatible API server on loopback.
//!
//! Prints one JSON line on stdout once listening (`api_base_url`, `service_token`,
//! `organization_id`, `user_email`, `applications`, `attempts`), logs to stderr, and stops on
//! SIGINT/SIGTERM.

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Parser;
use hook0_sandbox::{Faults, SandboxOptions, ScenarioConfig, Storm, UserAccount};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(name = "hook0-sandbox", version, about)]
struct Args {
    /// Loopback address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: SocketAddr,
    /// Seed of the generated scenario.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, default_value_t = 3)]
    applications: u32,
    /// Subscriptions per application.
    #[arg(long, default_value_t = 4)]
    subscriptions: u32,
    /// Events in the generated history (over all applications).
    #[arg(long, default_value_t = 300)]
    events: u32,
    /// Mean probability that a delivery fails.
    #[arg(long, default_value_t = 0.15)]
    failure_rate: f64,
    /// End of the generated history (RFC 3339); now by default.
    #[arg(long)]
    history_end: Option<DateTime<Utc>>,
    /// Retries before giving up (Hook0's default is 24).
    #[arg(long, default_value_t = 24)]
    max_retries: u16,
    /// Divides retry delays and delivery durations of live attempts.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Turn Hook0's default rate limits off.
    #[arg(long)]
    no_rate_limit: bool,
    /// Leave live attempts where they are (the served data then never changes).
    #[arg(long)]
    worker_paused: bool,
    /// Base URL of `Link` headers (Hook0's APP_URL); the bound address by default.
    #[arg(long)]
    public_url: Option<url::Url>,
    /// Organization-wide token; derived from the seed by default.
    #[arg(long)]
    service_token: Option<String>,
    /// Fault: latency added to every request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    fault_latency_ms: u64,
    /// Fault: probability of a 503 ServiceUnavailable (Retry-After: 5).
    #[arg(long, default_value_t = 0.0)]
    fault_error_rate: f64,
    /// Fault: seconds after start when a 429 storm begins (needs --fault-storm-secs).
    #[arg(long, default_value_t = 0)]
    fault_storm_after_secs: u64,
    /// Fault: length of the 429 storm in seconds.
    #[arg(long)]
    fault_storm_secs: Option<u64>,
    /// Fault: probability of cutting a JSON body in half.
    #[arg(long, default_value_t = 0.0)]
    fault_truncated_rate: f64,
    /// Fault: probability of a syntactically invalid JSON body.
    #[arg(long, default_value_t = 0.0)]
    fault_malformed_rate: f64,
    /// Fault: probability of padding a JSON body to --fault-large-bytes.
    #[arg(long, default_value_t = 0.0)]
    fault_large_rate: f64,
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    fault_large_bytes: usize,
    /// Lifetime of a signed-in user's access token, in seconds (Hook0's default: 300).
    #[arg(long, default_value_t = 300)]
    access_token_secs: u64,
    /// Lifetime of a signed-in user's refresh token, in seconds (Hook0's default: 1800).
    #[arg(long, default_value_t = 1800)]
    refresh_token_secs: u64,
}

impl Args {
    fn options(&self) -> SandboxOptions {
        SandboxOptions {
            scenario: ScenarioConfig {
                seed: self.seed,
                applications: self.applications,
                subscriptions: self.subscriptions,
                events: self.events,
                failure_rate: self.failure_rate,
            },
            rate_limit: !self.no_rate_limit,
            faults: Faults {
                latency_ms: self.fault_latency_ms,
                error_rate: self.fault_error_rate,
                storm: self.fault_storm_secs.map(|secs| Storm {
                    starts_after: Duration::from_secs(self.fault_storm_after_secs),
                    lasts: Duration::from_secs(secs),
                }),
                truncated_json_rate: self.fault_truncated_rate,
                malformed_json_rate: self.fault_malformed_rate,
                large_body_rate: self.fault_large_rate,
                large_body_bytes: self.fault_large_bytes,
            },
            public_url: self.public_url.clone(),
            time_scale: self.time_scale,
            max_retries: self.max_retries,
            service_token: self.service_token.clone(),
            history_end: self.history_end,
            worker_paused: self.worker_paused,
            user: UserAccount {
                access_token_lifetime: Duration::from_secs(self.access_token_secs),
                refresh_token_lifetime: Duration::from_secs(self.refresh_token_secs),
                ..UserAccount::default()
            },
        }
    }
}

async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let started = std::time::Instant::now();
    let sandbox = hook0_sandbox::start(args.bind, args.options())
        .await
        .context("starting the sandbox")?;
    let applications: Vec<_> = sandbox
        .applications()
        .into_iter()
        .map(|(id, name)| serde_json::json!({"id": id, "name": name}))
        .collect();
    let line = serde_json::json!({
        "api_base_url": sandbox.api_base_url(),
        "service_token": sandbox.service_token(),
        "organization_id": sandbox.organization_id(),
        "user_email": sandbox.user().email,
        "applications": applications,
        "attempts": sandbox.attempt_count(),
    });
    println!("{line}");
    tracing::info!(
        attempts = sandbox.attempt_count(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "scenario ready"
    );
    stopped().await;
    tracing::info!("stopping");
    sandbox.shutdown().await;
    Ok(())
}
