//! Hook0's request-attempt paging, bug included.
//!
//! The real query sorts by `created_at DESC, request_attempt_id ASC` but selects the next page
//! with the row comparison `(created_at, id) < (cursor.date, cursor.id)`. In the stored order
//! `(created_at ASC, id DESC)` the rows satisfying that comparison are two contiguous ranges:
//! the rows of the cursor's own timestamp with a smaller id, and every older row. When a page
//! ends inside a group of tied timestamps, the tied rows with a lower id than the cursor come
//! back again and those with a higher id are never returned — exactly the loss measured on the
//! real server. Nothing here tries to fix it.

use super::{Store, sort_key};
use crate::clock::Micros;
use uuid::Uuid;

/// Hook0's fixed page size.
pub const PAGE_SIZE: usize = 50;

/// The filters of `GET /request_attempts/`, resolved against one application.
#[derive(Debug, Clone)]
pub struct AttemptFilter {
    /// `Some(None)`: an event id was given but is not in this application (empty result).
    pub event: Option<Option<u32>>,
    pub subscription: Option<Option<u32>>,
    /// Indices into the application's event types; `Some(vec![])` when only unknown names.
    pub event_types: Option<Vec<u16>>,
    pub min_created_at: Micros,
    pub max_created_at: Micros,
    pub cursor: (Micros, Uuid),
}

impl Store {
    /// One page (at most [`PAGE_SIZE`] attempt indices) in Hook0's list order.
    pub fn page(&self, application: u32, filter: &AttemptFilter) -> Vec<u32> {
        let Some(app) = self.applications.get(application as usize) else {
            return Vec::new();
        };
        let owned;
        let source: &[u32] = match (filter.event, filter.subscription) {
            (Some(None), _) | (_, Some(None)) => return Vec::new(),
            (Some(Some(event)), _) => {
                let mut list: Vec<u32> = self
                    .event_attempts(event)
                    .into_iter()
                    .filter(|&i| {
                        self.attempt(i)
                            .and_then(|a| self.subscriptions.get(a.subscription as usize))
                            .is_some_and(|s| s.application == application)
                    })
                    .collect();
                list.sort_unstable_by_key(|&i| sort_key(self.seed, &self.attempts, i));
                owned = list;
                &owned
            }
            (None, Some(Some(sub))) => match self.subscriptions.get(sub as usize) {
                Some(s) if s.application == application => &s.attempts,
                _ => return Vec::new(),
            },
            (None, None) => &app.attempts,
        };
        self.walk(source, filter)
    }

    fn walk(&self, sorted: &[u32], filter: &AttemptFilter) -> Vec<u32> {
        let created = |i: u32| self.attempt(i).map_or(Micros::MIN, |a| a.created_at);
        let id = |i: u32| self.attempt_id(i);
        let (cursor_date, cursor_id) = filter.cursor;

        let older = sorted.partition_point(|&i| created(i) < cursor_date);
        let tie_end = older + sorted[older..].partition_point(|&i| created(i) <= cursor_date);
        let tie_lower_ids = older + sorted[older..tie_end].partition_point(|&i| id(i) >= cursor_id);
        let low = sorted.partition_point(|&i| created(i) < filter.min_created_at);
        let high = sorted.partition_point(|&i| created(i) <= filter.max_created_at);

        let ties = tie_lower_ids.max(low)..tie_end.min(high);
        let rest = low..older.min(high);
        let wanted = |i: u32| match &filter.event_types {
            None => true,
            Some(types) => self
                .attempt(i)
                .and_then(|a| self.events.get(a.event as usize))
                .is_some_and(|e| types.contains(&e.event_type)),
        };
        ties.rev()
            .chain(rest.rev())
            .filter_map(|p| sorted.get(p).copied())
            .filter(|&i| wanted(i))
            .take(PAGE_SIZE)
            .collect()
    }
}
