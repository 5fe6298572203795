//! The offline questions: which deliveries, why they failed, how each target fares, and what
//! is about to become impossible to replay.
//!
//! Why here and not in the API: Hook0 cannot filter attempts by status, and its dashboard
//! shows one page; the cache holds the whole history, so every question is answered locally.
//!
//! Invariants:
//! - request types are plain serde + ts-rs structs of optional fields (what the UI sends),
//!   validated once into [`ValidFilter`] before any SQL is built; bad input is a
//!   [`QueryError::InvalidFilter`], never a panic;
//! - pages are keyset-paginated on (sort value, attempt row id): stable while the sync writes;
//! - every query takes a `&rusqlite::Connection` — a [`crate::cache::CacheReader`]'s beside
//!   the writer, or the writer's own.
//!
//! Designed for 1,000,000 attempts (PERF_NOTES): a page walks an index already in its order
//! (one per sort key, partitioned by application, status and HTTP class where those decide
//! the order) and tests the filters inside it, or collects the few matches of a narrow filter
//! and sorts them (`plan`, `walk`); failures by cause come from the rollup, full-text search
//! joins FTS rowids to attempts by event id.

mod at_risk;
mod count;
mod deliveries;
mod detail;
mod error;
mod failures;
mod filter;
mod health;
mod options;
mod page;
mod plan;
pub(crate) mod scope;
mod scope_subscriptions;
mod since;
mod walk;

pub use at_risk::{AtRiskDelivery, AtRiskQuery};
pub use count::{FilterCounts, count_matching};
pub use deliveries::{DeliveryPage, DeliveryQuery, DeliveryRow};
pub use detail::{
    Content, ContentStatus, DeliveryDetail, EventDetail, ResponseDetail, delivery_detail,
};
pub use error::QueryError;
pub use failures::{
    Bucket, FailureBucket, FailureCause, FailureGroup, failure_groups, failures_over_time,
};
pub use filter::{DeliveryFilter, LabelFilter, SearchScope, ValidFilter};
pub use health::{SubscriptionHealth, subscription_health};
pub use options::{FilterOptions, LabelOption, NamedOption, SubscriptionOption, filter_options};
pub use page::{Direction, Sort, SortKey};
pub use scope_subscriptions::{ScopeSubscription, scope_subscriptions};
pub use since::{ScopeCounts, attempt_mark, attempts_since};
