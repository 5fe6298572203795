//! Problems and text errors, word for word as the real server's.

use super::{Schema, check, ids, ingest_body, openapi, validate};
use crate::support::{Reply, Sandbox, sample, str_of};
use anyhow::{Result, bail, ensure};
use serde_json::{Value, json};

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
