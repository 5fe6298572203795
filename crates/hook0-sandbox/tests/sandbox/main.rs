//! Integration tests of the Hook0 sandbox, over real HTTP on 127.0.0.1 port 0.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod auth;
mod binary;
mod contract;
mod errors;
mod faults;
mod generator;
mod lifecycle;
mod paging;
mod ratelimit;
mod spike;
mod support;
