//! Hook0's default rate limits, with `governor`.
//!
//! Per token: a burst of 20, then one request per 100 ms. Per IP: 200, then one per 10 ms.
//! Global: 2000, then one per millisecond. A refused request gets the wait in whole seconds,
//! truncated (so usually 0), as the real server sends it.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};

fn quota(per_second: u32, burst: u32) -> Quota {
    let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(per_second).allow_burst(burst)
}

#[derive(Debug)]
pub struct RateLimits {
    enabled: AtomicBool,
    per_token: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    global: DefaultDirectRateLimiter,
    clock: DefaultClock,
}

impl RateLimits {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled: AtomicBool::new(enabled),
            per_token: RateLimiter::keyed(quota(10, 20)),
            per_ip: RateLimiter::keyed(quota(100, 200)),
            global: RateLimiter::direct(quota(1_000, 2_000)),
            clock: DefaultClock::default(),
        }
    }

    pub fn set_enabled(&self, enabled: bool) {
        self.enabled.store(enabled, Ordering::SeqCst);
    }

    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::SeqCst)
    }

    /// `Err(seconds)` when the request must be refused.
    pub fn check(&self, ip: IpAddr, token: Option<&str>) -> Result<(), u64> {
        if !self.enabled() {
            return Ok(());
        }
        let now = self.clock.now();
        if let Some(token) = token
            && let Err(not_until) = self.per_token.check_key(&token.to_owned())
        {
            return Err(not_until.wait_time_from(now).as_secs());
        }
        if let Err(not_until) = self.per_ip.check_key(&ip) {
            return Err(not_until.wait_time_from(now).as_secs());
        }
        if let Err(not_until) = self.global.check() {
            return Err(not_until.wait_time_from(now).as_secs());
        }
        if self.per_token.len() > 10_000 {
            self.per_token.retain_recent();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn passes(limits: &RateLimits, ip: IpAddr, token: Option<&str>, n: usize) -> usize {
        (0..n).filter(|_| limits.check(ip, token).is_ok()).count()
    }

    #[test]
    fn per_token_per_ip_and_global_bursts() {
        let limits = RateLimits::new(true);
        let ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));
        assert_eq!(
            passes(&limits, ip, Some("Bearer a"), 25),
            20,
            "token burst of 20"
        );
        // Buckets refill while the loop runs, so a slow (loaded) machine lets a few more
        // through: the bound allows exactly what the refill rate explains.
        let fresh = RateLimits::new(true);
        let started = std::time::Instant::now();
        let through = (0..250)
            .filter(|i| fresh.check(ip, Some(&format!("Bearer {i}"))).is_ok())
            .count();
        let refilled = (started.elapsed().as_millis() / 10) as usize + 1;
        assert!(
            (200..=200 + refilled).contains(&through),
            "IP burst of 200, whatever the tokens: {through}"
        );
        let global = RateLimits::new(true);
        let started = std::time::Instant::now();
        let through = (0..2_500u32)
            .filter(|i| {
                let ip = IpAddr::V4(Ipv4Addr::from(0x7F00_0000 + i / 100));
                global.check(ip, None).is_ok()
            })
            .count();
        let refilled = started.elapsed().as_millis() as usize + 1;
        assert!(
            (2_000..=2_000 + refilled).contains(&through),
            "global burst of 2000: {through}"
        );
        assert_eq!(
            limits.check(ip, Some("Bearer a")),
            Err(0),
            "wait in whole seconds"
        );
        limits.set_enabled(false);
        assert_eq!(passes(&limits, ip, Some("Bearer a"), 50), 50, "switch off");
    }
}
