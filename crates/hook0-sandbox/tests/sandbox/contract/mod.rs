//! Contract tests: sandbox bodies validate against `openapi.json`, and every captured sample's
//! status, headers that matter and JSON shape are reproduced.
//!
//! Differences between the samples and `openapi.json`, where the samples win:
//! - nullable fields are `null` on the wire but the spec has no `nullable`: null-valued
//!   properties are dropped before validating (required ones never are, so a null where the
//!   spec requires a value still fails);
//! - paths are served with and without the trailing slash of the spec's paths;
//! - the replay answers 204 with a JSON content type and no body.

mod problems;
mod served;
mod sessions;

use crate::support::{Reply, Sandbox, sample, sample_index, str_of};
use anyhow::{Context, Result, anyhow, ensure};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Which openapi schema a body must satisfy.
#[derive(Clone, Copy)]
pub enum Schema {
    One(&'static str),
    List(&'static str),
    Unspecified,
}

pub fn openapi() -> Result<Value> {
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

pub struct Ids {
    pub org: String,
    pub app: String,
    pub subscription: String,
    pub event_type: String,
}

pub async fn ids(sb: &Sandbox) -> Result<Ids> {
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

pub fn ingest_body(ids: &Ids, payload: &str, content_type: &str) -> Value {
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
