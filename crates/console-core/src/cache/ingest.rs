//! The write path: one [`Ingest`] is one transaction over many API pages.
//!
//! Why a session: committing per page costs 6–10× (PERF_NOTES), so the sync stores several
//! pages and the cursor that follows them in one transaction. Invariants: everything written
//! through one `Ingest` commits together or not at all (dropping it rolls back); ingesting
//! the same attempt twice changes nothing; a later version of an attempt updates it, its
//! chain and the failure rollup in the same transaction.

use std::collections::HashMap;

use hook0_client::generated::RequestAttempt;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};
use uuid::Uuid;

use super::chain::{self, ChainInput};
use super::error::CacheError;
use super::memo::{ChainKnowledge, EventMemo, EventMemos};
use super::open::Cache;
use super::rollup::{self, Cell};
use super::types::{AttemptStatus, ErrorKind, cause_of, micros};

/// What a session did, for progress reports and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    /// Attempts seen for the first time.
    pub attempts_inserted: u64,
    /// Attempts already cached whose fields changed (e.g. pending → failed).
    pub attempts_updated: u64,
    /// Attempts already cached exactly as given (duplicates from the cursor).
    pub attempts_unchanged: u64,
    /// Events whose payload was stored.
    pub events: u64,
    /// Responses stored.
    pub responses: u64,
}

/// One write transaction. Commit with [`Ingest::commit`]; dropping it rolls back.
#[derive(Debug)]
pub struct Ingest<'c> {
    pub(crate) tx: Transaction<'c>,
    pub(crate) apps: HashMap<Uuid, i64>,
    pub(crate) subs: HashMap<Uuid, i64>,
    pub(crate) types: HashMap<(i64, String), i64>,
    /// Events resolved by this writer, and attempts and chains stored for those it created;
    /// handed back to the cache only when this session commits.
    pub(crate) events: EventMemos,
    memo_home: &'c mut EventMemos,
    next_attempt_id: i64,
    /// Row id for the next chain this session creates with a plain insert.
    next_chain_id: i64,
    /// Whether any response is cached (if not, attempts need not look theirs up).
    pub(crate) any_response: bool,
    pub(crate) stats: IngestStats,
}

impl Cache {
    /// Starts a write transaction (taking the write lock at once).
    pub fn ingest(&mut self) -> Result<Ingest<'_>, CacheError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // The memo describes what this connection committed; another connection's commit
        // (another process syncing the same file) may have changed any of it.
        let data_version: i64 = tx.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let mut events = std::mem::take(&mut self.memo);
        if self.memo_data_version != Some(data_version) {
            events.clear();
            self.memo_data_version = Some(data_version);
        }
        // Attempt ids are assigned here so a new chain can point at its latest attempt before
        // the attempt row exists; the immediate transaction makes this the only writer.
        let next_attempt_id: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM attempt", [], |r| {
                r.get(0)
            })?;
        let next_chain_id: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM chain", [], |r| {
                r.get(0)
            })?;
        let any_response: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM response)", [], |r| r.get(0))?;
        Ok(Ingest {
            tx,
            any_response,
            apps: HashMap::new(),
            subs: HashMap::new(),
            types: HashMap::new(),
            events,
            memo_home: &mut self.memo,
            next_attempt_id,
            next_chain_id,
            stats: IngestStats::default(),
        })
    }
}

/// An attempt's stored fields, as compared to detect duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AttemptFields {
    created_at: i64,
    picked_at: Option<i64>,
    failed_at: Option<i64>,
    succeeded_at: Option<i64>,
    delay_until: Option<i64>,
    status: i64,
    status_since: Option<i64>,
    status_until: Option<i64>,
    status_at: Option<i64>,
    full_processing_ms: Option<i64>,
    retry_count: i64,
    http_status: Option<i64>,
    response_uuid: Option<Vec<u8>>,
}

impl AttemptFields {
    fn of(a: &RequestAttempt) -> Self {
        Self {
            created_at: micros(&a.created_at),
            picked_at: a.picked_at.as_ref().map(micros),
            failed_at: a.failed_at.as_ref().map(micros),
            succeeded_at: a.succeeded_at.as_ref().map(micros),
            delay_until: a.delay_until.as_ref().map(micros),
            status: AttemptStatus::from(a.status.type_).code(),
            status_since: a.status.since.as_ref().map(micros),
            status_until: a.status.until.as_ref().map(micros),
            status_at: a.status.at.as_ref().map(micros),
            full_processing_ms: a.status.full_processing_ms,
            retry_count: i64::from(a.retry_count),
            http_status: a.http_response_status.map(i64::from),
            response_uuid: a.response_id.map(|u| u.as_bytes().to_vec()),
        }
    }

    fn status(&self) -> AttemptStatus {
        AttemptStatus::from_code(self.status).unwrap_or(AttemptStatus::Pending)
    }
}

/// The row of an attempt already cached.
struct Existing {
    id: i64,
    chain_id: i64,
    application_id: i64,
    subscription_id: i64,
    error_kind: Option<String>,
    fields: AttemptFields,
}

impl Ingest<'_> {
    /// Stores one page (or several) of request attempts of `application_id`.
    ///
    /// Idempotent: attempts already cached as given are skipped; changed ones are updated
    /// along with their chain and the failure rollup.
    pub fn attempts(
        &mut self,
        application_id: Uuid,
        attempts: &[RequestAttempt],
    ) -> Result<(), CacheError> {
        let app = self.application_id(application_id)?;
        for a in attempts {
            self.attempt(app, a)?;
        }
        Ok(())
    }

    fn attempt(&mut self, app: i64, a: &RequestAttempt) -> Result<(), CacheError> {
        if a.retry_count < 0 {
            return Err(CacheError::InvalidInput(format!(
                "attempt {} has a negative retry_count",
                a.request_attempt_id
            )));
        }
        let fields = AttemptFields::of(a);
        let uuid = a.request_attempt_id;
        let existing = if self.events.certainly_new(&a.event_id, &uuid) {
            None
        } else {
            self.existing_attempt(uuid)?
        };
        match existing {
            Some(old) if old.fields == fields => {
                self.stats.attempts_unchanged += 1;
                Ok(())
            }
            Some(old) => self.update_attempt(old, fields),
            None => self.insert_attempt(app, a, fields),
        }
    }

    fn existing_attempt(&self, uuid: Uuid) -> Result<Option<Existing>, CacheError> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, chain_id, application_id, subscription_id, error_kind, created_at,
                    picked_at, failed_at, succeeded_at, delay_until, status, status_since,
                    status_until, status_at, full_processing_ms, retry_count, http_status,
                    response_uuid
             FROM attempt WHERE uuid = ?1",
        )?;
        let row = stmt
            .query_row([&uuid.as_bytes()[..]], |r| {
                Ok(Existing {
                    id: r.get(0)?,
                    chain_id: r.get(1)?,
                    application_id: r.get(2)?,
                    subscription_id: r.get(3)?,
                    error_kind: r.get(4)?,
                    fields: AttemptFields {
                        created_at: r.get(5)?,
                        picked_at: r.get(6)?,
                        failed_at: r.get(7)?,
                        succeeded_at: r.get(8)?,
                        delay_until: r.get(9)?,
                        status: r.get(10)?,
                        status_since: r.get(11)?,
                        status_until: r.get(12)?,
                        status_at: r.get(13)?,
                        full_processing_ms: r.get(14)?,
                        retry_count: r.get(15)?,
                        http_status: r.get(16)?,
                        response_uuid: r.get(17)?,
                    },
                })
            })
            .optional()?;
        Ok(row)
    }

    /// The error name of a cached response, if the response is cached.
    fn cached_response_error(&self, response: &[u8]) -> Result<Option<Option<String>>, CacheError> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT error_name FROM response WHERE uuid = ?1")?;
        Ok(stmt
            .query_row([response], |r| r.get::<_, Option<String>>(0))
            .optional()?)
    }

    /// The error kind of a failed attempt, and whether its response is cached.
    fn error_kind(&self, f: &AttemptFields) -> Result<(Option<ErrorKind>, bool), CacheError> {
        let cached = match &f.response_uuid {
            Some(r) if self.any_response => self.cached_response_error(r)?,
            _ => None,
        };
        if f.status() != AttemptStatus::Failed {
            return Ok((None, cached.is_some()));
        }
        let kind = match (&cached, f.http_status) {
            (_, Some(_)) => ErrorKind::Http,
            (Some(Some(name)), None) => ErrorKind::from_error_name(name),
            _ => ErrorKind::of_attempt(f.http_status, f.response_uuid.is_some()),
        };
        Ok((Some(kind), cached.is_some()))
    }

    fn insert_attempt(
        &mut self,
        app: i64,
        a: &RequestAttempt,
        f: AttemptFields,
    ) -> Result<(), CacheError> {
        let sub = self.subscription_stub(app, a)?;
        let event_type = self.event_type_id(app, &a.event.event_type_name)?;
        let failed = f.status() == AttemptStatus::Failed;
        let memo = self.event_stub(app, a.event_id, event_type, f.created_at, failed)?;
        if memo.created_in.is_some() {
            self.events.stored_fresh(a.request_attempt_id);
        }
        let event = memo.id;
        let id = self.next_attempt_id;
        self.next_attempt_id += 1;
        let input = ChainInput {
            event_id: event,
            subscription_id: sub,
            application_id: app,
            attempt_id: id,
            created_at: f.created_at,
            retry_count: f.retry_count,
            status: f.status(),
            failed_at: f.failed_at,
        };
        let chain_id = match self.events.chain(&a.event_id, (event, sub)) {
            ChainKnowledge::Absent => {
                let chain_id = self.next_chain_id;
                chain::create(&self.tx, chain_id, &input)?;
                self.next_chain_id += 1;
                self.events.created_chain((event, sub), chain_id);
                chain_id
            }
            ChainKnowledge::Created(_) | ChainKnowledge::Unknown => {
                let chain_id = chain::add_attempt(&self.tx, &input)?;
                // A chain the upsert created took the next free row id.
                self.next_chain_id = self.next_chain_id.max(chain_id + 1);
                chain_id
            }
        };
        let (kind, response_cached) = self.error_kind(&f)?;
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO attempt (id, uuid, application_id, event_id, subscription_id,
                 event_type_id, chain_id, created_at, picked_at, failed_at, succeeded_at,
                 delay_until, status, status_since, status_until, status_at, full_processing_ms,
                 retry_count, http_status, response_uuid, response_cached, error_kind)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20, ?21, ?22)",
        )?;
        stmt.execute(rusqlite::params![
            id,
            &a.request_attempt_id.as_bytes()[..],
            app,
            event,
            sub,
            event_type,
            chain_id,
            f.created_at,
            f.picked_at,
            f.failed_at,
            f.succeeded_at,
            f.delay_until,
            f.status,
            f.status_since,
            f.status_until,
            f.status_at,
            f.full_processing_ms,
            f.retry_count,
            f.http_status,
            f.response_uuid,
            response_cached,
            kind.map(ErrorKind::as_str),
        ])?;
        if let Some(kind) = kind {
            rollup::add(
                &self.tx,
                &Cell {
                    application_id: app,
                    subscription_id: sub,
                    created_at: f.created_at,
                    cause: cause_of(f.http_status, kind),
                },
            )?;
        }
        self.stats.attempts_inserted += 1;
        Ok(())
    }

    fn update_attempt(&mut self, old: Existing, f: AttemptFields) -> Result<(), CacheError> {
        let (kind, response_cached) = self.error_kind(&f)?;
        self.tx
            .prepare_cached(
                "UPDATE attempt SET created_at = ?2, picked_at = ?3, failed_at = ?4,
                     succeeded_at = ?5, delay_until = ?6, status = ?7, status_since = ?8,
                     status_until = ?9, status_at = ?10, full_processing_ms = ?11,
                     retry_count = ?12, http_status = ?13, response_uuid = ?14,
                     response_cached = ?15, error_kind = ?16
                 WHERE id = ?1",
            )?
            .execute(rusqlite::params![
                old.id,
                f.created_at,
                f.picked_at,
                f.failed_at,
                f.succeeded_at,
                f.delay_until,
                f.status,
                f.status_since,
                f.status_until,
                f.status_at,
                f.full_processing_ms,
                f.retry_count,
                f.http_status,
                f.response_uuid,
                response_cached,
                kind.map(ErrorKind::as_str),
            ])?;
        let old_cell = old
            .error_kind
            .as_deref()
            .and_then(ErrorKind::parse)
            .map(|k| Cell {
                application_id: old.application_id,
                subscription_id: old.subscription_id,
                created_at: old.fields.created_at,
                cause: cause_of(old.fields.http_status, k),
            });
        let new_cell = kind.map(|k| Cell {
            application_id: old.application_id,
            subscription_id: old.subscription_id,
            created_at: f.created_at,
            cause: cause_of(f.http_status, k),
        });
        if old_cell != new_cell {
            if let Some(c) = &old_cell {
                rollup::remove(&self.tx, c)?;
            }
            if let Some(c) = &new_cell {
                rollup::add(&self.tx, c)?;
            }
        }
        let event_id: i64 = self
            .tx
            .prepare_cached("SELECT event_id FROM chain WHERE id = ?1")?
            .query_row([old.chain_id], |r| r.get(0))?;
        if kind.is_some() {
            self.tx
                .prepare_cached(
                    "UPDATE event SET has_failure = 1 WHERE id = ?1 AND has_failure = 0",
                )?
                .execute([event_id])?;
        }
        chain::update_attempt(
            &self.tx,
            old.chain_id,
            &ChainInput {
                event_id,
                subscription_id: old.subscription_id,
                application_id: old.application_id,
                attempt_id: old.id,
                created_at: f.created_at,
                retry_count: f.retry_count,
                status: f.status(),
                failed_at: f.failed_at,
            },
        )?;
        self.stats.attempts_updated += 1;
        Ok(())
    }

    /// The row id of an event, creating a stub (no payload yet) if it is new; remembers
    /// whether this session created it.
    fn event_stub(
        &mut self,
        app: i64,
        uuid: Uuid,
        event_type: i64,
        created_at: i64,
        failed: bool,
    ) -> Result<EventMemo, CacheError> {
        let known = match self.events.get(&uuid) {
            Some(memo) => Some(memo),
            None => self
                .tx
                .prepare_cached("SELECT id, has_failure FROM event WHERE uuid = ?1")?
                .query_row([&uuid.as_bytes()[..]], |r| {
                    Ok(EventMemo {
                        id: r.get(0)?,
                        has_failure: r.get(1)?,
                        created_in: None,
                    })
                })
                .optional()?,
        };
        let memo = match known {
            Some(memo) => memo,
            None => {
                let id: i64 = self
                    .tx
                    .prepare_cached(
                        "INSERT INTO event (uuid, application_id, event_type_id, first_attempt_at,
                             has_failure)
                         VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                    )?
                    .query_row(
                        rusqlite::params![
                            &uuid.as_bytes()[..],
                            app,
                            event_type,
                            created_at,
                            failed
                        ],
                        |r| r.get(0),
                    )?;
                EventMemo {
                    id,
                    has_failure: failed,
                    created_in: Some(self.events.generation()),
                }
            }
        };
        if failed && !memo.has_failure {
            self.tx
                .prepare_cached("UPDATE event SET has_failure = 1 WHERE id = ?1")?
                .execute([memo.id])?;
        }
        let memo = EventMemo {
            has_failure: memo.has_failure || failed,
            ..memo
        };
        self.events.remember(uuid, memo);
        Ok(memo)
    }

    /// Drops what this session remembers of events (bounded memory; after an erasure).
    pub(crate) fn forget_events(&mut self) {
        self.events.clear();
    }

    /// Records sync progress (cursor, watermark…) in this same transaction.
    pub fn set_sync_state(
        &mut self,
        scope: &str,
        key: &str,
        value: &str,
    ) -> Result<(), CacheError> {
        self.tx
            .prepare_cached(
                "INSERT INTO sync_state (scope, key, value, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value,
                     updated_at = excluded.updated_at",
            )?
            .execute((scope, key, value, chrono::Utc::now().timestamp_micros()))?;
        Ok(())
    }

    /// Forgets one sync-state entry.
    pub fn clear_sync_state(&mut self, scope: &str, key: &str) -> Result<(), CacheError> {
        self.tx
            .prepare_cached("DELETE FROM sync_state WHERE scope = ?1 AND key = ?2")?
            .execute((scope, key))?;
        Ok(())
    }

    /// What this session has done so far.
    pub fn stats(&self) -> IngestStats {
        self.stats
    }

    /// Commits everything written in this session.
    pub fn commit(self) -> Result<IngestStats, CacheError> {
        let stats = self.stats;
        self.tx.commit()?;
        // Only now does the memo describe the file; a session rolled back takes it along.
        *self.memo_home = self.events;
        Ok(stats)
    }
}
