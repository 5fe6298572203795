//! Content that has left the API while attempts still name it: an event payload expired by
//! Hook0's retention, or a response deleted. Hook0 then answers 404 for `GET /events/{id}` or
//! `GET /responses/{id}`, and a client has to live with that; tests make content expire here
//! and count how often a client still asks for it.

use std::collections::{HashMap, HashSet};
use uuid::Uuid;

#[derive(Debug, Default)]
pub struct Expiry {
    gone: HashSet<Uuid>,
    asked: HashMap<Uuid, u64>,
}

impl Expiry {
    pub fn expire(&mut self, id: Uuid) {
        self.gone.insert(id);
    }

    /// Counts a request for the event or response `id`; answers whether it is gone.
    pub fn ask(&mut self, id: Uuid) -> bool {
        *self.asked.entry(id).or_default() += 1;
        self.gone.contains(&id)
    }

    pub fn asked(&self, id: Uuid) -> u64 {
        self.asked.get(&id).copied().unwrap_or(0)
    }
}
