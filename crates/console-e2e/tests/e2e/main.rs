//! End-to-end tests in the real app window (run by `cargo xtask test` under Xvfb).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod explorer;
mod gate;
mod incident_flow;
mod incidents;
mod notifications;
mod profiles;
mod replay;
mod support;
