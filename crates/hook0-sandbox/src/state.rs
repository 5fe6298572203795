//! State shared by the HTTP handlers, the worker and the control handle.

use crate::clock::Clock;
use crate::expiry::Expiry;
use crate::http::faults::FaultState;
use crate::http::ratelimit::RateLimits;
use crate::options::UserAccount;
use crate::sessions::Sessions;
use crate::store::Store;
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use tokio::sync::Notify;
use uuid::Uuid;

#[derive(Debug)]
pub struct Shared {
    pub store: RwLock<Store>,
    pub clock: Clock,
    /// Base of `Link` headers, always ending with `/`.
    pub public_url: url::Url,
    pub service_token: String,
    pub faults: Mutex<FaultState>,
    pub limits: RateLimits,
    /// Wakes the worker when new work was queued or the clock moved.
    pub wake: Notify,
    /// When set, the background worker runs nothing (tests drive it with flush/advance).
    pub paused: AtomicBool,
    /// Payloads and responses made to answer 404, and how often each was asked for.
    pub expiry: Mutex<Expiry>,
    /// Who may sign in, and the sessions their logins started.
    pub user: UserAccount,
    pub sessions: Mutex<Sessions>,
    /// Successful `POST /events/{id}/replay` calls per event, counted where the fan-out
    /// happens, so tests can prove a client replayed each event exactly once.
    pub replays: Mutex<HashMap<Uuid, u64>>,
}
