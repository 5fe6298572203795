//! Request pacing: a rate (GCRA, `governor`) and a cap on requests in flight.
//!
//! Hook0 allows one token a burst of 20 and then 10 requests/s, and answers 429 past that.
//! Staying under it costs less than recovering from it, so every request — retries and token
//! refreshes included — waits for the gate first. The default (9/s, burst 5, 4 in flight)
//! never meets a 429 from a single client of one token; benchmarks switch the rate off.

use std::fmt;
use std::num::NonZeroU32;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};

/// How fast requests may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestRate {
    /// No rate limit (benchmarks against a local server).
    Unlimited,
    /// A sustained rate with an initial burst.
    PerSecond {
        /// Requests per second, sustained.
        requests: NonZeroU32,
        /// Requests that may start at once before the rate applies.
        burst: NonZeroU32,
    },
}

/// Rate and concurrency of one client (shared by its clones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// How fast requests may start.
    pub rate: RequestRate,
    /// Requests in flight at once (at least 1).
    pub max_in_flight: usize,
}

impl Pacing {
    /// 9 requests/s with a burst of 5 and 4 in flight: under Hook0's per-token 10/s.
    pub const HOOK0_DEFAULT: Self = Self {
        rate: RequestRate::PerSecond {
            requests: nonzero(9),
            burst: nonzero(5),
        },
        max_in_flight: 4,
    };

    /// No rate limit, `max_in_flight` requests at once.
    pub fn unlimited(max_in_flight: usize) -> Self {
        Self {
            rate: RequestRate::Unlimited,
            max_in_flight,
        }
    }
}

impl Default for Pacing {
    fn default() -> Self {
        Self::HOOK0_DEFAULT
    }
}

const fn nonzero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

/// The shared gate every request of a client passes.
pub(crate) struct Gate {
    limiter: Option<DefaultDirectRateLimiter>,
    slots: Semaphore,
}

impl Gate {
    pub(crate) fn new(pacing: Pacing) -> Self {
        let limiter = match pacing.rate {
            RequestRate::Unlimited => None,
            RequestRate::PerSecond { requests, burst } => Some(RateLimiter::direct(
                Quota::per_second(requests).allow_burst(burst),
            )),
        };
        Self {
            limiter,
            slots: Semaphore::new(pacing.max_in_flight.clamp(1, Semaphore::MAX_PERMITS)),
        }
    }

    /// Waits for a free slot, then for the rate. The slot is held until the permit drops
    /// (after the body has been read).
    pub(crate) async fn admit(&self) -> Option<SemaphorePermit<'_>> {
        let permit = self.slots.acquire().await.ok()?;
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
        Some(permit)
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate")
            .field("rate_limited", &self.limiter.is_some())
            .field("free_slots", &self.slots.available_permits())
            .finish()
    }
}
