//! A Hook0-compatible API v1 server on loopback.
//!
//! It is the test double of every console test, the load generator of the benchmarks, and the
//! default profile the desktop app embeds on first run. It reproduces the real server as
//! captured in `reference/samples` — including its bugs, notably the cursor-tie bug that makes
//! a plain walk of `GET /request_attempts/` lose rows — over a deterministic generated history
//! of up to a million request attempts, with a simulated output worker (no outbound HTTP),
//! Hook0's default rate limits, and switchable faults.
//!
//! ```no_run
//! # async fn demo() -> Result<(), hook0_sandbox::SandboxError> {
//! let sandbox = hook0_sandbox::start(
//!     "127.0.0.1:0".parse().map_err(|_| hook0_sandbox::SandboxError::InvalidOption("bind".into()))?,
//!     hook0_sandbox::SandboxOptions::default(),
//! ).await?;
//! println!("{} {}", sandbox.api_base_url(), sandbox.service_token());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

mod clock;
mod control;
mod delivery;
mod error;
mod expiry;
mod generator;
mod http;
mod ids;
mod lifecycle;
mod model;
mod options;
mod rng;
mod running;
mod scenario;
mod sessions;
mod spike;
mod state;
mod store;
mod worker;

pub use control::{SandboxControl, SubscriptionInfo};
pub use error::SandboxError;
pub use options::{Behaviour, Faults, SandboxOptions, ScenarioConfig, Storm, UserAccount};
pub use running::{RunningSandbox, start};
pub use scenario::{AttemptCounts, GeneratedScenario};
