//! Integration tests of console-core: real files, real HTTP on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api_fuzz;
mod api_paging;
mod api_resilience;
mod api_samples;
mod api_support;
mod audit;
mod bindings;
mod cache_content;
mod cache_ingest;
mod cache_open;
mod cache_retention;
mod cache_support;
mod gate_blocks;
mod gate_flow;
mod gate_secrets;
mod gate_support;
mod layering;
mod notify_console;
mod notify_spikes;
mod probe;
mod profile_retention;
mod profiles;
mod profiles_sign_in;
mod query_aggregates;
mod query_deliveries;
mod query_order;
mod query_scale;
mod query_search;
mod query_support;
mod sandbox_probe;
mod support;
mod sync_content;
mod sync_engine;
mod vault;
mod vault_keyring_real;
