//! What the cache's writer remembers of the events it touched.
//!
//! A sync lists attempts newest first, and an event's attempts are spread over its retry
//! schedule (Hook0 retries for days), so an event seen now is seen again many pages — and
//! transactions — later. Remembering it saves a lookup per attempt and, for an event this
//! writer created, the lookups of the attempt and of its delivery chain: attempts and chains
//! are only stored with their event row and erased with it, so for such an event they are
//! cached only if this writer stored them (and noted it here).
//!
//! The memo must describe committed data only: an ingest session takes it and hands it back
//! on commit (a rollback drops it), and it is cleared when another connection has committed
//! to the file since (`PRAGMA data_version`).
//!
//! Memory is bounded with two generations: when the young one is full, the old one is
//! dropped and the young one takes its place. What was used recently survives a turnover,
//! unlike a map cleared when full.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

/// Entries (events, attempts and chains noted) per generation: about 3 MiB.
const GENERATION: usize = 65_536;

/// What a session knows of an event row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventMemo {
    pub id: i64,
    pub has_failure: bool,
    /// The generation in which this writer created the row (none of its attempts predates
    /// it); `None` if the row was already cached.
    pub created_in: Option<u64>,
}

#[derive(Debug, Default)]
struct Generation {
    events: HashMap<Uuid, EventMemo>,
    /// Attempts stored by this writer for events it created.
    fresh_attempts: HashSet<Uuid>,
    /// Chains this writer created for events it created: (event row, subscription row) →
    /// chain row.
    fresh_chains: HashMap<(i64, i64), i64>,
}

impl Generation {
    fn len(&self) -> usize {
        self.events.len() + self.fresh_attempts.len() + self.fresh_chains.len()
    }
}

/// Whether a delivery chain is cached, as far as the session can tell without a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChainKnowledge {
    /// This session created it.
    Created(i64),
    /// Certainly not cached: its event is one this writer created, and it made no such chain.
    Absent,
    /// The session cannot tell.
    Unknown,
}

/// Two generations of remembered events.
#[derive(Debug, Default)]
pub(crate) struct EventMemos {
    young: Generation,
    old: Generation,
    /// Number of the young generation (the old one is the one before).
    current: u64,
}

impl EventMemos {
    pub fn get(&self, event: &Uuid) -> Option<EventMemo> {
        self.young
            .events
            .get(event)
            .or_else(|| self.old.events.get(event))
            .copied()
    }

    pub fn remember(&mut self, event: Uuid, memo: EventMemo) {
        if self.young.len() >= GENERATION {
            self.old = std::mem::take(&mut self.young);
            self.current += 1;
        }
        self.young.events.insert(event, memo);
    }

    /// The generation a newly created event belongs to.
    pub fn generation(&self) -> u64 {
        self.current
    }

    /// Notes that this writer stored `attempt`, of an event it created.
    pub fn stored_fresh(&mut self, attempt: Uuid) {
        self.young.fresh_attempts.insert(attempt);
    }

    /// Notes a chain this writer created for an event it created.
    pub fn created_chain(&mut self, key: (i64, i64), chain: i64) {
        self.young.fresh_chains.insert(key, chain);
    }

    /// What the session knows of the chain `key` of `event` (same reasoning as
    /// [`Self::certainly_new`]).
    pub fn chain(&self, event: &Uuid, key: (i64, i64)) -> ChainKnowledge {
        if !self.created_alive(event) {
            return ChainKnowledge::Unknown;
        }
        match self
            .young
            .fresh_chains
            .get(&key)
            .or_else(|| self.old.fresh_chains.get(&key))
        {
            Some(&chain) => ChainKnowledge::Created(chain),
            None => ChainKnowledge::Absent,
        }
    }

    fn created_alive(&self, event: &Uuid) -> bool {
        let alive = |g: u64| g.saturating_add(1) >= self.current;
        self.get(event)
            .and_then(|e| e.created_in)
            .is_some_and(alive)
    }

    /// Whether `attempt` of `event` is certainly not cached yet: its event was created by
    /// this writer, which has not stored it. `false` means "look it up".
    pub fn certainly_new(&self, event: &Uuid, attempt: &Uuid) -> bool {
        // Attempts of an event are noted in the generation current when they were stored,
        // never older than the one the event was created in. While that generation is
        // alive, every attempt stored for the event is in one of the two sets; once it is
        // dropped, some may be forgotten, so the answer falls back to a lookup.
        self.created_alive(event)
            && !self.young.fresh_attempts.contains(attempt)
            && !self.old.fresh_attempts.contains(attempt)
    }

    pub fn clear(&mut self) {
        self.young = Generation::default();
        self.old = Generation::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created(memos: &EventMemos) -> EventMemo {
        EventMemo {
            id: 1,
            has_failure: false,
            created_in: Some(memos.generation()),
        }
    }

    fn fill_generation(memos: &mut EventMemos) {
        let generation = memos.generation();
        while memos.generation() == generation {
            memos.remember(
                Uuid::new_v4(),
                EventMemo {
                    id: 0,
                    has_failure: false,
                    created_in: None,
                },
            );
        }
    }

    #[test]
    fn an_attempt_stored_for_a_created_event_is_never_certainly_new() {
        let mut memos = EventMemos::default();
        let (event, attempt) = (Uuid::new_v4(), Uuid::new_v4());
        let memo = created(&memos);
        memos.remember(event, memo);
        assert!(memos.certainly_new(&event, &attempt));
        memos.stored_fresh(attempt);
        assert!(!memos.certainly_new(&event, &attempt));
        fill_generation(&mut memos);
        // The event is re-remembered in the young generation, as each sighting does.
        memos.remember(event, memo);
        assert!(
            !memos.certainly_new(&event, &attempt),
            "still known after one turnover"
        );
        fill_generation(&mut memos);
        memos.remember(event, memo);
        assert!(
            !memos.certainly_new(&event, &attempt),
            "the generation that noted the attempt is gone: must look it up"
        );
        assert!(
            !memos.certainly_new(&event, &Uuid::new_v4()),
            "once the creating generation is gone, nothing about the event is certain"
        );
    }

    #[test]
    fn events_already_cached_always_need_a_lookup() {
        let mut memos = EventMemos::default();
        let event = Uuid::new_v4();
        memos.remember(
            event,
            EventMemo {
                id: 3,
                has_failure: true,
                created_in: None,
            },
        );
        assert!(!memos.certainly_new(&event, &Uuid::new_v4()));
        assert!(memos.get(&event).is_some_and(|m| m.has_failure));
        memos.clear();
        assert!(memos.get(&event).is_none());
    }

    #[test]
    fn chains_are_certain_only_while_the_creating_generation_lives() {
        let mut memos = EventMemos::default();
        let event = Uuid::new_v4();
        let memo = created(&memos);
        memos.remember(event, memo);
        assert_eq!(memos.chain(&event, (1, 2)), ChainKnowledge::Absent);
        memos.created_chain((1, 2), 40);
        assert_eq!(memos.chain(&event, (1, 2)), ChainKnowledge::Created(40));
        assert_eq!(memos.chain(&event, (1, 3)), ChainKnowledge::Absent);
        fill_generation(&mut memos);
        memos.remember(event, memo);
        assert_eq!(memos.chain(&event, (1, 2)), ChainKnowledge::Created(40));
        fill_generation(&mut memos);
        memos.remember(event, memo);
        assert_eq!(memos.chain(&event, (1, 2)), ChainKnowledge::Unknown);
        assert_eq!(
            memos.chain(&Uuid::new_v4(), (9, 9)),
            ChainKnowledge::Unknown
        );
    }
}
