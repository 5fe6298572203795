//! The per-event state machine of a replay job, pure so that every rule is unit-tested.
//!
//! ```text
//! planned ──begin──▶ sending ──accepted──▶ sent
//!    ▲                  │ ├──rejected──▶ failed(reason, problem id)
//!    │                  │ └──ambiguous─▶ unknown
//!    ├────refused───────┘                  │
//!    └────absent──── (sending | unknown) ──┤──found──▶ sent
//! planned ──abandon──▶ failed
//! ```
//!
//! Why these edges and no others: an entry reaches `sending` (committed) before its request
//! leaves, so after a crash `sending` means "may have been replayed". Only two things may
//! send it back to `planned`: an answer proving the request was not processed (`refused`:
//! a 429 from the rate limiter in front of the handler, a connection that never opened) or
//! the API showing no attempt created by it (`absent`). Nothing leaves `sent` or `failed`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where one event of a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum EntryState {
    /// Not sent yet.
    Planned,
    /// Recorded as about to be sent: the request may or may not have reached Hook0.
    Sending,
    /// Hook0 accepted the replay (204), or the API shows the attempts it created.
    Sent,
    /// Hook0 refused it for good (404, 403, …) or the runner gave up on it.
    Failed,
    /// The request got no usable answer (timeout, cut connection, 503): to be resolved by
    /// asking the API before anything is sent again.
    Unknown,
}

impl EntryState {
    /// Every state.
    pub const ALL: [Self; 5] = [
        Self::Planned,
        Self::Sending,
        Self::Sent,
        Self::Failed,
        Self::Unknown,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
        }
    }

    /// The state of a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether nothing more will happen to the entry.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Sent | Self::Failed)
    }

    /// Whether the API must be asked before the entry may be sent (again).
    pub fn needs_resolution(self) -> bool {
        matches!(self, Self::Sending | Self::Unknown)
    }
}

/// What happened to an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Transition {
    /// The request is about to leave (committed first).
    Begin,
    /// Hook0 answered 204.
    Accepted,
    /// Hook0 refused for good (the reason and problem id are stored with it).
    Rejected,
    /// No usable answer: it may or may not have been replayed.
    Ambiguous,
    /// Proven not processed (429 from the rate limiter, connection never opened).
    Refused,
    /// The API lists an attempt the replay created.
    Found,
    /// The API lists no attempt created by it, after the request can no longer land.
    Absent,
    /// Given up before sending (too many tries, or the event is gone).
    Abandon,
}

/// The state after `transition` from `from`, or `None` when the move is illegal.
pub fn next(from: EntryState, transition: Transition) -> Option<EntryState> {
    use EntryState as S;
    use Transition as T;
    match (from, transition) {
        (S::Planned, T::Begin) => Some(S::Sending),
        (S::Planned, T::Abandon) => Some(S::Failed),
        (S::Sending, T::Accepted) => Some(S::Sent),
        (S::Sending, T::Rejected) => Some(S::Failed),
        (S::Sending, T::Ambiguous) => Some(S::Unknown),
        (S::Sending, T::Refused) => Some(S::Planned),
        (S::Sending | S::Unknown, T::Found) => Some(S::Sent),
        (S::Sending | S::Unknown, T::Absent) => Some(S::Planned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_TRANSITIONS: [Transition; 8] = [
        Transition::Begin,
        Transition::Accepted,
        Transition::Rejected,
        Transition::Ambiguous,
        Transition::Refused,
        Transition::Found,
        Transition::Absent,
        Transition::Abandon,
    ];

    #[test]
    fn the_happy_path_and_each_failure_path() {
        use EntryState::*;
        assert_eq!(next(Planned, Transition::Begin), Some(Sending));
        assert_eq!(next(Sending, Transition::Accepted), Some(Sent));
        assert_eq!(next(Sending, Transition::Rejected), Some(Failed));
        assert_eq!(next(Sending, Transition::Ambiguous), Some(Unknown));
        assert_eq!(next(Unknown, Transition::Found), Some(Sent));
        assert_eq!(next(Unknown, Transition::Absent), Some(Planned));
        assert_eq!(next(Sending, Transition::Refused), Some(Planned));
        assert_eq!(next(Planned, Transition::Abandon), Some(Failed));
    }

    #[test]
    fn final_states_never_move() {
        for state in [EntryState::Sent, EntryState::Failed] {
            assert!(state.is_final());
            for t in ALL_TRANSITIONS {
                assert_eq!(next(state, t), None, "{state:?} must not move on {t:?}");
            }
        }
    }

    #[test]
    fn only_a_resolution_or_a_proven_refusal_sends_an_entry_back_to_planned() {
        for from in EntryState::ALL {
            for t in ALL_TRANSITIONS {
                if next(from, t) == Some(EntryState::Planned) {
                    assert!(
                        matches!(t, Transition::Absent | Transition::Refused),
                        "{from:?} --{t:?}--> planned would allow a blind re-send"
                    );
                }
            }
        }
        assert_eq!(next(EntryState::Unknown, Transition::Refused), None);
        assert_eq!(next(EntryState::Unknown, Transition::Begin), None);
    }

    #[test]
    fn nothing_is_sent_twice_without_passing_through_planned() {
        // Begin is the only edge into `sending`, and only from `planned`.
        for from in EntryState::ALL {
            for t in ALL_TRANSITIONS {
                if next(from, t) == Some(EntryState::Sending) {
                    assert_eq!((from, t), (EntryState::Planned, Transition::Begin));
                }
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in EntryState::ALL {
            assert_eq!(EntryState::parse(s.as_str()), Some(s));
        }
        assert_eq!(EntryState::parse("done"), None);
    }
}
