//! User sessions: what `POST auth/login`, `auth/refresh` and `auth/logout` create and end.
//!
//! As on the real server: a login gives an access token and a refresh token, each with its
//! own lifetime (Hook0's defaults: 5 and 30 minutes); a refresh gives a new pair and kills
//! the refresh token used at once, while the previous access token stays valid until its own
//! expiry; a logout ends both tokens of the session. Expiry is measured on the sandbox clock,
//! so a test can move time instead of waiting, or shorten the lifetimes.

use std::collections::HashMap;
use std::time::Duration;

use crate::clock::{Micros, duration_micros};
use crate::ids;

/// Keeps token numbers clear of the service token's (purpose 0).
const FIRST_TOKEN: u64 = 1 << 20;

/// A freshly issued pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub access_token: String,
    pub access_expires_at: Micros,
    pub refresh_token: String,
    pub refresh_expires_at: Micros,
}

/// What a bearer token is, when it is not the service token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bearer {
    /// A live access token.
    Access,
    /// A live refresh token (Hook0 refuses it on API endpoints with `Forbidden`).
    Refresh,
    /// Unknown, expired or ended.
    Invalid,
}

/// Why a refresh was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshRefusal {
    /// A live access token was sent instead (401 `AuthFailedRefresh`).
    NotARefreshToken,
    /// Used, expired, logged out or unknown (403 `AuthInvalidBiscuit`).
    Invalid,
}

#[derive(Debug, Clone, Copy)]
struct Live {
    session: u64,
    expires_at: Micros,
}

#[derive(Debug)]
pub struct Sessions {
    seed: u64,
    access_lifetime: Micros,
    refresh_lifetime: Micros,
    issued: u64,
    next_session: u64,
    access: HashMap<String, Live>,
    refresh: HashMap<String, Live>,
}

impl Sessions {
    pub fn new(seed: u64, access_lifetime: Duration, refresh_lifetime: Duration) -> Self {
        Self {
            seed,
            access_lifetime: duration_micros(access_lifetime),
            refresh_lifetime: duration_micros(refresh_lifetime),
            issued: 0,
            next_session: 0,
            access: HashMap::new(),
            refresh: HashMap::new(),
        }
    }

    /// Starts a session (a successful login).
    pub fn log_in(&mut self, now: Micros) -> Pair {
        self.forget_expired(now);
        let session = self.next_session;
        self.next_session += 1;
        self.issue(session, now)
    }

    pub fn classify(&self, token: &str, now: Micros) -> Bearer {
        let live = |map: &HashMap<String, Live>| map.get(token).is_some_and(|l| l.expires_at > now);
        if live(&self.access) {
            Bearer::Access
        } else if live(&self.refresh) {
            Bearer::Refresh
        } else {
            Bearer::Invalid
        }
    }

    /// Exchanges a refresh token for a new pair of the same session; the token dies at once.
    pub fn refresh(&mut self, token: &str, now: Micros) -> Result<Pair, RefreshRefusal> {
        match self.refresh.remove(token) {
            Some(live) if live.expires_at > now => Ok(self.issue(live.session, now)),
            Some(_) => Err(RefreshRefusal::Invalid),
            None if self.classify(token, now) == Bearer::Access => {
                Err(RefreshRefusal::NotARefreshToken)
            }
            None => Err(RefreshRefusal::Invalid),
        }
    }

    /// Ends the session of a live access token: every token of it stops working. `false`
    /// when the token is not a live access token.
    pub fn log_out(&mut self, access_token: &str, now: Micros) -> bool {
        let Some(live) = self
            .access
            .get(access_token)
            .copied()
            .filter(|l| l.expires_at > now)
        else {
            return false;
        };
        self.access.retain(|_, l| l.session != live.session);
        self.refresh.retain(|_, l| l.session != live.session);
        true
    }

    /// Every access token expires now; refresh tokens stay valid (what five idle minutes do).
    pub fn expire_access_tokens(&mut self, now: Micros) {
        for live in self.access.values_mut() {
            live.expires_at = live.expires_at.min(now);
        }
    }

    /// Every token expires now (what half an hour without a refresh does).
    pub fn expire_all(&mut self, now: Micros) {
        self.expire_access_tokens(now);
        for live in self.refresh.values_mut() {
            live.expires_at = live.expires_at.min(now);
        }
    }

    fn issue(&mut self, session: u64, now: Micros) -> Pair {
        let access_token = self.token();
        let refresh_token = self.token();
        let pair = Pair {
            access_expires_at: now.saturating_add(self.access_lifetime),
            refresh_expires_at: now.saturating_add(self.refresh_lifetime),
            access_token,
            refresh_token,
        };
        self.access.insert(
            pair.access_token.clone(),
            Live {
                session,
                expires_at: pair.access_expires_at,
            },
        );
        self.refresh.insert(
            pair.refresh_token.clone(),
            Live {
                session,
                expires_at: pair.refresh_expires_at,
            },
        );
        pair
    }

    fn token(&mut self) -> String {
        self.issued += 1;
        ids::biscuit_token(self.seed, FIRST_TOKEN + self.issued)
    }

    fn forget_expired(&mut self, now: Micros) {
        self.access.retain(|_, l| l.expires_at > now);
        self.refresh.retain(|_, l| l.expires_at > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Micros = 60_000_000;

    fn sessions() -> Sessions {
        Sessions::new(7, Duration::from_secs(300), Duration::from_secs(1_800))
    }

    #[test]
    fn a_refresh_token_works_once_and_the_old_access_token_lives_on() {
        let mut s = sessions();
        let first = s.log_in(0);
        assert_eq!(first.access_expires_at, 5 * MIN);
        assert_eq!(first.refresh_expires_at, 30 * MIN);
        let second = s.refresh(&first.refresh_token, MIN);
        assert!(matches!(&second, Ok(p) if p.access_token != first.access_token));
        assert_eq!(
            s.refresh(&first.refresh_token, MIN),
            Err(RefreshRefusal::Invalid)
        );
        assert_eq!(s.classify(&first.access_token, MIN), Bearer::Access);
        assert_eq!(s.classify(&first.access_token, 5 * MIN), Bearer::Invalid);
        assert_eq!(
            s.refresh(&first.access_token, MIN),
            Err(RefreshRefusal::NotARefreshToken)
        );
    }

    #[test]
    fn expiry_and_logout_end_tokens() {
        let mut s = sessions();
        let pair = s.log_in(0);
        assert_eq!(s.classify(&pair.refresh_token, 0), Bearer::Refresh);
        assert_eq!(
            s.refresh(&pair.refresh_token, 30 * MIN),
            Err(RefreshRefusal::Invalid)
        );
        let pair = s.log_in(0);
        let other = s.log_in(0);
        assert!(s.log_out(&pair.access_token, 1));
        assert_eq!(s.classify(&pair.access_token, 1), Bearer::Invalid);
        assert_eq!(s.classify(&pair.refresh_token, 1), Bearer::Invalid);
        assert_eq!(s.classify(&other.access_token, 1), Bearer::Access);
        s.expire_access_tokens(2);
        assert_eq!(s.classify(&other.access_token, 2), Bearer::Invalid);
        assert_eq!(s.classify(&other.refresh_token, 2), Bearer::Refresh);
        s.expire_all(3);
        assert_eq!(s.classify(&other.refresh_token, 3), Bearer::Invalid);
    }
}
