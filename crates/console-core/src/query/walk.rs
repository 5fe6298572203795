//! Runs a [`Source`]: the (sort value, attempt id) of the first rows after the cursor.
//!
//! Only ids and sort values are read here, from the index alone wherever the filters allow;
//! the page's columns are read afterwards for the rows kept.
//!
//! A stretch of the order between two (value, id) positions is read as up to three index
//! ranges — the rest of the first value by id, the values strictly between, the start of the
//! last value by id — because SQLite seeks a row-value bound on its first column only: with a
//! few distinct values (retry counts), `(value, id) > (0, n)` would read every row of value 0.

use std::cmp::Ordering;
use std::collections::HashSet;

use rusqlite::Connection;
use rusqlite::types::Value;

use super::error::QueryError;
use super::page::{Cursor, Direction, Sort};
use super::plan::{Arm, Source};
use super::scope::{Conditions, Part, failing_chains};

/// Rows strictly after `from` and up to `to` (included) in the sort order.
#[derive(Debug, Clone, Copy)]
struct Stretch {
    from: Option<Cursor>,
    to: Option<Cursor>,
}

/// Order of two rows in `sort`: `Less` comes first.
fn order(sort: Sort, a: &Cursor, b: &Cursor) -> Ordering {
    let natural = (a.value, a.id).cmp(&(b.value, b.id));
    match sort.direction {
        Direction::Desc => natural.reverse(),
        Direction::Asc => natural,
    }
}

/// The stretch as index ranges in sort order, each a condition and its values.
fn ranges(sort: Sort, s: Stretch) -> Vec<(String, Vec<Value>)> {
    let key = sort.key.expr();
    // "Later" in the sort order, for values and for ids.
    let (later, earlier, not_later) = match sort.direction {
        Direction::Desc => ("<", ">", ">="),
        Direction::Asc => (">", "<", "<="),
    };
    let int = Value::Integer;
    match (s.from, s.to) {
        (Some(f), Some(t)) if f.value == t.value => vec![(
            format!("{key} = ? AND a.id {later} ? AND a.id {not_later} ?"),
            vec![int(f.value), int(f.id), int(t.id)],
        )],
        (from, to) => {
            let mut out = Vec::with_capacity(3);
            let mut middle = Vec::new();
            let mut values = Vec::new();
            if let Some(f) = from {
                // Past the last id of its value (a bound set on values, not rows), the rest
                // of that value is empty: no query for it.
                let value_end = match sort.direction {
                    Direction::Desc => i64::MIN,
                    Direction::Asc => i64::MAX,
                };
                if f.id != value_end {
                    out.push((
                        format!("{key} = ? AND a.id {later} ?"),
                        vec![int(f.value), int(f.id)],
                    ));
                }
                middle.push(format!("{key} {later} ?"));
                values.push(int(f.value));
            }
            if let Some(t) = to {
                middle.push(format!("{key} {earlier} ?"));
                values.push(int(t.value));
            }
            out.push((
                if middle.is_empty() {
                    "1".to_owned()
                } else {
                    middle.join(" AND ")
                },
                values,
            ));
            if let Some(t) = to {
                out.push((
                    format!("{key} = ? AND a.id {not_later} ?"),
                    vec![int(t.value), int(t.id)],
                ));
            }
            out
        }
    }
}

/// Whether `c` leaves the failing-delivery test to the reader (see [`read`]).
fn tests_chains(c: &Conditions) -> bool {
    c.failing.is_some() && !c.parts.iter().any(|(p, _)| *p == Part::FailingChain)
}

/// The query reading `(id, key)` from `index` (or SQLite's choice) under `c`, and the chain id
/// when the reader tests it. The row limit is its last parameter.
fn select(index: Option<&str>, c: &Conditions, sort: Sort) -> String {
    let chain_id = if tests_chains(c) { ", a.chain_id" } else { "" };
    let key = sort.key.expr();
    let dir = match sort.direction {
        Direction::Desc => "DESC",
        Direction::Asc => "ASC",
    };
    let hint = index.map_or(String::new(), |i| format!("INDEXED BY {i}"));
    let chain = if c.chain {
        "CROSS JOIN chain c ON c.id = a.chain_id"
    } else {
        ""
    };
    format!(
        "SELECT a.id, {key}{chain_id} FROM attempt a {hint} {chain} WHERE {}
         ORDER BY {key} {dir}, a.id {dir} LIMIT ?",
        c.sql()
    )
}

/// What every statement of one walk shares: the index, the order, and the set of failing
/// deliveries when the walk tests it itself.
#[derive(Debug, Clone, Copy)]
struct Reader<'a> {
    conn: &'a Connection,
    index: Option<&'a str>,
    sort: Sort,
    chains: Option<&'a HashSet<i64>>,
}

impl Reader<'_> {
    /// The first `want` rows of [`select`] under `c`; with a chain set, only rows whose chain
    /// is in it (then without a limit in SQL: reading stops at `want`).
    fn read(&self, c: &Conditions, want: usize) -> Result<Vec<Cursor>, QueryError> {
        let mut stmt = self
            .conn
            .prepare_cached(&select(self.index, c, self.sort))?;
        let chains = self.chains.filter(|_| tests_chains(c));
        let limit = match chains {
            Some(_) => -1,
            None => i64::try_from(want).unwrap_or(i64::MAX),
        };
        let limit = Value::Integer(limit);
        let params = c.params.iter().chain([&limit]);
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while out.len() < want {
            let Some(r) = rows.next()? else { break };
            if let Some(set) = chains
                && !set.contains(&r.get::<_, i64>(2)?)
            {
                continue;
            }
            out.push(Cursor {
                id: r.get(0)?,
                value: r.get(1)?,
            });
        }
        Ok(out)
    }

    /// The first `want` rows of `arm` under `base` within `stretch`, range by range.
    fn rows(
        &self,
        arm: Arm,
        base: &Conditions,
        stretch: Stretch,
        want: usize,
    ) -> Result<Vec<Cursor>, QueryError> {
        let mut rows = Vec::new();
        for range in ranges(self.sort, stretch) {
            let c = restricted(arm, base, &range);
            rows.extend(self.read(&c, want - rows.len())?);
            if rows.len() >= want {
                break;
            }
        }
        Ok(rows)
    }
}

/// `base` restricted to `arm` and to one range: the arm's values bind first, the range's last.
fn restricted(arm: Arm, base: &Conditions, range: &(String, Vec<Value>)) -> Conditions {
    let (arm_sql, arm_values) = arm.sql();
    let mut c = base.without(arm.fixes());
    c.clauses.insert(0, arm_sql.to_owned());
    c.clauses.push(range.0.clone());
    let mut params = arm_values;
    params.append(&mut c.params);
    params.extend(range.1.iter().cloned());
    c.params = params;
    c
}

/// Whichever of two exclusive starting positions comes later in `sort`.
fn later(sort: Sort, a: Option<Cursor>, b: Option<Cursor>) -> Option<Cursor> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if order(sort, &x, &y) == Ordering::Less {
            y
        } else {
            x
        }),
        (x, y) => x.or(y),
    }
}

/// The positions bounding sort values `lo..=hi` (either may be open) in `sort`: strictly
/// after the first, up to the second included.
pub(crate) fn value_bounds(
    sort: Sort,
    lo: Option<i64>,
    hi: Option<i64>,
) -> (Option<Cursor>, Option<Cursor>) {
    let at = |value, id| Cursor { value, id };
    match sort.direction {
        Direction::Asc => (
            lo.map(|v| at(v.saturating_sub(1), i64::MAX)),
            hi.map(|v| at(v, i64::MAX)),
        ),
        Direction::Desc => (
            hi.map(|v| at(v.saturating_add(1), i64::MIN)),
            lo.map(|v| at(v, i64::MIN)),
        ),
    }
}

/// The first `want` of `rows` in `sort` order.
fn best(mut rows: Vec<Cursor>, sort: Sort, want: usize) -> Vec<Cursor> {
    rows.sort_by(|a, b| order(sort, a, b));
    rows.truncate(want);
    rows
}

/// The first `want` rows after `cursor` under `base`, in `sort` order.
///
/// `bounds` are where the filter itself confines the sort value (a window when sorting by
/// creation time, a retry range when sorting by retries), as positions: the walk starts and
/// ends there instead of reading its way to them.
pub(crate) fn first_rows(
    conn: &Connection,
    source: &Source,
    base: &Conditions,
    sort: Sort,
    cursor: Option<Cursor>,
    bounds: (Option<Cursor>, Option<Cursor>),
    want: usize,
) -> Result<Vec<Cursor>, QueryError> {
    let rest = Stretch {
        from: later(sort, cursor, bounds.0),
        to: bounds.1,
    };
    match source {
        Source::Collected { index, arms } => {
            let reader = Reader {
                conn,
                index: *index,
                sort,
                chains: None,
            };
            let mut page = Vec::new();
            for &arm in arms {
                page.extend(reader.rows(arm, base, rest, want)?);
            }
            Ok(best(page, sort, want))
        }
        Source::Ordered { index, arms } => {
            // A walk reads many stretches, and SQLite would rebuild an `IN (subquery)` set for
            // each: the set of failing deliveries is read once here and tested as rows come.
            let chains = match &base.failing {
                Some(outcomes) => Some(chain_set(conn, outcomes)?),
                None => None,
            };
            let base = match chains {
                Some(_) => base.without(&[Part::FailingChain]),
                None => base.clone(),
            };
            let reader = Reader {
                conn,
                index: Some(index),
                sort,
                chains: chains.as_ref(),
            };
            merged(reader, arms, &base, rest, want)
        }
    }
}

fn chain_set(conn: &Connection, outcomes: &[i64]) -> Result<HashSet<i64>, QueryError> {
    let mut stmt = conn.prepare_cached(&failing_chains(outcomes))?;
    let set = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<HashSet<i64>, _>>()?;
    Ok(set)
}

/// Arms of `index` merged in key order, band by band.
///
/// Arms are taken in the order of their first row (filters aside, one seek each). A band
/// runs from where the previous one stopped to the first row of the next arm not yet read:
/// only the arms before it can hold rows there, so once the bands read so far hold a page,
/// no row outside them can enter it. An arm with no match in a band costs that band's
/// entries, not the rest of its partition — what keeps a filter that is rare in some
/// partitions (gave-up deliveries among successful attempts) from reading them to the end.
/// Each band takes in twice as many arms as the one before, so arms that interleave (every
/// subscription's recent attempts) cost O(n log n) reads, not O(n²). Within a band, arms that
/// matched go first and arms known to match nothing last; once a page is found, the rest read
/// only rows that would still enter it.
fn merged(
    reader: Reader<'_>,
    arms: &[Arm],
    base: &Conditions,
    rest: Stretch,
    want: usize,
) -> Result<Vec<Cursor>, QueryError> {
    let sort = reader.sort;
    if let [arm] = arms {
        return reader.rows(*arm, base, rest, want);
    }
    let mut heads = Vec::with_capacity(arms.len());
    let unfiltered = Conditions::default();
    for &arm in arms {
        if let Some(&head) = reader.rows(arm, &unfiltered, rest, 1)?.first() {
            heads.push((head, arm));
        }
    }
    heads.sort_by(|a, b| order(sort, &a.0, &b.0));
    // Per arm: where its reading stopped (strictly after), how many rows it matched, and
    // whether it was read at all.
    let mut from = vec![rest.from; heads.len()];
    let mut matched = vec![0_usize; heads.len()];
    let mut read_any = vec![false; heads.len()];
    let mut page: Vec<Cursor> = Vec::with_capacity(want);
    let mut open = 1;
    loop {
        let band_end = heads.get(open).map_or(rest.to, |h| Some(h.0));
        // Arms that matched go first, then arms not read yet, then arms read without a match:
        // the page fills from dense arms, and sparse ones then read only what could enter it.
        let mut active: Vec<usize> = (0..open.min(heads.len())).collect();
        active.sort_by_key(|&i| (std::cmp::Reverse(matched[i]), read_any[i]));
        for i in active {
            let mut to = band_end;
            if page.len() >= want {
                page = best(page, sort, want);
                if let Some(&last) = page.last()
                    && to.is_none_or(|t| order(sort, &last, &t) == Ordering::Less)
                {
                    to = Some(last);
                }
            }
            let band = Stretch { from: from[i], to };
            // `to` is another arm's row (or the page's last), so "up to `to`" ends just
            // before it here.
            let rows = reader.rows(heads[i].1, base, band, want)?;
            matched[i] += rows.len();
            read_any[i] = true;
            from[i] = to;
            page.extend(rows);
        }
        if page.len() >= want || open >= heads.len() {
            break;
        }
        open = (open * 2).min(heads.len());
    }
    Ok(best(page, sort, want))
}
