//! User sign-in as the real server does it: login, single-use refresh, expiry, logout — the
//! answers compared with the captured samples.

use super::{Schema, check, openapi};
use crate::support::{Reply, Sandbox, quiet, sample, str_of};
use anyhow::{Result, ensure};
use hook0_sandbox::{ScenarioConfig, UserAccount};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

async fn log_in(sb: &Sandbox, email: &str, password: &str) -> Result<Reply> {
    let body = json!({"email": email, "password": password});
    sb.send(Method::POST, &sb.url("auth/login"), None, Some(&body))
        .await
}

async fn refresh(sb: &Sandbox, token: &str) -> Result<Reply> {
    sb.send(Method::POST, &sb.url("auth/refresh"), Some(token), None)
        .await
}

/// The sample's body, exactly (problems carry no per-request data).
fn same_problem(reply: &Reply, name: &str) -> Result<()> {
    let got = reply.json()?;
    ensure!(got == sample(name)?, "{name}: {} {got}", reply.status);
    Ok(())
}

fn tokens(reply: &Reply) -> Result<(String, String)> {
    let body: Value = reply.json()?;
    Ok((
        str_of(&body, "access_token")?.to_owned(),
        str_of(&body, "refresh_token")?.to_owned(),
    ))
}

#[tokio::test]
async fn login_refresh_and_logout_answer_like_the_real_server() -> Result<()> {
    let spec = openapi()?;
    let sb = Sandbox::small().await?;
    let user = sb.running.user().clone();
    let app = sb.app(0)?;
    let application = sb.url(&format!("applications/{app}"));

    let wrong = log_in(&sb, &user.email, "not the password").await?;
    check(&spec, "error_login_failed", &wrong, Schema::One("Problem"))?;
    same_problem(&wrong, "error_login_failed")?;
    let unknown = log_in(&sb, "nobody@example.test", &user.password).await?;
    same_problem(&unknown, "error_login_failed")?;
    let garbled = sb
        .client
        .post(sb.url("auth/login"))
        .header("Content-Type", "application/json")
        .body(r#"{"email":"#)
        .send()
        .await?;
    ensure!(
        garbled.status() == 400,
        "unreadable body is 400 JsonPayload"
    );

    let login = log_in(&sb, &user.email.to_uppercase(), &user.password).await?;
    check(&spec, "auth_login", &login, Schema::Unspecified)?;
    let body = login.json()?;
    ensure!(body["email"] == json!(user.email), "{body}");
    let (access, refresh_token) = tokens(&login)?;
    ensure!(
        access != refresh_token && access != sb.token,
        "distinct tokens"
    );

    let reply = sb
        .send(Method::GET, &application, Some(&access), None)
        .await?;
    ensure!(reply.status == 200, "the access token opens the API");
    let orgs = sb
        .send(Method::GET, &sb.url("organizations"), Some(&access), None)
        .await?;
    ensure!(orgs.status == 200, "and organization endpoints");
    let misused = sb
        .send(Method::GET, &application, Some(&refresh_token), None)
        .await?;
    check(
        &spec,
        "error_refresh_token_used_as_access",
        &misused,
        Schema::One("Problem"),
    )?;
    same_problem(&misused, "error_refresh_token_used_as_access")?;
    let wrong_kind = refresh(&sb, &access).await?;
    check(
        &spec,
        "error_access_token_used_for_refresh",
        &wrong_kind,
        Schema::One("Problem"),
    )?;
    same_problem(&wrong_kind, "error_access_token_used_for_refresh")?;

    let renewed = refresh(&sb, &refresh_token).await?;
    check(&spec, "auth_refresh", &renewed, Schema::Unspecified)?;
    let (new_access, new_refresh) = tokens(&renewed)?;
    ensure!(
        new_access != access && new_refresh != refresh_token,
        "a new pair"
    );
    let reused = refresh(&sb, &refresh_token).await?;
    check(
        &spec,
        "error_auth_refresh_reused",
        &reused,
        Schema::One("Problem"),
    )?;
    same_problem(&reused, "error_auth_refresh_reused")?;
    let old = sb
        .send(Method::GET, &application, Some(&access), None)
        .await?;
    ensure!(
        old.status == 200,
        "the access token from before the refresh lives until its own expiry"
    );

    sb.running.control().expire_access_tokens();
    let expired = sb
        .send(Method::GET, &application, Some(&new_access), None)
        .await?;
    check(
        &spec,
        "error_expired_access_token",
        &expired,
        Schema::One("Problem"),
    )?;
    same_problem(&expired, "error_expired_access_token")?;
    let after_expiry = refresh(&sb, &new_refresh).await?;
    ensure!(
        after_expiry.status == 201,
        "an expired access token is what the refresh token is for"
    );
    let (live_access, live_refresh) = tokens(&after_expiry)?;

    let logout = sb
        .send(
            Method::POST,
            &sb.url("auth/logout"),
            Some(&live_access),
            None,
        )
        .await?;
    check(&spec, "auth_logout", &logout, Schema::Unspecified)?;
    let gone = sb
        .send(Method::GET, &application, Some(&live_access), None)
        .await?;
    same_problem(&gone, "error_access_token_after_logout")?;
    let dead = refresh(&sb, &live_refresh).await?;
    check(
        &spec,
        "error_refresh_after_logout",
        &dead,
        Schema::One("Problem"),
    )?;
    same_problem(&dead, "error_refresh_after_logout")?;
    Ok(())
}

#[tokio::test]
async fn token_lifetimes_follow_the_options_and_the_sandbox_clock() -> Result<()> {
    let user = UserAccount {
        access_token_lifetime: Duration::from_secs(60),
        refresh_token_lifetime: Duration::from_secs(120),
        ..UserAccount::default()
    };
    let sb = Sandbox::start(hook0_sandbox::SandboxOptions {
        user: user.clone(),
        ..quiet(ScenarioConfig::default())
    })
    .await?;
    let login = log_in(&sb, &user.email, &user.password).await?;
    let body = login.json()?;
    let at =
        |key: &str| -> Result<chrono::DateTime<chrono::Utc>> { Ok(str_of(&body, key)?.parse()?) };
    let lifetime = at("refresh_token_expiration")? - at("access_token_expiration")?;
    ensure!(
        lifetime == chrono::Duration::seconds(60),
        "access 60 s, refresh 120 s: {body}"
    );
    let (access, refresh_token) = tokens(&login)?;
    let url = sb.url("organizations");
    sb.running.control().advance(Duration::from_secs(61));
    let expired = sb.send(Method::GET, &url, Some(&access), None).await?;
    ensure!(expired.status == 403, "the access token lived 60 s");
    sb.running.control().advance(Duration::from_secs(60));
    let late = refresh(&sb, &refresh_token).await?;
    same_problem(&late, "error_auth_refresh_reused")?;

    let again = log_in(&sb, &user.email, &user.password).await?;
    let (_, refresh_token) = tokens(&again)?;
    sb.running.control().expire_user_sessions();
    let ended = refresh(&sb, &refresh_token).await?;
    ensure!(ended.status == 403, "every session ended: {}", ended.text());
    Ok(())
}
