//! Turns a [`ValidFilter`] into SQL conditions over `attempt a` (and `chain c`).
//!
//! UUIDs and names are resolved first against the small tables (applications, subscriptions,
//! event types) into row ids, which are written into the SQL as integer literals — they come
//! from the database, never from the operator. Operator text (labels, search, error kinds)
//! always travels as bound parameters.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use super::error::QueryError;
use super::filter::{SearchScope, ValidFilter};
use crate::cache::ChainOutcome;

/// A column an index partition can fix, making the filter's own clause on it redundant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Application,
    Subscription,
    Status,
    Class,
    /// Membership of the attempt's chain in the failing deliveries of some outcomes.
    FailingChain,
}

/// SQL conditions and their parameters, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Conditions {
    pub clauses: Vec<String>,
    pub params: Vec<Value>,
    /// Clauses on partition columns, kept apart (they bind no values) so that a walk whose
    /// partitions already fix them can leave them out: SQLite plans `x = ? AND x IN (…)` on a
    /// leading index column as a skip-scan and a sort.
    pub parts: Vec<(Part, String)>,
    /// Some clause reads the delivery chain `c` (it must be joined).
    pub chain: bool,
    /// Some clause matches few rows through an index of its own (one event, a rare label, a
    /// rare search word): collecting those rows beats walking a sort index.
    pub narrow: bool,
    /// The outcomes of the [`Part::FailingChain`] clause, for a walk that tests membership
    /// itself.
    pub failing: Option<Vec<i64>>,
    /// Some clause builds a set of matching events when its statement runs.
    pub sets: bool,
}

impl Conditions {
    pub fn sql(&self) -> String {
        let all: Vec<&str> = self
            .parts
            .iter()
            .map(|(_, sql)| sql.as_str())
            .chain(self.clauses.iter().map(String::as_str))
            .collect();
        if all.is_empty() {
            "1".to_owned()
        } else {
            all.join(" AND ")
        }
    }

    /// These conditions without the clauses on `fixed` columns.
    pub fn without(&self, fixed: &[Part]) -> Self {
        let mut c = self.clone();
        c.parts.retain(|(part, _)| !fixed.contains(part));
        c
    }

    /// Binds a value: placeholders are plain `?`, numbered by position, so SQL text must be
    /// assembled in the order values are bound.
    fn param(&mut self, v: Value) -> String {
        self.params.push(v);
        "?".to_owned()
    }

    pub fn bind(&mut self, v: Value) -> String {
        self.param(v)
    }
}

fn ids_sql(ids: &[i64]) -> String {
    if ids.is_empty() {
        "NULL".to_owned()
    } else {
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }
}

fn blob(u: &Uuid) -> Value {
    Value::Blob(u.as_bytes().to_vec())
}

/// Row ids the filter's scope resolves to; `None` means "not restricted".
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub apps: Option<Vec<i64>>,
    pub subs: Option<Vec<i64>>,
    pub types: Option<Vec<i64>>,
    pub event: Option<i64>,
    /// A named id does not exist: nothing can match.
    pub empty: bool,
}

fn collect_ids(conn: &Connection, sql: &str, params: Vec<Value>) -> Result<Vec<i64>, QueryError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let ids = stmt
        .query_map(rusqlite::params_from_iter(params), |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(ids)
}

fn intersect(a: Option<Vec<i64>>, b: Vec<i64>) -> Vec<i64> {
    match a {
        None => b,
        Some(a) => a.into_iter().filter(|x| b.contains(x)).collect(),
    }
}

/// Resolves applications, subscriptions, event types and the event to row ids.
pub(crate) fn resolve(conn: &Connection, f: &ValidFilter) -> Result<Resolved, QueryError> {
    let mut r = Resolved::default();
    if !f.application_ids.is_empty() {
        let mut ids = Vec::new();
        for u in &f.application_ids {
            ids.extend(collect_ids(
                conn,
                "SELECT id FROM application WHERE uuid = ?1",
                vec![blob(u)],
            )?);
        }
        r.apps = Some(ids);
    }
    if let Some(org) = &f.organization_id {
        let ids = collect_ids(
            conn,
            "SELECT a.id FROM application a JOIN organization o ON o.id = a.organization_id
             WHERE o.uuid = ?1",
            vec![blob(org)],
        )?;
        r.apps = Some(intersect(r.apps.take(), ids));
    }
    if !f.subscription_ids.is_empty() {
        let mut ids = Vec::new();
        for u in &f.subscription_ids {
            ids.extend(collect_ids(
                conn,
                "SELECT id FROM subscription WHERE uuid = ?1",
                vec![blob(u)],
            )?);
        }
        r.subs = Some(ids);
    }
    if let Some(url) = &f.target_url {
        let ids = collect_ids(
            conn,
            "SELECT id FROM subscription WHERE instr(lower(target_url), lower(?1)) > 0",
            vec![Value::Text(url.clone())],
        )?;
        r.subs = Some(intersect(r.subs.take(), ids));
    }
    if !f.event_types.is_empty() {
        let mut ids = Vec::new();
        for name in &f.event_types {
            ids.extend(collect_ids(
                conn,
                "SELECT id FROM event_type WHERE name = ?1",
                vec![Value::Text(name.clone())],
            )?);
        }
        r.types = Some(ids);
    }
    if let (Some(apps), Some(subs)) = (&r.apps, &r.subs) {
        // A subscription belongs to one application, and so do its attempts: subscriptions of
        // other applications cannot match (and would otherwise cost a scan that finds nothing).
        let mut kept = Vec::new();
        for &sub in subs {
            let app: Option<i64> = conn
                .prepare_cached("SELECT application_id FROM subscription WHERE id = ?1")?
                .query_row([sub], |row| row.get(0))
                .optional()?;
            if app.is_some_and(|app| apps.contains(&app)) {
                kept.push(sub);
            }
        }
        r.subs = Some(kept);
    }
    if let Some(e) = &f.event_id {
        match collect_ids(conn, "SELECT id FROM event WHERE uuid = ?1", vec![blob(e)])?.first() {
            Some(&id) => r.event = Some(id),
            None => r.empty = true,
        }
    }
    r.empty |= [&r.apps, &r.subs, &r.types]
        .iter()
        .any(|ids| ids.as_ref().is_some_and(Vec::is_empty));
    Ok(r)
}

/// The ids of deliveries with one of `outcomes` (retrying or gave up only), from the partial
/// index alone.
pub(crate) fn failing_chains(outcomes: &[i64]) -> String {
    format!(
        "SELECT id FROM chain INDEXED BY chain_failing WHERE outcome IN (1, 3) AND outcome IN ({})",
        ids_sql(outcomes)
    )
}

/// Above this many matching events, a label or search condition is checked row by row while
/// the sort index drives the scan; below it, the matches drive (they are few).
const SELECTIVE: i64 = 2_000;

/// Whether fewer than [`SELECTIVE`] rows answer `sql` (a `SELECT 1 … LIMIT` body).
fn selective(conn: &Connection, sql: &str, params: &[Value]) -> Result<bool, QueryError> {
    let n: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM ({sql} LIMIT {SELECTIVE})"))?
        .query_row(rusqlite::params_from_iter(params), |r| r.get(0))?;
    Ok(n < SELECTIVE)
}

/// How a full-text condition joins the attempts, by how many rows match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SearchPlan {
    /// Few matches: they drive the scan (index on the attempt column), then sort.
    Drive,
    /// Many, but a minority: the sort index drives, membership in the match list filters.
    Member,
    /// A large share of all rows: the sort index drives, each row is checked by rowid (FTS5
    /// seeks its doclists), and a page fills after a few rows.
    Exists,
}

/// Picks the plan for `fts_table MATCH ?` against `rows` indexed rows in all.
fn search_plan(
    conn: &Connection,
    fts_table: &str,
    content_table: &str,
    text: &[Value],
) -> Result<SearchPlan, QueryError> {
    let probe = format!("SELECT 1 FROM {fts_table} WHERE {fts_table} MATCH ?");
    if selective(conn, &probe, text)? {
        return Ok(SearchPlan::Drive);
    }
    let rows: i64 = conn
        .prepare_cached(&format!("SELECT coalesce(max(id), 0) FROM {content_table}"))?
        .query_row([], |r| r.get(0))?;
    let dense = (rows / 4).max(SELECTIVE);
    let n: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM ({probe} LIMIT {dense})"))?
        .query_row(rusqlite::params_from_iter(text), |r| r.get(0))?;
    Ok(if n >= dense {
        SearchPlan::Exists
    } else {
        SearchPlan::Member
    })
}

/// `a.event_id` as an index driver when the matches are few, or (with unary `+`, which
/// keeps SQLite from using an index on it) as a membership test when they are many.
fn event_column(few: bool) -> &'static str {
    if few { "a.event_id" } else { "+a.event_id" }
}

/// The conditions of a filter, over `attempt a` and, when [`Conditions::chain`] says so,
/// `chain c`.
///
/// With `per_row`, conditions that would build a set of matching events (a common label, a
/// common search word) test each row instead: a walk that runs many statements would rebuild
/// the set in every one of them.
pub(crate) fn conditions(
    conn: &Connection,
    f: &ValidFilter,
    r: &Resolved,
    per_row: bool,
) -> Result<Conditions, QueryError> {
    let mut c = Conditions::default();
    if r.empty {
        c.clauses.push("0".into());
        return Ok(c);
    }
    if let Some(apps) = &r.apps {
        c.parts.push((
            Part::Application,
            format!("a.application_id IN ({})", ids_sql(apps)),
        ));
    }
    if let Some(subs) = &r.subs {
        c.parts.push((
            Part::Subscription,
            format!("a.subscription_id IN ({})", ids_sql(subs)),
        ));
    }
    if let Some(types) = &r.types {
        c.clauses
            .push(format!("a.event_type_id IN ({})", ids_sql(types)));
    }
    if let Some(event) = r.event {
        c.clauses.push(format!("a.event_id = {event}"));
        c.narrow = true;
    }
    if !f.statuses.is_empty() {
        c.parts.push((
            Part::Status,
            format!("a.status IN ({})", ids_sql(&f.statuses)),
        ));
    }
    if !f.outcomes.is_empty() {
        let failing = [ChainOutcome::Retrying.code(), ChainOutcome::GaveUp.code()];
        if f.outcomes.iter().all(|o| failing.contains(o)) {
            // Failing deliveries are few: their ids come from the partial index alone, and
            // each attempt is tested against that set without reading its chain row.
            c.parts.push((
                Part::FailingChain,
                format!("a.chain_id IN ({})", failing_chains(&f.outcomes)),
            ));
            c.failing = Some(f.outcomes.clone());
        } else {
            c.clauses
                .push(format!("c.outcome IN ({})", ids_sql(&f.outcomes)));
            c.chain = true;
        }
    }
    if f.latest_only {
        c.clauses.push("c.last_attempt_id = a.id".into());
        c.chain = true;
    }
    if let Some(status) = f.http_status {
        let p = c.param(Value::Integer(status));
        c.clauses.push(format!("a.http_status = {p}"));
    }
    // The class of an exact status too: it lets the (…, class, …) indexes serve it. Validated
    // to 1–5, so written as a literal.
    if let Some(class) = f.http_class.or(f.http_status.map(|s| s / 100)) {
        c.parts
            .push((Part::Class, format!("a.http_status / 100 = {class}")));
    }
    if !f.error_kinds.is_empty() {
        let ps: Vec<String> = f
            .error_kinds
            .iter()
            .map(|k| c.param(Value::Text((*k).to_owned())))
            .collect();
        c.clauses
            .push(format!("a.error_kind IN ({})", ps.join(",")));
    }
    for label in &f.labels {
        let kv = [
            Value::Text(label.key.clone()),
            Value::Text(label.value.clone()),
        ];
        let few = selective(
            conn,
            "SELECT 1 FROM event_label WHERE key = ? AND value = ?",
            &kv,
        )?;
        c.narrow |= few;
        c.sets |= !few;
        let [k, v] = kv.map(|x| c.param(x));
        c.clauses.push(if per_row && !few {
            format!(
                "EXISTS (SELECT 1 FROM event_label
                         WHERE key = {k} AND value = {v} AND event_id = a.event_id)"
            )
        } else {
            format!(
                "{} IN (SELECT event_id FROM event_label WHERE key = {k} AND value = {v})",
                event_column(few)
            )
        });
    }
    if let Some(from) = f.created_from {
        let p = c.param(Value::Integer(from));
        c.clauses.push(format!("a.created_at >= {p}"));
    }
    if let Some(until) = f.created_until {
        let p = c.param(Value::Integer(until));
        c.clauses.push(format!("a.created_at < {p}"));
    }
    if let Some(min) = f.min_retry_count {
        let p = c.param(Value::Integer(min));
        c.clauses.push(format!("a.retry_count >= {p}"));
    }
    if let Some(max) = f.max_retry_count {
        let p = c.param(Value::Integer(max));
        c.clauses.push(format!("a.retry_count <= {p}"));
    }
    if let Some(expr) = &f.search {
        let text = [Value::Text(expr.clone())];
        let per_row_plan = |plan| match plan {
            SearchPlan::Member if per_row => SearchPlan::Exists,
            plan => plan,
        };
        let payload_plan = per_row_plan(search_plan(conn, "event_fts", "event", &text)?);
        let response_plan = per_row_plan(search_plan(conn, "response_fts", "response", &text)?);
        c.sets |= payload_plan == SearchPlan::Member || response_plan == SearchPlan::Member;
        let payloads = |c: &mut Conditions| {
            let p = c.param(Value::Text(expr.clone()));
            let matches = format!("SELECT rowid FROM event_fts WHERE event_fts MATCH {p}");
            match payload_plan {
                SearchPlan::Drive => format!("a.event_id IN ({matches})"),
                SearchPlan::Member => format!("+a.event_id IN ({matches})"),
                SearchPlan::Exists => {
                    format!("EXISTS ({matches} AND event_fts.rowid = a.event_id)")
                }
            }
        };
        let responses = |c: &mut Conditions| {
            let p = c.param(Value::Text(expr.clone()));
            let matches = format!(
                "SELECT uuid FROM response WHERE id IN
                     (SELECT rowid FROM response_fts WHERE response_fts MATCH {p})"
            );
            match response_plan {
                SearchPlan::Drive => format!("a.response_uuid IN ({matches})"),
                SearchPlan::Member => format!("+a.response_uuid IN ({matches})"),
                SearchPlan::Exists => format!(
                    "EXISTS (SELECT 1 FROM response r JOIN response_fts
                                 ON response_fts.rowid = r.id
                             WHERE r.uuid = a.response_uuid AND response_fts MATCH {p})"
                ),
            }
        };
        c.narrow |= match f.search_in {
            SearchScope::Payloads => payload_plan == SearchPlan::Drive,
            SearchScope::Responses => response_plan == SearchPlan::Drive,
            SearchScope::All => {
                payload_plan == SearchPlan::Drive && response_plan == SearchPlan::Drive
            }
        };
        let clause = match f.search_in {
            SearchScope::Payloads => payloads(&mut c),
            SearchScope::Responses => responses(&mut c),
            SearchScope::All => {
                let a = payloads(&mut c);
                let b = responses(&mut c);
                format!("({a} OR {b})")
            }
        };
        c.clauses.push(clause);
    }
    Ok(c)
}
