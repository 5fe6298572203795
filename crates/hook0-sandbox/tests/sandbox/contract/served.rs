//! Every sample the sandbox serves, compared with the real capture and the spec.

use super::{Schema, check, ids, ingest_body, openapi};
use crate::support::{Sandbox, str_of};
use anyhow::{Result, anyhow, ensure};
use reqwest::Method;
use serde_json::{Value, json};

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
