//! What a sandbox is started with: the scenario to generate, the switches, the faults.
//!
//! Defaults give a small, quick scenario (seed 42, 3 applications, 4 subscriptions each, 300
//! events, 15% failures) with Hook0's default rate limits on, which is what the desktop app
//! embeds on first run and what most tests want.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// The deterministic history generated at start-up.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioConfig {
    pub seed: u64,
    pub applications: u32,
    /// Subscriptions per application.
    pub subscriptions: u32,
    /// Events over all applications.
    pub events: u32,
    /// Mean probability that one delivery fails (0..=1).
    pub failure_rate: f64,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            applications: 3,
            subscriptions: 4,
            events: 300,
            failure_rate: 0.15,
        }
    }
}

/// How a subscription's (simulated) target answers deliveries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Behaviour {
    /// Always answers 200.
    Succeed,
    /// Always answers this HTTP status (e.g. 500, 410).
    FailWith(u16),
    /// Never answers within the worker's 15 s timeout (`E_TIMEOUT`).
    Timeout,
    /// Connection refused (`E_CONNECTION`).
    ConnectionRefused,
    /// Fails with this probability (0..=1), with a mix of statuses and transport errors.
    Flaky { failure_rate: f64 },
}

/// A window during which every request gets 429, relative to when it is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Storm {
    pub starts_after: Duration,
    pub lasts: Duration,
}

/// Fault injection switches; all off by default.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Added to every request before it is handled.
    pub latency_ms: u64,
    /// Probability of answering 503 `ServiceUnavailable` with `Retry-After: 5`.
    pub error_rate: f64,
    /// A 429 storm: every request is rate limited during the window.
    pub storm: Option<Storm>,
    /// Probability of cutting a successful JSON body in half.
    pub truncated_json_rate: f64,
    /// Probability of making a successful JSON body syntactically invalid.
    pub malformed_json_rate: f64,
    /// Probability of padding a successful JSON body to `large_body_bytes` (still valid JSON).
    pub large_body_rate: f64,
    pub large_body_bytes: usize,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            storm: None,
            truncated_json_rate: 0.0,
            malformed_json_rate: 0.0,
            large_body_rate: 0.0,
            large_body_bytes: 8 * 1024 * 1024,
        }
    }
}

/// The one user who can sign in with email and password (`POST auth/login`): a member of the
/// organization, reaching what the service token reaches.
#[derive(Debug, Clone, PartialEq)]
pub struct UserAccount {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    /// Hook0's default is 5 minutes.
    pub access_token_lifetime: Duration,
    /// Hook0's default is 30 minutes.
    pub refresh_token_lifetime: Duration,
}

impl Default for UserAccount {
    fn default() -> Self {
        Self {
            email: "operator@sandbox.hook0.invalid".to_owned(),
            // Loopback only and simulated data: a known password is what makes the sandbox
            // usable to try the console's sign-in.
            password: "sandbox-password".to_owned(),
            first_name: "Sandbox".to_owned(),
            last_name: "Operator".to_owned(),
            access_token_lifetime: Duration::from_secs(5 * 60),
            refresh_token_lifetime: Duration::from_secs(30 * 60),
        }
    }
}

/// Everything [`crate::start`] needs.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxOptions {
    pub scenario: ScenarioConfig,
    /// Hook0's default rate limits (per token, per IP, global).
    pub rate_limit: bool,
    pub faults: Faults,
    /// Base of the `Link` header (Hook0's `APP_URL`); defaults to the bound address.
    pub public_url: Option<url::Url>,
    /// Divides retry delays and delivery durations of live attempts (1.0 = real time).
    pub time_scale: f64,
    /// Retries after the first attempt before giving up (Hook0's default is 24).
    pub max_retries: u16,
    /// The organization-wide token; derived from the seed when `None`.
    pub service_token: Option<String>,
    /// End of the generated history; "now" when `None`. Fix it for byte-identical scenarios.
    pub history_end: Option<DateTime<Utc>>,
    /// Start with the background worker paused (see [`crate::SandboxControl::resume_worker`]).
    pub worker_paused: bool,
    /// Who can sign in with email and password, and how long their tokens live.
    pub user: UserAccount,
}

impl SandboxOptions {
    /// The sandbox the console starts for its built-in profile (app and command line alike):
    /// the default scenario over a fixed history, so every start serves the same attempts
    /// and the profile's cache stays consistent from one run to the next.
    pub fn built_in_profile() -> Self {
        Self {
            history_end: chrono::DateTime::from_timestamp(BUILT_IN_HISTORY_END, 0),
            ..Self::default()
        }
    }
}

/// 2026-11-01T00:00:00Z.
const BUILT_IN_HISTORY_END: i64 = 1_793_491_200;

impl Default for SandboxOptions {
    fn default() -> Self {
        Self {
            scenario: ScenarioConfig::default(),
            rate_limit: true,
            faults: Faults::default(),
            public_url: None,
            time_scale: 1.0,
            max_retries: 24,
            service_token: None,
            history_end: None,
            worker_paused: false,
            user: UserAccount::default(),
        }
    }
}
