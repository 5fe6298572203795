//! Edge routing: trailing slashes, text errors, empty 404/405.

use crate::support::Sandbox;
use anyhow::{Result, ensure};
use reqwest::Method;

#[tokio::test]
async fn collections_answer_with_and_without_trailing_slash() -> Result<()> {
    let sb = Sandbox::small().await?;
    let app = sb.app(0)?;
    for path in [
        "organizations",
        "organizations/",
        &format!(
            "applications?organization_id={}",
            sb.running.organization_id()
        ),
        &format!(
            "applications/?organization_id={}",
            sb.running.organization_id()
        ),
        &format!("request_attempts?application_id={app}"),
        &format!("request_attempts/?application_id={app}"),
        &format!("events/?application_id={app}"),
        "instance/",
        "health",
    ] {
        let reply = sb.get(path).await?;
        ensure!(reply.status == 200, "GET {path}: {}", reply.status);
    }
    Ok(())
}

#[tokio::test]
async fn unknown_routes_and_methods_have_empty_bodies() -> Result<()> {
    let sb = Sandbox::small().await?;
    let app = sb.app(0)?;
    let unknown = sb.get("nope/nope").await?;
    ensure!(
        unknown.status == 404 && unknown.body.is_empty(),
        "unknown route: empty 404"
    );
    let outside = sb
        .send(
            Method::GET,
            &format!("http://{}/", sb.running.local_addr()),
            None,
            None,
        )
        .await?;
    ensure!(
        outside.status == 404 && outside.body.is_empty(),
        "outside /api/v1: empty 404"
    );
    let wrong = sb
        .send(
            Method::POST,
            &sb.url(&format!("request_attempts?application_id={app}")),
            Some(&sb.token),
            None,
        )
        .await?;
    ensure!(
        wrong.status == 405 && wrong.body.is_empty(),
        "wrong method: empty 405"
    );
    let bad_date = sb
        .get(&format!(
            "request_attempts?application_id={app}&min_created_at=yesterday"
        ))
        .await?;
    ensure!(
        bad_date.status == 400 && bad_date.text().starts_with("Query deserialize error: "),
        "bad date: 400 text, got {} {}",
        bad_date.status,
        bad_date.text()
    );
    let twice = sb
        .get(&format!(
            "request_attempts?application_id={app}&application_id={app}"
        ))
        .await?;
    ensure!(
        twice.text() == "Query deserialize error: duplicate field `application_id`",
        "{}",
        twice.text()
    );
    Ok(())
}
