//! The delivery list: every filter, sorts, keyset pages under concurrent writes, search.

use std::collections::HashSet;

use console_core::cache::{AttemptStatus, ChainOutcome, ErrorKind};
use console_core::query::{
    DeliveryFilter, DeliveryQuery, Direction, LabelFilter, QueryError, SearchScope, Sort, SortKey,
};
use uuid::Uuid;

use crate::cache_support::*;
use crate::query_support::*;

/// Which known attempts a filter should select.
type Keep = Box<dyn Fn(&Known) -> bool>;

fn ids(h: &History, filter: DeliveryFilter) -> anyhow::Result<HashSet<Uuid>> {
    let mut out = HashSet::new();
    let mut cursor = None;
    loop {
        let page = DeliveryQuery {
            filter: filter.clone(),
            sort: Sort::default(),
            limit: Some(17),
            cursor,
        }
        .run(h.t.cache.conn())?;
        for row in &page.rows {
            assert!(out.insert(row.attempt_id), "duplicate row across pages");
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

fn expected(h: &History, keep: impl Fn(&Known) -> bool) -> HashSet<Uuid> {
    h.known
        .iter()
        .filter(|k| keep(k))
        .map(|k| k.attempt.request_attempt_id)
        .collect()
}

#[test]
fn every_filter_selects_exactly_the_matching_attempts() -> anyhow::Result<()> {
    let h = history()?;
    let failed = |k: &Known| k.attempt.failed_at.is_some();
    let cases: Vec<(&str, DeliveryFilter, Keep)> = vec![
        ("all", DeliveryFilter::default(), Box::new(|_| true)),
        (
            "failed",
            DeliveryFilter {
                statuses: Some(vec![AttemptStatus::Failed]),
                ..Default::default()
            },
            Box::new(failed),
        ),
        (
            "waiting or pending",
            DeliveryFilter {
                statuses: Some(vec![AttemptStatus::Waiting, AttemptStatus::Pending]),
                ..Default::default()
            },
            Box::new(|k| k.attempt.status.since.is_some()),
        ),
        (
            "gave up",
            DeliveryFilter {
                outcomes: Some(vec![ChainOutcome::GaveUp]),
                ..Default::default()
            },
            Box::new(|k| k.outcome == ChainOutcome::GaveUp),
        ),
        (
            "retrying, latest only",
            DeliveryFilter {
                outcomes: Some(vec![ChainOutcome::Retrying]),
                latest_only: Some(true),
                ..Default::default()
            },
            Box::new(|k| k.outcome == ChainOutcome::Retrying && k.latest),
        ),
        (
            "http 503",
            DeliveryFilter {
                http_status: Some(503),
                ..Default::default()
            },
            Box::new(|k| k.attempt.http_response_status == Some(503)),
        ),
        (
            "5xx",
            DeliveryFilter {
                http_class: Some(5),
                ..Default::default()
            },
            Box::new(|k| k.attempt.http_response_status.is_some_and(|s| s / 100 == 5)),
        ),
        (
            "2xx",
            DeliveryFilter {
                http_class: Some(2),
                ..Default::default()
            },
            Box::new(|k| k.attempt.http_response_status.is_some_and(|s| s / 100 == 2)),
        ),
        (
            "timeout",
            DeliveryFilter {
                error_kinds: Some(vec![ErrorKind::Timeout]),
                ..Default::default()
            },
            Box::new(|k| k.kind == Some("timeout")),
        ),
        (
            "subscription 1",
            DeliveryFilter {
                subscription_ids: Some(vec![h.f.subs[1]]),
                ..Default::default()
            },
            Box::new(|k| k.sub == 1),
        ),
        (
            "target url",
            DeliveryFilter {
                target_url: Some("HOOKS2.example".into()),
                ..Default::default()
            },
            Box::new(|k| k.sub == 2),
        ),
        (
            "event type",
            DeliveryFilter {
                event_types: Some(vec!["user.account.created".into()]),
                ..Default::default()
            },
            Box::new(|k| k.event_type == "user.account.created"),
        ),
        (
            "label",
            DeliveryFilter {
                labels: Some(vec![LabelFilter {
                    key: "env".into(),
                    value: "prod".into(),
                }]),
                ..Default::default()
            },
            Box::new(|k| k.env == "prod"),
        ),
        (
            "window",
            DeliveryFilter {
                created_from: Some(event_time(20)),
                created_until: Some(event_time(10)),
                ..Default::default()
            },
            Box::new(|k| {
                k.attempt.created_at >= event_time(20) && k.attempt.created_at < event_time(10)
            }),
        ),
        (
            "retried",
            DeliveryFilter {
                min_retry_count: Some(1),
                ..Default::default()
            },
            Box::new(|k| k.attempt.retry_count >= 1),
        ),
        (
            "first attempts",
            DeliveryFilter {
                max_retry_count: Some(0),
                ..Default::default()
            },
            Box::new(|k| k.attempt.retry_count == 0),
        ),
        (
            "organization and application",
            DeliveryFilter {
                organization_id: Some(h.f.org),
                application_ids: Some(vec![h.f.app]),
                ..Default::default()
            },
            Box::new(|_| true),
        ),
        (
            "another organization",
            DeliveryFilter {
                organization_id: Some(Uuid::new_v4()),
                ..Default::default()
            },
            Box::new(|_| false),
        ),
        (
            "one event",
            DeliveryFilter {
                event_id: Some(h.events[7]),
                ..Default::default()
            },
            Box::new(|k| k.index == 7),
        ),
        (
            "failed 5xx at subscription 2 with label dev",
            DeliveryFilter {
                statuses: Some(vec![AttemptStatus::Failed]),
                http_class: Some(5),
                subscription_ids: Some(vec![h.f.subs[2]]),
                labels: Some(vec![LabelFilter {
                    key: "env".into(),
                    value: "dev".into(),
                }]),
                ..Default::default()
            },
            Box::new(move |k| {
                failed(k)
                    && k.attempt.http_response_status.is_some_and(|s| s >= 500)
                    && k.sub == 2
                    && k.env == "dev"
            }),
        ),
        (
            "search payloads",
            DeliveryFilter {
                search: Some("banana".into()),
                search_in: Some(SearchScope::Payloads),
                ..Default::default()
            },
            Box::new(|k| k.index % 10 == 0),
        ),
        (
            "search responses",
            DeliveryFilter {
                search: Some("kiwi".into()),
                search_in: Some(SearchScope::Responses),
                ..Default::default()
            },
            Box::new(|k| k.attempt.http_response_status == Some(500)),
        ),
        (
            "search both, two words",
            DeliveryFilter {
                search: Some("internal  kiwi!".into()),
                ..Default::default()
            },
            Box::new(|k| k.attempt.http_response_status == Some(500)),
        ),
        (
            "search a JSON value",
            DeliveryFilter {
                search: Some("order_7".into()),
                ..Default::default()
            },
            Box::new(|k| k.index == 7),
        ),
    ];
    for (name, filter, keep) in cases {
        let want = expected(&h, keep);
        let got = ids(&h, filter)?;
        assert_eq!(got.len(), want.len(), "{name}: count");
        assert_eq!(got, want, "{name}: rows");
    }
    Ok(())
}

#[test]
fn rows_carry_the_delivery_context() -> anyhow::Result<()> {
    let h = history()?;
    let page = DeliveryQuery {
        filter: DeliveryFilter {
            event_id: Some(h.events[1]),
            ..Default::default()
        },
        ..Default::default()
    }
    .run(h.t.cache.conn())?;
    assert_eq!(page.rows.len(), 2);
    let (latest, first) = (&page.rows[0], &page.rows[1]);
    assert_eq!(latest.status, AttemptStatus::Successful);
    assert_eq!(first.status, AttemptStatus::Failed);
    assert_eq!(first.http_status, Some(500));
    assert_eq!(first.error_kind, Some(ErrorKind::Http));
    assert!(first.response_cached && first.payload_cached);
    assert_eq!(latest.outcome, ChainOutcome::Delivered);
    assert_eq!(latest.delivery_attempts, 2);
    assert_eq!(
        latest.target_url.as_deref(),
        Some("https://hooks1.example.test/in")
    );
    assert_eq!(latest.event_type, "user.account.created");
    assert_eq!(latest.application_name.as_deref(), Some("Billing"));
    Ok(())
}

#[test]
fn sorts_are_total_and_pages_follow_them() -> anyhow::Result<()> {
    let h = history()?;
    for key in [
        SortKey::CreatedAt,
        SortKey::Latency,
        SortKey::RetryCount,
        SortKey::HttpStatus,
    ] {
        for direction in [Direction::Desc, Direction::Asc] {
            let sort = Sort { key, direction };
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = DeliveryQuery {
                    sort,
                    limit: Some(10),
                    cursor,
                    ..Default::default()
                }
                .run(h.t.cache.conn())?;
                seen.extend(page.rows);
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            assert_eq!(seen.len(), h.known.len(), "{sort:?}: every row once");
            let value = |r: &console_core::query::DeliveryRow| match key {
                SortKey::CreatedAt => r.created_at.timestamp_micros(),
                SortKey::Latency => r.latency_ms.unwrap_or(-1),
                SortKey::RetryCount => i64::from(r.retry_count),
                SortKey::HttpStatus => i64::from(r.http_status.unwrap_or(0)),
            };
            for pair in seen.windows(2) {
                let (a, b) = (value(&pair[0]), value(&pair[1]));
                match direction {
                    Direction::Desc => assert!(a >= b, "{sort:?} out of order"),
                    Direction::Asc => assert!(a <= b, "{sort:?} out of order"),
                }
            }
        }
    }
    Ok(())
}

#[test]
fn pages_stay_stable_while_the_sync_writes() -> anyhow::Result<()> {
    let mut h = history()?;
    let before: Vec<Uuid> = {
        let page = DeliveryQuery {
            limit: Some(1000),
            ..Default::default()
        }
        .run(h.t.cache.conn())?;
        page.rows.iter().map(|r| r.attempt_id).collect()
    };
    let first = DeliveryQuery {
        limit: Some(20),
        ..Default::default()
    }
    .run(h.t.cache.conn())?;
    // The sync writes: newer attempts, an older one, and an update of a row already shown.
    let mut tx = h.t.cache.ingest()?;
    tx.attempts(
        h.f.app,
        &[
            attempt(
                Uuid::new_v4(),
                h.f.subs[0],
                t0() + secs(3600),
                0,
                St::Http(500),
            ),
            attempt(
                Uuid::new_v4(),
                h.f.subs[0],
                event_time(EVENTS + 5),
                0,
                St::Ok(200),
            ),
        ],
    )?;
    let shown = &h
        .known
        .iter()
        .find(|k| k.attempt.request_attempt_id == first.rows[3].attempt_id);
    if let Some(k) = shown
        && k.attempt.status.since.is_some()
    {
        let mut done = k.attempt.clone();
        done.status.type_ = hook0_client::generated::RequestAttemptStatusType::Successful;
        done.succeeded_at = Some(done.created_at + secs(2));
        done.status.at = done.succeeded_at;
        tx.attempts(h.f.app, &[done])?;
    }
    tx.commit()?;
    let mut rest = Vec::new();
    let mut cursor = first.next_cursor.clone();
    while let Some(c) = cursor {
        let page = DeliveryQuery {
            limit: Some(20),
            cursor: Some(c),
            ..Default::default()
        }
        .run(h.t.cache.conn())?;
        rest.extend(page.rows.iter().map(|r| r.attempt_id));
        cursor = page.next_cursor;
    }
    let mut walked: Vec<Uuid> = first.rows.iter().map(|r| r.attempt_id).collect();
    walked.extend(rest);
    // Every row that existed before is seen exactly once, in the same order; the only
    // extra row is the older one inserted behind the cursor.
    let old: Vec<Uuid> = walked
        .iter()
        .copied()
        .filter(|id| before.contains(id))
        .collect();
    assert_eq!(old, before);
    assert_eq!(walked.len(), before.len() + 1);
    Ok(())
}

#[test]
fn bad_input_is_a_typed_error() -> anyhow::Result<()> {
    let h = history()?;
    let conn = h.t.cache.conn();
    let bad = |filter: DeliveryFilter| {
        DeliveryQuery {
            filter,
            ..Default::default()
        }
        .run(conn)
    };
    for filter in [
        DeliveryFilter {
            http_status: Some(42),
            ..Default::default()
        },
        DeliveryFilter {
            http_class: Some(9),
            ..Default::default()
        },
        DeliveryFilter {
            http_status: Some(404),
            http_class: Some(5),
            ..Default::default()
        },
        DeliveryFilter {
            created_from: Some(t0()),
            created_until: Some(t0() - secs(1)),
            ..Default::default()
        },
        DeliveryFilter {
            min_retry_count: Some(3),
            max_retry_count: Some(1),
            ..Default::default()
        },
        DeliveryFilter {
            search: Some("\"*()".into()),
            ..Default::default()
        },
        DeliveryFilter {
            search: Some("x".repeat(1000)),
            ..Default::default()
        },
    ] {
        assert!(
            matches!(bad(filter.clone()), Err(QueryError::InvalidFilter(_))),
            "{filter:?}"
        );
    }
    let limit = DeliveryQuery {
        limit: Some(0),
        ..Default::default()
    }
    .run(conn);
    assert!(matches!(limit, Err(QueryError::InvalidFilter(_))));
    for cursor in ["", "garbage", "MTpjZDp4Onk", "MjpjZDo1OjU"] {
        let r = DeliveryQuery {
            cursor: Some(cursor.into()),
            ..Default::default()
        }
        .run(conn);
        assert!(matches!(r, Err(QueryError::BadCursor)), "{cursor}");
    }
    // A cursor of another sort is refused.
    let page = DeliveryQuery {
        limit: Some(5),
        ..Default::default()
    }
    .run(conn)?;
    let other = DeliveryQuery {
        sort: Sort {
            key: SortKey::Latency,
            direction: Direction::Desc,
        },
        cursor: page.next_cursor,
        ..Default::default()
    }
    .run(conn);
    assert!(matches!(other, Err(QueryError::BadCursor)));
    // FTS syntax in the search text is taken literally, never as an operator.
    let ok = bad(DeliveryFilter {
        search: Some("banana OR NEAR(x".into()),
        ..Default::default()
    })?;
    assert!(ok.rows.is_empty());
    Ok(())
}

#[test]
fn query_types_travel_as_the_ui_writes_them() -> anyhow::Result<()> {
    use ts_rs::TS;
    let json = serde_json::json!({
        "filter": {
            "statuses": ["failed"],
            "outcomes": ["gave_up", "retrying"],
            "http_class": 5,
            "error_kinds": ["timeout", "dns"],
            "labels": [{"key": "env", "value": "prod"}],
            "created_from": "2026-11-01T00:00:00Z",
            "search": "invoice",
            "search_in": "payloads"
        },
        "sort": {"key": "latency", "direction": "asc"},
        "limit": 50
    });
    let q: DeliveryQuery = serde_json::from_value(json)?;
    assert_eq!(
        q.sort,
        Sort {
            key: SortKey::Latency,
            direction: Direction::Asc
        }
    );
    assert_eq!(
        q.filter.error_kinds,
        Some(vec![ErrorKind::Timeout, ErrorKind::Dns])
    );
    q.filter.clone().validate()?;
    let empty: DeliveryQuery = serde_json::from_str("{}")?;
    assert_eq!(empty, DeliveryQuery::default());
    let decl = DeliveryFilter::decl(&ts_rs::Config::new());
    assert!(decl.contains("statuses?: Array<AttemptStatus>"), "{decl}");
    Ok(())
}

#[test]
fn a_delivery_in_full_shows_its_chain_payload_and_response() -> anyhow::Result<()> {
    use console_core::query::{Content, delivery_detail};
    let h = history()?;
    let first = h.known.iter().find(|k| k.index == 1 && !k.latest).unwrap();
    let detail = delivery_detail(h.t.cache.conn(), first.attempt.request_attempt_id)?.unwrap();
    assert_eq!(detail.attempt.attempt_id, first.attempt.request_attempt_id);
    assert_eq!(detail.chain.len(), 2, "both attempts of the delivery");
    assert!(
        detail.chain[0].created_at < detail.chain[1].created_at,
        "oldest first"
    );
    let event = detail.event.unwrap();
    assert_eq!(event.content_type.as_deref(), Some("application/json"));
    assert!(matches!(&event.payload, Some(Content::Text(t)) if t.contains("order_1")));
    assert_eq!(event.labels, vec![("env".to_owned(), "dev".to_owned())]);
    let response = detail.response.unwrap();
    assert_eq!(response.http_code, Some(500));
    assert_eq!(
        response.body,
        Some(Content::Text("internal kiwi error".into()))
    );
    assert_eq!(delivery_detail(h.t.cache.conn(), Uuid::new_v4())?, None);
    Ok(())
}
