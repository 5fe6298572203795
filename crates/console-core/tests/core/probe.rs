//! "Test connection" against servers that fail in each way an operator meets.

use console_core::ErrorCode;
use console_core::api::{ApiBaseUrl, ApiClient, ApiError, ClientSettings, probe_connection};
use secrecy::SecretString;

use crate::support::{canned_http, closed_port};

fn client(url: &str, token: Option<&str>) -> anyhow::Result<ApiClient> {
    let token = token.map(|t| SecretString::from(t.to_owned()));
    Ok(ApiClient::new(
        ApiBaseUrl::parse(url)?,
        token.as_ref(),
        ClientSettings::default(),
    )?)
}

#[tokio::test]
async fn nothing_listening_is_unreachable() -> anyhow::Result<()> {
    let port = closed_port()?;
    let error = probe_connection(&client(
        &format!("http://127.0.0.1:{port}/api/v1/"),
        Some("t"),
    )?)
    .await
    .expect_err("nothing listens there");
    assert!(matches!(error, ApiError::Unreachable { .. }), "{error:?}");
    assert_eq!(error.code(), ErrorCode::Unreachable);
    Ok(())
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_failure() -> anyhow::Result<()> {
    let addr = canned_http("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n[]").await?;
    let error = probe_connection(&client(&format!("https://{addr}/api/v1/"), Some("t"))?)
        .await
        .expect_err("the handshake cannot succeed");
    assert_eq!(error.code(), ErrorCode::Tls, "{error:?}");
    Ok(())
}

#[tokio::test]
async fn an_empty_404_means_the_url_is_not_a_hook0_api() -> anyhow::Result<()> {
    let addr = canned_http("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").await?;
    let error = probe_connection(&client(&format!("http://{addr}/"), Some("t"))?)
        .await
        .expect_err("no Hook0 API there");
    assert_eq!(error.code(), ErrorCode::NotHook0, "{error:?}");
    assert!(
        error.to_string().contains("/api/v1/"),
        "the hint names the expected path"
    );
    Ok(())
}

#[tokio::test]
async fn a_web_page_is_not_a_hook0_api() -> anyhow::Result<()> {
    let page =
        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 15\r\n\r\n<html>hi</html>";
    let addr = canned_http(page).await?;
    let error = probe_connection(&client(&format!("http://{addr}/"), Some("t"))?)
        .await
        .expect_err("HTML is not a list of organizations");
    assert_eq!(error.code(), ErrorCode::NotHook0, "{error:?}");
    Ok(())
}

#[tokio::test]
async fn a_401_problem_is_unauthorized() -> anyhow::Result<()> {
    let body = r#"{"type":"x","status":401,"title":"No `Authorization` header","detail":"d","id":"AuthNoAuthorizationHeader","validation":null}"#;
    let response: &'static str = Box::leak(
        format!(
            "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_boxed_str(),
    );
    let addr = canned_http(response).await?;
    let error = probe_connection(&client(&format!("http://{addr}/api/v1/"), None)?)
        .await
        .expect_err("401");
    assert_eq!(error.code(), ErrorCode::Unauthorized, "{error:?}");
    Ok(())
}

#[tokio::test]
async fn an_oversized_body_is_refused_not_buffered() -> anyhow::Result<()> {
    let addr = canned_http("HTTP/1.1 200 OK\r\ncontent-length: 999999999\r\n\r\n[").await?;
    let settings = ClientSettings {
        max_body_bytes: 1024,
        ..ClientSettings::default()
    };
    let client = ApiClient::new(
        ApiBaseUrl::parse(&format!("http://{addr}/"))?,
        None,
        settings,
    )?;
    let error = client
        .get("organizations", &[])
        .await
        .expect_err("too large");
    assert!(matches!(error, ApiError::TooLarge { .. }), "{error:?}");
    Ok(())
}
