//! Which index answers a page of deliveries, chosen from the query's shape.
//!
//! A page is cheap when an index delivers rows already in the page order and the filters are
//! tested inside that index: the walk stops after one page. Each sort key has such an index
//! (see the `delivery_order` migration). Two shapes defeat a walk — filters that match very
//! few rows, and filters whose rows all sort far from the start — and for those, collecting
//! the matching rows through a narrow index and sorting them is cheaper:
//! - a rare event, label or search word (the condition drives through its own index);
//! - a small subscription, or a short time window, when the order is not creation time
//!   (counted inside an index, up to a sixteenth of the attempts and at most
//!   [`COLLECT_AT_MOST`], before deciding).
//!
//! Latency, retry count and HTTP status are tied to application, status and HTTP class (timeouts hold the
//! longest latencies, failures the highest retry counts, each target fails its own way): their
//! indexes lead with (application, status, class), the walk reads one arm per partition that
//! the filter allows, and merges the arms by key.

use rusqlite::Connection;
use rusqlite::types::Value;

use super::error::QueryError;
use super::filter::ValidFilter;
use super::page::SortKey;
use super::scope::{Part, Resolved};

/// Above this many entries, a subscription or window is walked in sort order rather than
/// collected and sorted (index-only entries: a few hundred pages). Below it, a sixteenth of
/// the attempts: a walk that tests one row in sixteen still fills a page quickly.
const COLLECT_AT_MOST: i64 = 64_000;
/// The least the limit above falls to, in a small cache.
const COLLECT_AT_LEAST: i64 = 64;

/// What the time index says about the whole cache: its time span and (about) how many rows.
#[derive(Debug, Clone, Copy)]
struct Extent {
    first: i64,
    last: i64,
    rows: i64,
}

impl Extent {
    fn read(conn: &Connection) -> Result<Option<Self>, QueryError> {
        let (first, last, rows): (Option<i64>, Option<i64>, Option<i64>) = conn
            .prepare_cached(&format!(
                "SELECT (SELECT min(created_at) FROM attempt INDEXED BY {BY_TIME}),
                        (SELECT max(created_at) FROM attempt INDEXED BY {BY_TIME}),
                        (SELECT max(id) FROM attempt)"
            ))?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(match (first, last, rows) {
            (Some(first), Some(last), Some(rows)) => Some(Self { first, last, rows }),
            _ => None,
        })
    }

    /// The most entries worth collecting and sorting.
    fn collect_at_most(self) -> i64 {
        (self.rows / 16).clamp(COLLECT_AT_LEAST, COLLECT_AT_MOST)
    }
}

pub(crate) const BY_TIME: &str = "attempt_time";
pub(crate) const BY_SUBSCRIPTION: &str = "attempt_sub_class_time";
pub(crate) const BY_LATENCY: &str = "attempt_latency";
pub(crate) const BY_RETRIES: &str = "attempt_retries";
pub(crate) const BY_HTTP: &str = "attempt_http";

/// One partition of an index: equality values of its leading columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arm {
    /// The whole index (it has no partition columns).
    Whole,
    /// `(application_id, status, http_status / 100)`; `None` is "no HTTP status".
    AppStatusClass(i64, i64, Option<i64>),
    /// `(subscription_id, http_status / 100)`.
    SubscriptionClass(i64, Option<i64>),
}

impl Arm {
    /// The condition selecting this arm, with its values bound in `params` order. A missing
    /// class is written `IS NULL` rather than bound: SQLite plans `IS ?` less reliably.
    pub fn sql(self) -> (&'static str, Vec<Value>) {
        let int = Value::Integer;
        match self {
            Self::Whole => ("1", vec![]),
            Self::AppStatusClass(a, s, None) => (
                "a.application_id = ? AND a.status = ? AND a.http_status / 100 IS NULL",
                vec![int(a), int(s)],
            ),
            Self::AppStatusClass(a, s, Some(c)) => (
                "a.application_id = ? AND a.status = ? AND a.http_status / 100 = ?",
                vec![int(a), int(s), int(c)],
            ),
            Self::SubscriptionClass(s, None) => (
                "a.subscription_id = ? AND a.http_status / 100 IS NULL",
                vec![int(s)],
            ),
            Self::SubscriptionClass(s, Some(c)) => (
                "a.subscription_id = ? AND a.http_status / 100 = ?",
                vec![int(s), int(c)],
            ),
        }
    }

    /// The filter's partition clauses this arm makes redundant.
    pub fn fixes(self) -> &'static [Part] {
        match self {
            Self::Whole => &[],
            Self::AppStatusClass(..) => &[Part::Application, Part::Status, Part::Class],
            Self::SubscriptionClass(..) => &[Part::Application, Part::Subscription, Part::Class],
        }
    }
}

/// How the page's rows are found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// Walk `index` in sort order, one arm per partition, merged by key.
    Ordered { index: &'static str, arms: Vec<Arm> },
    /// Collect every match through `index` (SQLite's choice when `None`), arm by arm, and
    /// sort them.
    Collected {
        index: Option<&'static str>,
        arms: Vec<Arm>,
    },
}

impl Source {
    /// Whether reading it runs many statements (one per arm and band at least).
    pub fn statements_many(&self) -> bool {
        match self {
            Self::Ordered { arms, .. } | Self::Collected { arms, .. } => arms.len() > 1,
        }
    }
}

/// Chooses the source for `key` under filter `f` (resolved as `r`); `narrow` says a
/// condition already drives through a small set of its own.
pub(crate) fn choose(
    conn: &Connection,
    f: &ValidFilter,
    r: &Resolved,
    key: SortKey,
    narrow: bool,
) -> Result<Source, QueryError> {
    if narrow {
        return Ok(Source::Collected {
            index: None,
            arms: vec![Arm::Whole],
        });
    }
    let class = f.http_class.or(f.http_status.map(|s| s / 100));
    let ordered = |index, arms| Source::Ordered { index, arms };
    match key {
        SortKey::CreatedAt => {
            // A class is tied to its targets (each fails its own way): walked by time, a class
            // rare in the chosen application would be read past everything else.
            let subs = match (&r.subs, class) {
                (Some(subs), _) => (subs.len() <= MAX_SUBSCRIPTION_ARMS).then(|| subs.clone()),
                (None, Some(_)) => subscriptions_of(conn, r.apps.as_deref())?,
                (None, None) => None,
            };
            match subs {
                Some(subs) => Ok(ordered(
                    BY_SUBSCRIPTION,
                    subscription_arms(conn, &subs, class)?,
                )),
                None => Ok(ordered(BY_TIME, vec![Arm::Whole])),
            }
        }
        SortKey::Latency | SortKey::RetryCount | SortKey::HttpStatus => {
            let window = (
                f.created_from.unwrap_or(i64::MIN),
                f.created_until.unwrap_or(i64::MAX),
            );
            if let Some(extent) = Extent::read(conn)? {
                let cap = extent.collect_at_most();
                if let Some(subs) = r.subs.as_ref().filter(|s| s.len() <= MAX_SUBSCRIPTION_ARMS) {
                    let arms = subscription_arms(conn, subs, class)?;
                    if few_in_arms(conn, &arms, window, cap)? {
                        return Ok(Source::Collected {
                            index: Some(BY_SUBSCRIPTION),
                            arms,
                        });
                    }
                }
                if (f.created_from.is_some() || f.created_until.is_some())
                    && few_in_window(conn, extent, window, cap)?
                {
                    return Ok(Source::Collected {
                        index: Some(BY_TIME),
                        arms: vec![Arm::Whole],
                    });
                }
            }
            let index = match key {
                SortKey::Latency => BY_LATENCY,
                SortKey::RetryCount => BY_RETRIES,
                SortKey::HttpStatus => BY_HTTP,
                SortKey::CreatedAt => BY_TIME,
            };
            Ok(ordered(
                index,
                app_status_class_arms(conn, index, f, r, class)?,
            ))
        }
    }
}

/// How many entries answer `sql` (a `SELECT 1 …` body), counting no further than `cap`.
fn count(conn: &Connection, sql: &str, params: &[Value], cap: i64) -> Result<i64, QueryError> {
    let n = conn
        .prepare_cached(&format!("SELECT count(*) FROM ({sql} LIMIT ?)"))?
        .query_row(
            rusqlite::params_from_iter(params.iter().chain([&Value::Integer(cap)])),
            |row| row.get(0),
        )?;
    Ok(n)
}

/// Whether the subscription arms hold fewer than `cap` entries in the window.
fn few_in_arms(
    conn: &Connection,
    arms: &[Arm],
    window: (i64, i64),
    cap: i64,
) -> Result<bool, QueryError> {
    let mut left = cap;
    for &arm in arms {
        let (arm_sql, mut params) = arm.sql();
        params.extend([Value::Integer(window.0), Value::Integer(window.1)]);
        left -= count(
            conn,
            &format!(
                "SELECT 1 FROM attempt a INDEXED BY {BY_SUBSCRIPTION}
                 WHERE {arm_sql} AND a.created_at >= ? AND a.created_at < ?"
            ),
            &params,
            left,
        )?;
        if left <= 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether the window holds fewer than `cap` attempts. Counting costs what it counts, so a
/// window that holds far more by a uniform estimate (its share of the cache's time span) is
/// not counted.
fn few_in_window(
    conn: &Connection,
    extent: Extent,
    window: (i64, i64),
    cap: i64,
) -> Result<bool, QueryError> {
    let span = (extent.last - extent.first).max(1) as f64;
    let covered = (window.1.min(extent.last) as f64 - window.0.max(extent.first) as f64).max(0.0);
    if covered / span * extent.rows as f64 > 1.5 * cap as f64 {
        return Ok(false);
    }
    let n = count(
        conn,
        &format!(
            "SELECT 1 FROM attempt INDEXED BY {BY_TIME} WHERE created_at >= ? AND created_at < ?"
        ),
        &[Value::Integer(window.0), Value::Integer(window.1)],
        cap,
    )?;
    Ok(n < cap)
}

/// The next value of an index's partition column after `after` (`None`: from the first
/// non-NULL), found by one seek — a loose index scan, so only partitions that exist are read.
fn next_value(
    conn: &Connection,
    sql: &str,
    prefix: &[Value],
    after: Option<i64>,
) -> Result<Option<i64>, QueryError> {
    let mut params = prefix.to_vec();
    params.push(Value::Integer(after.unwrap_or(i64::MIN)));
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    Ok(match rows.next()? {
        Some(row) => row.get(0)?,
        None => None,
    })
}

/// Every HTTP class present under `prefix` in `index` (NULL first), or just `class`.
fn classes(
    conn: &Connection,
    index: &str,
    prefix_sql: &str,
    prefix: &[Value],
    class: Option<i64>,
) -> Result<Vec<Option<i64>>, QueryError> {
    if let Some(c) = class {
        return Ok(vec![Some(c)]);
    }
    let sql = format!(
        "SELECT http_status / 100 FROM attempt INDEXED BY {index}
         WHERE {prefix_sql} AND http_status / 100 > ? ORDER BY http_status / 100 LIMIT 1"
    );
    let mut out = vec![None];
    out.extend(values(conn, &sql, prefix)?.into_iter().map(Some));
    Ok(out)
}

/// Most subscriptions walked as separate arms; beyond, one walk by time tests them instead.
const MAX_SUBSCRIPTION_ARMS: usize = 64;

/// The subscriptions of `apps` (of every application when `None`), when few enough to walk
/// one arm each.
fn subscriptions_of(
    conn: &Connection,
    apps: Option<&[i64]>,
) -> Result<Option<Vec<i64>>, QueryError> {
    let sql = match apps {
        Some(apps) => format!(
            "SELECT id FROM subscription WHERE application_id IN ({}) LIMIT {}",
            apps.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
            MAX_SUBSCRIPTION_ARMS + 1
        ),
        None => format!(
            "SELECT id FROM subscription LIMIT {}",
            MAX_SUBSCRIPTION_ARMS + 1
        ),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let subs = stmt
        .query_map([], |row| row.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok((subs.len() <= MAX_SUBSCRIPTION_ARMS).then_some(subs))
}

fn subscription_arms(
    conn: &Connection,
    subs: &[i64],
    class: Option<i64>,
) -> Result<Vec<Arm>, QueryError> {
    let mut arms = Vec::new();
    for &sub in subs {
        for c in classes(
            conn,
            BY_SUBSCRIPTION,
            "subscription_id = ?",
            &[Value::Integer(sub)],
            class,
        )? {
            arms.push(Arm::SubscriptionClass(sub, c));
        }
    }
    Ok(arms)
}

/// Applications whose partitions the filter allows: those of its subscriptions, its own, or
/// every one present.
fn arm_applications(conn: &Connection, index: &str, r: &Resolved) -> Result<Vec<i64>, QueryError> {
    if let Some(subs) = &r.subs {
        let mut apps = Vec::new();
        let mut stmt =
            conn.prepare_cached("SELECT application_id FROM subscription WHERE id = ?1")?;
        for &sub in subs {
            let app: i64 = stmt.query_row([sub], |row| row.get(0))?;
            if !apps.contains(&app) {
                apps.push(app);
            }
        }
        return Ok(apps);
    }
    if let Some(apps) = &r.apps {
        return Ok(apps.clone());
    }
    let sql = format!(
        "SELECT application_id FROM attempt INDEXED BY {index} WHERE application_id > ?
         ORDER BY application_id LIMIT 1"
    );
    values(conn, &sql, &[])
}

/// Every value `sql` finds after the previous one, by repeated seeks.
fn values(conn: &Connection, sql: &str, prefix: &[Value]) -> Result<Vec<i64>, QueryError> {
    let mut found = Vec::new();
    let mut after = None;
    while let Some(v) = next_value(conn, sql, prefix, after)? {
        found.push(v);
        after = Some(v);
    }
    Ok(found)
}

fn app_status_class_arms(
    conn: &Connection,
    index: &str,
    f: &ValidFilter,
    r: &Resolved,
    class: Option<i64>,
) -> Result<Vec<Arm>, QueryError> {
    let status_sql = format!(
        "SELECT status FROM attempt INDEXED BY {index}
         WHERE application_id = ? AND status > ? ORDER BY status LIMIT 1"
    );
    let mut arms = Vec::new();
    for app in arm_applications(conn, index, r)? {
        let statuses = if f.statuses.is_empty() {
            values(conn, &status_sql, &[Value::Integer(app)])?
        } else {
            f.statuses.clone()
        };
        for s in statuses {
            let prefix = [Value::Integer(app), Value::Integer(s)];
            for c in classes(
                conn,
                index,
                "application_id = ? AND status = ?",
                &prefix,
                class,
            )? {
                arms.push(Arm::AppStatusClass(app, s, c));
            }
        }
    }
    Ok(arms)
}
