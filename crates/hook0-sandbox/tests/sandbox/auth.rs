//! Bearer rules: 401 without a header, 403 for anything unknown, application secrets scoped.

use crate::support::{Sandbox, sample};
use anyhow::{Result, ensure};
use reqwest::Method;

#[tokio::test]
async fn bearer_rules_match_the_real_server() -> Result<()> {
    let sb = Sandbox::small().await?;
    let (app, other) = (sb.app(0)?, sb.app(1)?);
    let url = sb.url(&format!("applications/{app}"));

    let none = sb.send(Method::GET, &url, None, None).await?;
    ensure!(none.status == 401, "no header is 401, got {}", none.status);
    ensure!(
        none.json()? == sample("error_no_authorization_header")?,
        "401 body as captured"
    );

    let garbage = sb.send(Method::GET, &url, Some("garbage"), None).await?;
    ensure!(garbage.status == 403, "garbage token is 403 (not 401)");
    ensure!(
        garbage.json()? == sample("error_invalid_token")?,
        "403 body as captured"
    );

    let lowercase = sb
        .client
        .get(&url)
        .header("Authorization", format!("bearer {}", sb.token))
        .send()
        .await?;
    ensure!(
        lowercase.status() == 403,
        "the Bearer prefix is case-sensitive"
    );

    let ok = sb.send(Method::GET, &url, Some(&sb.token), None).await?;
    ensure!(ok.status == 200, "the service token opens everything");

    let secret = sb.running.application_secret(app).unwrap_or_default();
    ensure!(
        uuid::Uuid::parse_str(&secret).is_ok(),
        "an application secret is a UUID"
    );
    let own = sb
        .send(
            Method::GET,
            &sb.url(&format!("event_types?application_id={app}")),
            Some(&secret),
            None,
        )
        .await?;
    ensure!(
        own.status == 200,
        "a secret works on its own application: {}",
        own.status
    );
    let foreign = sb
        .send(
            Method::GET,
            &sb.url(&format!("event_types?application_id={other}")),
            Some(&secret),
            None,
        )
        .await?;
    ensure!(
        foreign.status == 403,
        "a secret is refused on another application"
    );
    let org = sb
        .send(Method::GET, &sb.url("organizations"), Some(&secret), None)
        .await?;
    ensure!(
        org.status == 403,
        "a secret is refused on organization endpoints"
    );
    ensure!(
        org.json()? == sample("error_application_secret_other_endpoint")?,
        "Forbidden body as captured"
    );
    Ok(())
}

#[tokio::test]
async fn names_are_human_and_the_organization_says_sandbox() -> Result<()> {
    let sb = Sandbox::small().await?;
    ensure!(
        sb.running.organization_name().contains("Sandbox"),
        "organization name"
    );
    let names: Vec<String> = sb.running.applications().into_iter().map(|a| a.1).collect();
    ensure!(
        names == ["Billing API", "Checkout Webhooks", "User Accounts"],
        "{names:?}"
    );
    let base = sb.running.api_base_url();
    ensure!(
        base.as_str().ends_with("/api/v1/") && base.host_str() == Some("127.0.0.1"),
        "{base}"
    );
    let refused = hook0_sandbox::start(
        "0.0.0.0:0".parse()?,
        hook0_sandbox::SandboxOptions::default(),
    )
    .await;
    ensure!(
        matches!(refused, Err(hook0_sandbox::SandboxError::NotLoopback(_))),
        "only loopback binds"
    );
    Ok(())
}
