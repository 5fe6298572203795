//! Contract tests: sandbox bodies validate against `openapi.json`, and every captured sample's
//! status, headers that matter and JSON shape are reproduced.
//!
//! Differences between the samples and `openapi.json`, where the samples win:
//! - nullable fields are `null` on the wire but the spec has no `nullable`: null-valued
//!   properties are dropped before validating (required ones never are, so a null where the
//!   spec requires a value still fails);
//! - paths are served with and without the trailing slash of the spec's paths;
//! - the replay answers 204 with a JSON content type and no body.

use crate::support::{Reply, Sandbox, sample, sample_index, str_of};
use anyhow::{Context, Result, anyhow, bail, ensure};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Which openapi schema a body must satisfy.
#[derive(Clone, Copy)]
pub enum Schema {
    One(&'static str),
    List(&'static str),
    Unspecified,
}

fn openapi() -> Result<Value> {
    let text = std::fs::read_to_string(crate::support::reference("openapi.json"))?;
    Ok(serde_json::from_str(&text)?)
}

fn strip_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}

/// Validates `body` against a component schema, `$ref`s resolved inside the spec.
pub fn validate(spec: &Value, schema: Schema, body: &Value) -> Result<()> {
    let components = spec.get("components").cloned().unwrap_or_default();
    let document = match schema {
        Schema::Unspecified => return Ok(()),
        Schema::One(name) => {
            json!({"components": components, "$ref": format!("#/components/schemas/{name}")})
        }
        Schema::List(name) => json!({
            "components": components,
            "type": "array",
            "items": {"$ref": format!("#/components/schemas/{name}")},
        }),
    };
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&document)
        .map_err(|e| anyhow!("schema does not compile: {e}"))?;
    let instance = strip_nulls(body);
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    ensure!(errors.is_empty(), "does not match the spec: {errors:?}");
    Ok(())
}

const FREE_FORM: [&str; 4] = ["labels", "metadata", "headers", "validation"];

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The keys of each `status.type`, as the samples show them.
fn status_keys(status_type: &str) -> Option<BTreeSet<&'static str>> {
    let keys: &[&str] = match status_type {
        "waiting" => &["type", "since", "until"],
        "pending" | "in_progress" => &["type", "since"],
        "successful" | "failed" => &["type", "at", "full_processing_ms"],
        _ => return None,
    };
    Some(keys.iter().copied().collect())
}

/// Same keys, same JSON types (a null on either side is accepted where the other has a value,
/// as samples and sandbox differ in which optional fields happen to be set).
pub fn same_shape(expected: &Value, actual: &Value, at: &str) -> Result<()> {
    match (expected, actual) {
        (Value::Null, _) | (_, Value::Null) => Ok(()),
        (Value::Object(e), Value::Object(a)) => {
            if at.ends_with(".status") {
                let t = a.get("type").and_then(Value::as_str).unwrap_or_default();
                let want = status_keys(t).ok_or_else(|| anyhow!("{at}: unknown status {t}"))?;
                let got: BTreeSet<&str> = a.keys().map(String::as_str).collect();
                ensure!(
                    got == want,
                    "{at}: status {t} has keys {got:?}, want {want:?}"
                );
                return Ok(());
            }
            let ek: BTreeSet<&String> = e.keys().collect();
            let ak: BTreeSet<&String> = a.keys().collect();
            ensure!(
                ek == ak,
                "{at}: keys differ: sample {ek:?} vs sandbox {ak:?}"
            );
            for (key, value) in e {
                if FREE_FORM.contains(&key.as_str()) {
                    let other = &a[key];
                    ensure!(
                        value.is_null() || other.is_null() || kind(value) == kind(other),
                        "{at}.{key}: {} vs {}",
                        kind(value),
                        kind(other)
                    );
                    continue;
                }
                same_shape(value, &a[key], &format!("{at}.{key}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if let Some(first) = e.first() {
                for (i, item) in a.iter().enumerate() {
                    same_shape(first, item, &format!("{at}[{i}]"))?;
                }
            }
            Ok(())
        }
        (e, a) => {
            ensure!(
                kind(e) == kind(a),
                "{at}: {} in the sample, {} in the sandbox",
                kind(e),
                kind(a)
            );
            Ok(())
        }
    }
}

/// Compares a sandbox reply with the sample `name`: status, content type, Link presence,
/// retry headers, body emptiness / text / JSON shape, and the schema.
pub fn check(spec: &Value, name: &str, reply: &Reply, schema: Schema) -> Result<()> {
    let index = sample_index(name)?;
    let response = &index["response"];
    let status = response["status"].as_u64().unwrap_or_default();
    ensure!(
        u64::from(reply.status) == status,
        "{name}: status {} instead of {status}: {}",
        reply.status,
        reply.text()
    );
    let headers = &response["headers"];
    let want_type = headers.get("content-type").and_then(Value::as_str);
    ensure!(
        reply.header("content-type").as_deref() == want_type,
        "{name}: content-type {:?} instead of {want_type:?}",
        reply.header("content-type")
    );
    for header in ["link", "retry-after", "x-ratelimit-after"] {
        ensure!(
            reply.header(header).is_some() == headers.get(header).is_some(),
            "{name}: header {header} presence differs ({:?})",
            reply.header(header)
        );
    }
    if reply.header("link").is_some() {
        let link = reply.header("link").unwrap_or_default();
        ensure!(
            link.starts_with('<')
                && link.ends_with(">; rel=\"next\"")
                && link.contains("pagination_cursor="),
            "{name}: Link has the wrong form: {link}"
        );
    }
    if response["body_is_json"] == json!(false) && headers.get("content-type").is_none() {
        ensure!(reply.body.is_empty(), "{name}: body must be empty");
        return Ok(());
    }
    let body = sample(name);
    let Ok(expected) = body else {
        ensure!(reply.body.is_empty(), "{name}: body must be empty");
        return Ok(());
    };
    if let Some(text) = expected.get("_non_json_body").and_then(Value::as_str) {
        ensure!(
            reply.text() == text,
            "{name}: text {:?} instead of {text:?}",
            reply.text()
        );
        return Ok(());
    }
    let actual = reply.json().with_context(|| name.to_owned())?;
    same_shape(&expected, &actual, name)?;
    validate(spec, schema, &actual).with_context(|| format!("{name} vs openapi"))?;
    Ok(())
}

#[test]
fn the_real_samples_satisfy_the_spec_once_nulls_are_dropped() -> Result<()> {
    let spec = openapi()?;
    for (name, schema) in [
        ("organizations_list", Schema::List("Organization")),
        ("organization_get", Schema::One("OrganizationInfo")),
        ("applications_list", Schema::List("Application")),
        ("application_get", Schema::One("ApplicationInfo")),
        ("event_types_list", Schema::List("EventType")),
        ("subscriptions_list", Schema::List("Subscription")),
        ("events_list", Schema::List("Event")),
        ("event_get", Schema::One("EventWithPayload")),
        ("event_ingest", Schema::One("IngestedEvent")),
        ("request_attempts_list", Schema::List("RequestAttempt")),
        ("request_attempt_get", Schema::One("RequestAttempt")),
        ("response_get_timeout", Schema::One("Response")),
        ("instance_get", Schema::One("InstanceConfig")),
        ("error_invalid_token", Schema::One("Problem")),
        ("error_event_empty_labels", Schema::One("Problem")),
    ] {
        validate(&spec, schema, &sample(name)?).with_context(|| format!("sample {name}"))?;
    }
    Ok(())
}

struct Ids {
    org: String,
    app: String,
    subscription: String,
    event_type: String,
}

async fn ids(sb: &Sandbox) -> Result<Ids> {
    let app = sb.app(0)?;
    let types = sb
        .get_json(&format!("event_types?application_id={app}"))
        .await?;
    Ok(Ids {
        org: sb.running.organization_id().to_string(),
        app: app.to_string(),
        subscription: sb.running.control().subscriptions(app)[0].id.to_string(),
        event_type: str_of(&types[0], "event_type_name")?.to_owned(),
    })
}

fn ingest_body(ids: &Ids, payload: &str, content_type: &str) -> Value {
    json!({
        "application_id": ids.app,
        "event_type": ids.event_type,
        "payload": payload,
        "payload_content_type": content_type,
        "occurred_at": "2026-11-29T13:58:00Z",
        "labels": {"env": "production"},
        "metadata": {"source": "contract-test"},
    })
}

/// Finds attempts (over every application) whose response matches each predicate.
async fn find_responses(sb: &Sandbox) -> Result<Vec<(String, String, Value)>> {
    let mut found = Vec::new();
    for (app, _) in sb.running.applications() {
        for page in sb
            .walk(&format!("request_attempts?application_id={app}"))
            .await?
        {
            for attempt in page {
                if attempt["response_id"].is_string() {
                    found.push((
                        app.to_string(),
                        str_of(&attempt, "response_id")?.to_owned(),
                        attempt,
                    ));
                }
            }
        }
    }
    Ok(found)
}

#[tokio::test]
async fn sandbox_reproduces_every_sample_it_serves() -> Result<()> {
    let spec = openapi()?;
    let sb = Sandbox::small().await?;
    let ids = ids(&sb).await?;
    let (org, app, sub) = (&ids.org, &ids.app, &ids.subscription);
    let nil = "00000000-0000-4000-8000-000000000000";

    // Unauthenticated endpoints.
    for (name, path, schema) in [
        ("instance_get", "instance", Schema::One("InstanceConfig")),
        ("health_get", "health", Schema::Unspecified),
        ("errors_list", "errors", Schema::Unspecified),
        (
            "payload_content_types_list",
            "payload_content_types",
            Schema::Unspecified,
        ),
    ] {
        let reply = sb.send(Method::GET, &sb.url(path), None, None).await?;
        check(&spec, name, &reply, schema)?;
    }

    // Reads with the service token.
    for (name, path, schema) in [
        (
            "organizations_list",
            "organizations".to_owned(),
            Schema::List("Organization"),
        ),
        (
            "organization_get",
            format!("organizations/{org}"),
            Schema::One("OrganizationInfo"),
        ),
        (
            "applications_list",
            format!("applications?organization_id={org}"),
            Schema::List("Application"),
        ),
        (
            "application_get",
            format!("applications/{app}"),
            Schema::One("ApplicationInfo"),
        ),
        (
            "event_types_list",
            format!("event_types?application_id={app}"),
            Schema::List("EventType"),
        ),
        (
            "subscriptions_list",
            format!("subscriptions?application_id={app}"),
            Schema::List("Subscription"),
        ),
        (
            "subscription_get",
            format!("subscriptions/{sub}?application_id={app}"),
            Schema::One("Subscription"),
        ),
        (
            "events_list",
            format!("events?application_id={app}"),
            Schema::List("Event"),
        ),
        (
            "request_attempts_list",
            format!("request_attempts?application_id={app}"),
            Schema::List("RequestAttempt"),
        ),
        (
            "error_request_attempt_not_found",
            format!("request_attempts/{nil}?application_id={app}"),
            Schema::One("Problem"),
        ),
        (
            "error_response_not_found",
            format!("responses/{nil}?application_id={app}"),
            Schema::One("Problem"),
        ),
        (
            "error_event_not_found",
            format!("events/{nil}?application_id={app}"),
            Schema::One("Problem"),
        ),
        (
            "error_unknown_application_forbidden",
            format!("request_attempts?application_id={nil}"),
            Schema::One("Problem"),
        ),
        (
            "error_path_not_uuid",
            format!("request_attempts/not-a-uuid?application_id={app}"),
            Schema::Unspecified,
        ),
        (
            "error_query_missing_application_id",
            "request_attempts".to_owned(),
            Schema::Unspecified,
        ),
        (
            "error_query_bad_uuid",
            "request_attempts?application_id=zzz".to_owned(),
            Schema::Unspecified,
        ),
        (
            "error_query_bad_cursor",
            format!("request_attempts?application_id={app}&pagination_cursor=garbage"),
            Schema::Unspecified,
        ),
        (
            "error_unknown_route",
            "does_not_exist".to_owned(),
            Schema::Unspecified,
        ),
    ] {
        let reply = sb.get(&path).await?;
        check(&spec, name, &reply, schema)?;
    }

    let first = sb
        .get_json(&format!("request_attempts?application_id={app}"))
        .await?;
    let attempt_id = str_of(&first[0], "request_attempt_id")?;
    let reply = sb
        .get(&format!(
            "request_attempts/{attempt_id}?application_id={app}"
        ))
        .await?;
    check(
        &spec,
        "request_attempt_get",
        &reply,
        Schema::One("RequestAttempt"),
    )?;

    // Responses: a 2xx, an HTTP error, a transport error.
    let responses = find_responses(&sb).await?;
    for (name, wanted) in [
        ("response_get", "2xx"),
        ("response_get_http_500", "http error"),
        ("response_get_timeout", "transport"),
    ] {
        let (owner, response_id, _) = responses
            .iter()
            .find(|(_, _, a)| {
                let status = a["http_response_status"].as_u64();
                match wanted {
                    "2xx" => status.is_some_and(|s| (200..300).contains(&s)),
                    "http error" => status.is_some_and(|s| s >= 400),
                    _ => status.is_none(),
                }
            })
            .ok_or_else(|| anyhow!("no attempt with a {wanted} response in the scenario"))?;
        let reply = sb
            .get(&format!("responses/{response_id}?application_id={owner}"))
            .await?;
        check(&spec, name, &reply, Schema::One("Response"))?;
        let body = reply.json()?;
        match wanted {
            "transport" => ensure!(
                body["http_code"].is_null()
                    && body["headers"].is_null()
                    && body["response_error_name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("E_")),
                "transport errors have no status and no headers: {body}"
            ),
            "http error" => ensure!(body["response_error_name"] == "E_HTTP", "{body}"),
            _ => ensure!(body["response_error_name"].is_null(), "{body}"),
        }
    }

    // Ingestion and the three payload kinds (always base64 on the way out).
    let mut events = Vec::new();
    for (payload, content_type, sample_name) in [
        (
            r#"{"invoice_id":"inv_1","amount_cents":1000}"#,
            "application/json",
            "event_get",
        ),
        (
            "plain text payload for u_2",
            "text/plain",
            "event_get_text_payload",
        ),
        (
            "AAFiaW5hcnn/",
            "application/octet-stream+base64",
            "event_get_binary_payload",
        ),
    ] {
        let reply = sb
            .post("event", &ingest_body(&ids, payload, content_type))
            .await?;
        check(&spec, "event_ingest", &reply, Schema::One("IngestedEvent"))?;
        let event_id = str_of(&reply.json()?, "event_id")?.to_owned();
        let reply = sb
            .get(&format!("events/{event_id}?application_id={app}"))
            .await?;
        check(&spec, sample_name, &reply, Schema::One("EventWithPayload"))?;
        let encoded = str_of(&reply.json()?, "payload")?.to_owned();
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD.decode(&encoded)?;
        let expected = if content_type.contains("base64") {
            base64::engine::general_purpose::STANDARD.decode(payload)?
        } else {
            payload.as_bytes().to_vec()
        };
        ensure!(decoded == expected, "payload round trip for {content_type}");
        events.push(event_id);
    }

    // Replay: 204, empty body, JSON content type.
    let reply = sb
        .post(
            &format!("events/{}/replay", events[0]),
            &json!({"application_id": app}),
        )
        .await?;
    check(&spec, "event_replay", &reply, Schema::Unspecified)?;
    let reply = sb
        .post(
            &format!("events/{nil}/replay"),
            &json!({"application_id": app}),
        )
        .await?;
    check(
        &spec,
        "error_event_replay_not_found",
        &reply,
        Schema::One("Problem"),
    )?;
    let reply = sb
        .send(
            Method::DELETE,
            &sb.url(&format!("events/{}?application_id={app}", events[0])),
            Some(&sb.token),
            None,
        )
        .await?;
    check(
        &spec,
        "error_method_not_allowed",
        &reply,
        Schema::Unspecified,
    )?;

    // Subscription update (full body), disabling.
    let current = sb
        .get_json(&format!("subscriptions/{sub}?application_id={app}"))
        .await?;
    let body = json!({
        "application_id": app,
        "is_enabled": false,
        "event_types": current["event_types"],
        "description": current["description"],
        "labels": current["labels"],
        "metadata": current["metadata"],
        "target": current["target"],
    });
    let reply = sb.put(&format!("subscriptions/{sub}"), &body).await?;
    check(
        &spec,
        "subscription_update_disable",
        &reply,
        Schema::One("Subscription"),
    )?;
    ensure!(
        reply.json()?["is_enabled"] == json!(false),
        "the update is applied"
    );
    Ok(())
}

#[tokio::test]
async fn problems_read_exactly_like_the_real_ones() -> Result<()> {
    let spec = openapi()?;
    let sb = Sandbox::small().await?;
    let ids = ids(&sb).await?;
    let app = &ids.app;
    let fixed_id = "0199a000-0000-7000-8000-000000000001";

    let mut body = ingest_body(&ids, "{}", "application/json");
    body["event_id"] = json!(fixed_id);
    ensure!(
        sb.post("event", &body).await?.status == 201,
        "first ingest of a fixed id"
    );
    let cases: Vec<(&str, Value, bool)> = vec![
        ("error_event_already_ingested", body.clone(), true),
        (
            "error_event_unknown_event_type",
            {
                let mut b = ingest_body(&ids, "{}", "application/json");
                b["event_type"] = json!("nope.nope.nope");
                b
            },
            true,
        ),
        (
            "error_event_invalid_content_type",
            ingest_body(&ids, "x", "application/xml"),
            true,
        ),
        (
            "error_event_invalid_json_payload",
            ingest_body(&ids, "{not json", "application/json"),
            true,
        ),
        (
            "error_event_empty_labels",
            {
                let mut b = ingest_body(&ids, "{}", "application/json");
                b["labels"] = json!({});
                b
            },
            true,
        ),
        (
            "error_event_missing_labels",
            {
                let mut b = ingest_body(&ids, "{}", "application/json");
                b.as_object_mut().map(|o| o.remove("labels"));
                b
            },
            false,
        ),
    ];
    for (name, body, exact) in cases {
        let reply = sb.post("event", &body).await?;
        check(&spec, name, &reply, Schema::One("Problem"))?;
        let (want, got) = (sample(name)?, reply.json()?);
        for key in ["type", "id", "status", "title", "validation"] {
            ensure!(
                want[key] == got[key],
                "{name}.{key}: {} vs {}",
                want[key],
                got[key]
            );
        }
        if exact {
            ensure!(
                want["detail"] == got["detail"],
                "{name}.detail: {} vs {}",
                want["detail"],
                got["detail"]
            );
        } else {
            let prefix = "JSON deserialization error: missing field `labels`";
            ensure!(
                str_of(&got, "detail")?.starts_with(prefix),
                "{name}: {}",
                got["detail"]
            );
        }
    }

    // Exactly the bytes of the real malformed request.
    let reply = sb
        .client
        .post(sb.url("event"))
        .header("Authorization", format!("Bearer {}", sb.token))
        .header("Content-Type", "application/json")
        .body(r#"{"application_id":"#)
        .send()
        .await?;
    let status = reply.status().as_u16();
    let got: Value = reply.json().await?;
    ensure!(
        status == 400 && got == sample("error_bad_json_body")?,
        "bad JSON body: {got}"
    );

    // Subscriptions: ambiguous labels, a non-http scheme, an unknown event type.
    let target =
        json!({"type": "http", "method": "POST", "url": "https://example.com/hook", "headers": {}});
    for (name, body) in [
        (
            "error_subscription_labels_ambiguity",
            json!({"application_id": app, "is_enabled": true, "event_types": [ids.event_type], "target": target, "labels": {"env": "x"}, "label_key": "env", "label_value": "x"}),
        ),
        (
            "error_subscription_bad_url_scheme",
            json!({"application_id": app, "is_enabled": true, "event_types": [ids.event_type], "labels": {"env": "test"}, "target": {"type": "http", "method": "POST", "url": "ftp://example.com/x", "headers": {}}}),
        ),
        (
            "error_subscription_unknown_event_type",
            json!({"application_id": app, "is_enabled": true, "event_types": ["nope.nope.nope"], "labels": {"env": "test"}, "target": target}),
        ),
    ] {
        let reply = sb.post("subscriptions", &body).await?;
        check(&spec, name, &reply, Schema::One("Problem"))?;
        let (want, got) = (sample(name)?, reply.json()?);
        ensure!(
            want["id"] == got["id"] && want["title"] == got["title"],
            "{name}: {got}"
        );
        if name.ends_with("bad_url_scheme") {
            let detail = str_of(&got, "detail")?;
            ensure!(
                detail.contains(
                    "'ftp' URLs are not allowed; use one of the following schemes: http, https"
                ),
                "{detail}"
            );
        } else {
            ensure!(want["detail"] == got["detail"], "{name}: {got}");
        }
    }
    let created = sb
        .post("subscriptions", &json!({"application_id": app, "is_enabled": true, "event_types": [ids.event_type], "labels": {"env": "production"}, "description": "Late target", "target": target}))
        .await?;
    ensure!(
        created.status == 201,
        "valid subscription is created: {}",
        created.text()
    );
    validate(&spec, Schema::One("Subscription"), &created.json()?)?;
    bail_if_not_problem(&spec, &sb.post("subscriptions", &json!({"oops": 1})).await?)?;
    Ok(())
}

fn bail_if_not_problem(spec: &Value, reply: &Reply) -> Result<()> {
    if reply.status != 400 {
        bail!("a body serde cannot read is 400, got {}", reply.status);
    }
    validate(spec, Schema::One("Problem"), &reply.json()?)
}
