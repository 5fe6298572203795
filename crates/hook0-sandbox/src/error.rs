//! Errors of the sandbox's library API (not HTTP errors: those are in `http::problem`).

use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the sandbox only binds loopback addresses, not {0}")]
    NotLoopback(SocketAddr),
    #[error("could not bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("invalid option: {0}")]
    InvalidOption(String),
    #[error("unknown subscription {0}")]
    UnknownSubscription(uuid::Uuid),
    #[error("embedded reference data is unreadable: {0}")]
    Reference(#[from] serde_json::Error),
    #[error("scenario generation failed: {0}")]
    Generation(String),
}
