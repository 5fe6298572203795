//! Property tests ("fuzzing") of everything that parses API answers: pages, Link headers,
//! payloads and response bodies. Bad input must give a typed error, never a panic. Small,
//! fast cases; no stored corpus beyond proptest's own regressions file if one ever fails.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use console_core::api::{ApiError, NextLink, PAGE_SIZE, Payload, ResponseBody, parse_page};
use console_core::record::RecordError;
use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue, LINK};
use serde_json::{Value, json};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn attempt(n: u64) -> Value {
    let id = |k: u64| format!("01a22799-{:04x}-7000-8000-{:012x}", k % 0xffff, n * 7 + k);
    json!({
        "request_attempt_id": id(1),
        "event_id": id(2),
        "event": {"event_id": id(2), "event_type_name": "billing.invoice.paid"},
        "subscription": {"subscription_id": id(3), "description": null},
        "created_at": format!("2026-11-29T13:58:{:02}.{:06}Z", n % 60, n % 1_000_000),
        "picked_at": null, "failed_at": null, "succeeded_at": null, "delay_until": null,
        "response_id": null, "retry_count": n % 25, "http_response_status": null,
        "status": {"type": "pending", "since": "2026-11-29T13:58:00Z"}
    })
}

fn link(host: &str, cursor: &str) -> String {
    let mut url = url::Url::parse(&format!("http://{host}/api/v1/request_attempts"))
        .unwrap_or_else(|_| url::Url::parse("http://h/").unwrap());
    url.query_pairs_mut()
        .append_pair("application_id", "592390e9-14bc-4218-b5cd-0a6d23877528")
        .append_pair("pagination_cursor", cursor);
    format!("<{url}>; rel=\"next\"")
}

fn headers(link: Option<&str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(value) = link.and_then(|l| HeaderValue::from_str(l).ok()) {
        headers.insert(LINK, value);
    }
    headers
}

fn is_typed_decode(error: &ApiError) -> bool {
    matches!(error, ApiError::Decode { .. })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bodies_and_links_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512), link in ".{0,200}") {
        if let Err(error) = parse_page("fuzz", &headers(Some(&link)), &body) {
            prop_assert!(is_typed_decode(&error), "{error:?}");
        }
        let _ = NextLink::find([link.as_str()]);
    }

    #[test]
    fn json_of_the_wrong_shape_is_a_decode_error(value in prop_oneof![
        Just(json!({})), Just(json!(null)), Just(json!([1, 2])), Just(json!([{"request_attempt_id": 5}])),
        Just(json!([{"created_at": "yesterday"}])), any::<i64>().prop_map(|n| json!(n)), ".{0,40}".prop_map(|s| json!(s)),
    ]) {
        let body = serde_json::to_vec(&value).unwrap_or_default();
        let error = parse_page("fuzz", &HeaderMap::new(), &body).expect_err("not a page");
        prop_assert!(is_typed_decode(&error), "{error:?}");
    }

    #[test]
    fn valid_pages_parse_and_every_truncation_is_a_decode_error(
        rows in 0usize..=PAGE_SIZE,
        host in "[a-z]{1,12}(\\.[a-z]{2,5})?(:[0-9]{2,5})?",
        cursor in "[A-Za-z0-9_=+/-]{1,160}",
        with_link in any::<bool>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let body = serde_json::to_vec(&Value::Array((0..rows as u64).map(attempt).collect())).unwrap_or_default();
        let link = link(&host, &cursor);
        let parsed = parse_page("fuzz", &headers(with_link.then_some(link.as_str())), &body);
        match (rows, with_link) {
            (0, _) => prop_assert!(matches!(&parsed, Ok(p) if p.next_cursor.is_none())),
            (_, true) => prop_assert_eq!(parsed.map(|p| (p.attempts.len(), p.next_cursor)).ok(), Some((rows, Some(cursor.clone())))),
            (PAGE_SIZE, false) => prop_assert!(matches!(&parsed, Err(e) if is_typed_decode(e)), "a full page needs a Link"),
            (_, false) => prop_assert!(matches!(&parsed, Ok(p) if p.next_cursor.is_none()), "a short page may end the list"),
        }
        let truncated = &body[..cut.index(body.len())];
        let error = parse_page("fuzz", &headers(Some(&link)), truncated).expect_err("truncated");
        prop_assert!(is_typed_decode(&error), "{error:?}");
    }

    #[test]
    fn links_give_back_the_cursor_whatever_the_host_and_neighbours(
        host in "[a-z]{1,12}(:[0-9]{1,5})?",
        cursor in "[ -~]{1,100}",
        before in prop::option::of("<[a-z/?=&]{0,20}>; rel=\"prev\""),
    ) {
        let next = link(&host, &cursor);
        let header = match before {
            Some(prev) => format!("{prev}, {next}"),
            None => next,
        };
        let found = NextLink::find([header.as_str()]);
        prop_assert_eq!(found.map(|l| l.map(|l| l.cursor)), Ok(Some(cursor)));
    }

    #[test]
    fn payloads_round_trip_through_base64(bytes in proptest::collection::vec(any::<u8>(), 0..300), junk in ".{0,40}") {
        let payload = Payload::from_base64("application/octet-stream", &STANDARD.encode(&bytes));
        prop_assert_eq!(payload.map(|p| p.bytes).ok(), Some(bytes.clone()));
        if let Err(error) = Payload::from_base64("text/plain", &junk) {
            prop_assert!(matches!(error, RecordError::NotBase64(_)), "{error:?}");
        }
    }

    #[test]
    fn response_bodies_follow_the_rule(text in ".{0,120}", bytes in proptest::collection::vec(any::<u8>(), 1..200)) {
        // Any text: kept as text, unless it is exactly the base64 of non-UTF-8 bytes.
        match ResponseBody::from_api(text.clone()) {
            ResponseBody::Text(kept) => prop_assert_eq!(kept, text),
            ResponseBody::Bytes(decoded) => {
                prop_assert!(std::str::from_utf8(&decoded).is_err());
                prop_assert_eq!(STANDARD.encode(&decoded), text);
            }
        }
        // What Hook0 sends for a body that is not UTF-8 comes back as those bytes.
        let expected = if std::str::from_utf8(&bytes).is_err() {
            ResponseBody::Bytes(bytes.clone())
        } else {
            ResponseBody::Text(STANDARD.encode(&bytes))
        };
        prop_assert_eq!(ResponseBody::from_api(STANDARD.encode(&bytes)), expected);
    }
}
