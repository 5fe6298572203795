//! The command line as a script uses it: a real process against a sandbox on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod crash;
mod incident;
mod incident_bundle;
mod incident_containment;
mod incident_vault;
mod replay;
mod retention;
mod show;
mod support;
mod vault;
