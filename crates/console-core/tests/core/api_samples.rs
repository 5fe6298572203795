//! Every model the api module decodes, checked against responses captured from a real Hook0
//! (the sandbox's in-repo copy, plus the shared captures when they sit beside the clone).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, ensure};
use console_core::api::{
    Application, EventRecord, EventType, Organization, OrganizationInfo, RequestAttempt,
    ResponseBody, ResponseRecord, Subscription, SubscriptionRead, parse_page,
};
use hook0_client::generated::{Event, EventWithPayload, Response};
use reqwest::header::{HeaderMap, HeaderValue, LINK};
use serde::de::DeserializeOwned;
use serde_json::Value;

fn in_repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../hook0-sandbox/reference/samples")
}

/// The full capture set, when present (`shared/` beside the work tree).
fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/hook0/samples");
    dir.join("index.json").exists().then_some(dir)
}

fn read(dir: &Path, name: &str) -> Result<Vec<u8>> {
    std::fs::read(dir.join(name)).with_context(|| format!("sample {name}"))
}

fn decode<T: DeserializeOwned>(name: &str) -> Result<T> {
    let bytes = read(&in_repo(), name)?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{name} into {}", std::any::type_name::<T>()))
}

#[test]
fn generated_models_read_the_real_bodies() -> Result<()> {
    let organizations: Vec<Organization> = decode("organizations_list.json")?;
    ensure!(!organizations.is_empty(), "organizations listed");
    let info: OrganizationInfo = decode("organization_get.json")?;
    ensure!(
        info.quotas.days_of_events_retention_limit == 2_147_483_647,
        "retention limit read from quotas"
    );
    let applications: Vec<Application> = decode("applications_list.json")?;
    ensure!(applications.len() == 1, "one application");
    let types: Vec<EventType> = decode("event_types_list.json")?;
    ensure!(
        types
            .iter()
            .any(|t| t.event_type_name == "billing.invoice.paid"),
        "types"
    );
    let subscriptions: Vec<Subscription> = decode("subscriptions_list.json")?;
    ensure!(
        subscriptions.iter().any(|s| !s.is_enabled),
        "a disabled subscription"
    );
    let _: Subscription = decode("subscription_get.json")?;
    let _: Subscription = decode("subscription_update_disable.json")?;
    let events: Vec<Event> = decode("events_list.json")?;
    ensure!(!events.is_empty(), "events listed");
    let attempt: RequestAttempt = decode("request_attempt_get.json")?;
    ensure!(attempt.http_response_status == Some(200), "status read");
    for name in [
        "request_attempts_list.json",
        "request_attempts_list_page3.json",
        "request_attempts_list_by_event_retries_exhausted.json",
        "request_attempts_list_by_subscription_disabled.json",
    ] {
        let rows: Vec<RequestAttempt> = decode(name)?;
        ensure!(!rows.is_empty(), "{name} has rows");
    }
    Ok(())
}

#[test]
fn event_payloads_are_always_base64_and_decode_to_bytes_with_text_when_utf8() -> Result<()> {
    let json = EventRecord::from_api(decode::<EventWithPayload>("event_get.json")?)?;
    ensure!(
        json.payload.content_type == "application/json",
        "content type kept"
    );
    let text = json.payload.text().context("JSON payload is text")?;
    let value: Value = serde_json::from_str(text)?;
    ensure!(value["invoice_id"] == "inv_1", "decoded JSON: {text}");
    ensure!(
        json.labels.get("tenant").map(String::as_str) == Some("t1"),
        "labels"
    );
    ensure!(
        json.metadata.get("seq").map(String::as_str) == Some("1"),
        "metadata"
    );

    let plain = EventRecord::from_api(decode::<EventWithPayload>("event_get_text_payload.json")?)?;
    ensure!(
        plain.payload.text() == Some("plain text payload for u_2"),
        "text payload"
    );

    let binary =
        EventRecord::from_api(decode::<EventWithPayload>("event_get_binary_payload.json")?)?;
    ensure!(
        binary.payload.text().is_none(),
        "binary payload is not text"
    );
    ensure!(
        binary.payload.bytes == [0x00, 0x01, b'b', b'i', b'n', b'a', b'r', b'y', 0xff],
        "binary bytes: {:?}",
        binary.payload.bytes
    );
    Ok(())
}

#[test]
fn response_bodies_are_text_or_bytes_by_the_documented_rule() -> Result<()> {
    let ok = ResponseRecord::from_api(decode::<Response>("response_get.json")?)?;
    ensure!(
        ok.http_code == Some(200) && ok.error_name.is_none(),
        "{ok:?}"
    );
    ensure!(
        matches!(&ok.body, Some(ResponseBody::Text(t)) if t.contains("\"target\": 9200")),
        "JSON body stays text"
    );
    let failed = ResponseRecord::from_api(decode::<Response>("response_get_http_500.json")?)?;
    ensure!(
        failed.http_code == Some(500) && failed.error_name.as_deref() == Some("E_HTTP"),
        "500"
    );
    let timeout = ResponseRecord::from_api(decode::<Response>("response_get_timeout.json")?)?;
    ensure!(
        timeout.http_code.is_none() && timeout.headers.is_none(),
        "transport error"
    );
    ensure!(
        timeout
            .body
            .as_ref()
            .and_then(ResponseBody::as_text)
            .is_some_and(|t| t.starts_with("error sending")),
        "error text"
    );
    Ok(())
}

fn headers_of(index: &Value, key: &str) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    if let Some(link) = index[key]["response"]["headers"]["link"].as_str() {
        headers.insert(LINK, HeaderValue::from_str(link)?);
    }
    Ok(headers)
}

/// Every captured list page parses, with the cursor of its Link and the end page without one.
#[test]
fn captured_pages_parse_with_their_link_cursor() -> Result<()> {
    let mut checked = 0;
    for dir in std::iter::once(in_repo()).chain(shared()) {
        let index: Value = serde_json::from_slice(&read(&dir, "index.json")?)?;
        let Some(entries) = index.as_object() else {
            anyhow::bail!("index.json is an object")
        };
        for (key, entry) in entries {
            let Some(file) = entry["file"].as_str() else {
                continue;
            };
            if entry["request"]["path"] != "/api/v1/request_attempts"
                || entry["response"]["status"] != 200
            {
                continue;
            }
            if !dir.join(file).exists() {
                continue;
            }
            let headers = headers_of(&index, key)?;
            let page = parse_page(key, &headers, &read(&dir, file)?)
                .with_context(|| format!("{key} parses"))?;
            match (&page.next_cursor, page.attempts.is_empty()) {
                (None, true) => {}
                (Some(cursor), false) => {
                    ensure!(
                        cursor.starts_with("eyJkYXRl"),
                        "{key}: cursor is base64 JSON"
                    );
                    ensure!(
                        !cursor.contains('%'),
                        "{key}: cursor is decoded from the URL"
                    );
                }
                other => anyhow::bail!("{key}: unexpected {other:?}"),
            }
            checked += 1;
        }
    }
    ensure!(checked >= 4, "checked {checked} captured pages");
    Ok(())
}

/// The `PUT` that disables a subscription is the captured request, built from the subscription
/// as read: the same fields with the same values, plus its (empty) metadata — which a body
/// without it would erase — and never what the API does not take back (secret, ids, times).
#[test]
fn the_disabling_put_body_is_the_captured_request_from_the_subscription_read() -> Result<()> {
    let index: Value = serde_json::from_slice(&read(&in_repo(), "index.json")?)?;
    let captured = &index["subscription_update_disable"]["request"]["body"];
    let Some(captured) = captured.as_object() else {
        anyhow::bail!("the captured PUT has a body")
    };
    // The answer to the PUT is the subscription as read before it, but for `is_enabled`.
    let url = "subscriptions/5a2a2239-4370-4924-87c3-51941e63b7ef";
    let read_back =
        SubscriptionRead::from_body(url, &read(&in_repo(), "subscription_update_disable.json")?)?;
    let body = read_back.update_body(false);
    let Some(ours) = body.as_object() else {
        anyhow::bail!("the body is an object")
    };
    for (field, value) in captured {
        ensure!(
            ours.get(field) == Some(value),
            "{field}: {:?} vs {value}",
            ours.get(field)
        );
    }
    let extra: Vec<&String> = ours.keys().filter(|k| !captured.contains_key(*k)).collect();
    ensure!(
        extra == ["metadata"],
        "only the metadata is added: {extra:?}"
    );
    ensure!(
        ours["metadata"] == serde_json::json!({}),
        "the metadata as read"
    );

    // A subscription with metadata and target headers keeps both; enabling flips one field.
    let read = SubscriptionRead::from_body(url, &read(&in_repo(), "subscription_get.json")?)?;
    let raw: Value =
        serde_json::from_slice(&std::fs::read(in_repo().join("subscription_get.json"))?)?;
    let body = read.update_body(false);
    ensure!(body["is_enabled"] == false, "disabled");
    for field in [
        "application_id",
        "event_types",
        "description",
        "labels",
        "metadata",
        "target",
    ] {
        ensure!(body[field] == raw[field], "{field} kept as read");
    }
    ensure!(
        body["metadata"]["owner"] == "console" && body["target"]["headers"]["x-custom"] == "hello"
    );
    for absent in [
        "secret",
        "subscription_id",
        "created_at",
        "updated_at",
        "label_key",
        "label_value",
        "dedicated_workers",
    ] {
        ensure!(body.get(absent).is_none(), "{absent} is not sent back");
    }
    ensure!(read.update_body(true)["is_enabled"] == true, "enabled");
    Ok(())
}
