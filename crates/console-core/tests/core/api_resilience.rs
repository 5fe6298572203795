//! Pacing, retries, refresh, and damaged answers: against the sandbox where it can play the
//! part, and against small axum servers for what it does not serve (quota 429s, auth refresh).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use console_core::api::{
    ApiBaseUrl, ApiClient, ApiError, AttemptFilter, ClientSettings, Credentials, RetryPolicy,
    UserTokens,
};
use hook0_sandbox::{Faults, SandboxOptions, ScenarioConfig};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::api_support::{client_with, fast_client, fast_settings, quiet_sandbox, start};

fn small() -> ScenarioConfig {
    ScenarioConfig {
        events: 120,
        ..ScenarioConfig::default()
    }
}

#[tokio::test]
async fn the_default_pace_never_meets_hook0s_rate_limit() -> Result<()> {
    let sandbox = start(SandboxOptions {
        scenario: small(),
        rate_limit: true,
        worker_paused: true,
        ..SandboxOptions::default()
    })
    .await?;
    let (app, _) = sandbox.applications()[0].clone();
    // Default pacing, and no retry at all: any 429 would surface as an error.
    let paced = client_with(
        &sandbox,
        ClientSettings {
            retry: RetryPolicy::NEVER,
            ..ClientSettings::default()
        },
    )?;
    let requests = 32;
    let started = Instant::now();
    let calls = (0..requests).map(|_| {
        let client = paced.clone();
        tokio::spawn(async move { client.event_types(app).await })
    });
    for call in futures_util::future::join_all(calls).await {
        call?.context("no 429 at the default pace")?;
    }
    let secs = started.elapsed().as_secs_f64();
    ensure!(paced.stats().rate_limited == 0, "no 429 seen");
    let rate = f64::from(requests - 5) / secs;
    println!(
        "{requests} concurrent requests at the default pace: {secs:.2} s, {rate:.1} req/s after the burst"
    );
    ensure!(rate < 10.0, "under Hook0's 10/s: {rate:.1}");

    // The same burst unpaced, on another token, does meet the limit: the test can fail.
    let secret = sandbox.application_secret(app).context("secret")?;
    let unpaced = ApiClient::new(
        ApiBaseUrl::parse(sandbox.api_base_url().as_str())?,
        Some(&SecretString::from(secret)),
        ClientSettings {
            retry: RetryPolicy::NEVER,
            ..fast_settings()
        },
    )?;
    let calls = (0..requests).map(|_| {
        let client = unpaced.clone();
        tokio::spawn(async move { client.event_types(app).await })
    });
    let refused = futures_util::future::join_all(calls)
        .await
        .into_iter()
        .filter(|r| matches!(r, Ok(Err(ApiError::RateLimited { .. }))))
        .count();
    ensure!(refused > 0, "unpaced, the sandbox refuses some");
    Ok(())
}

#[tokio::test]
async fn retries_ride_out_a_429_storm_and_random_503s() -> Result<()> {
    let sandbox = quiet_sandbox(small()).await?;
    let (app, _) = sandbox.applications()[0].clone();
    let client = fast_client(&sandbox)?;
    sandbox.control().start_storm(Duration::from_millis(250));
    let types = client.event_types(app).await.context("after the storm")?;
    ensure!(!types.is_empty(), "answer after the storm");
    let stats = client.stats();
    ensure!(
        stats.rate_limited > 0 && stats.retries > 0,
        "it did meet the storm: {stats:?}"
    );

    sandbox.control().set_faults(Faults {
        error_rate: 0.5,
        ..Faults::default()
    });
    let before = client.stats();
    for (app, _) in sandbox.applications() {
        let mut walk = client.complete_request_attempts(AttemptFilter::application(app));
        let mut rows = 0;
        while let Some(page) = walk.next_page().await {
            rows += page.context("503s are retried")?.attempts.len();
        }
        ensure!(
            rows == sandbox.control().attempt_keys(app).len(),
            "complete walk through 503s"
        );
    }
    let after = client.stats();
    ensure!(
        after.retries > before.retries,
        "503s were retried: {after:?}"
    );
    Ok(())
}

#[tokio::test]
async fn damaged_pages_are_typed_errors_and_the_walk_can_go_on() -> Result<()> {
    let sandbox = quiet_sandbox(small()).await?;
    let (app, _) = sandbox.applications()[0].clone();
    let control = sandbox.control();
    let client = client_with(
        &sandbox,
        ClientSettings {
            max_body_bytes: 64 * 1024,
            ..fast_settings()
        },
    )?;
    let mut pager = client.request_attempts(AttemptFilter::application(app));
    let first = pager.next_page().await.context("first page")??;
    let cursor = pager.cursor().map(str::to_owned);

    for (faults, expect) in [
        (
            Faults {
                truncated_json_rate: 1.0,
                ..Faults::default()
            },
            "decode",
        ),
        (
            Faults {
                malformed_json_rate: 1.0,
                ..Faults::default()
            },
            "decode",
        ),
        (
            Faults {
                large_body_rate: 1.0,
                large_body_bytes: 256 * 1024,
                ..Faults::default()
            },
            "too large",
        ),
    ] {
        control.set_faults(faults);
        let error = pager
            .next_page()
            .await
            .context("an answer")?
            .expect_err("damaged");
        let ok = match expect {
            "decode" => matches!(error, ApiError::Decode { .. }),
            _ => matches!(error, ApiError::TooLarge { .. }),
        };
        ensure!(ok, "{expect}: {error:?}");
        ensure!(
            pager.cursor().map(str::to_owned) == cursor,
            "position kept after {expect}"
        );
        let single = client.event(app, first.attempts[0].event_id).await;
        ensure!(single.is_err(), "single GETs are refused too: {single:?}");
    }
    control.set_faults(Faults::default());
    let second = pager.next_page().await.context("second page")??;
    ensure!(
        !second.attempts.is_empty(),
        "the walk goes on once the API heals"
    );
    Ok(())
}

#[tokio::test]
async fn endpoints_read_the_sandbox() -> Result<()> {
    let sandbox = quiet_sandbox(small()).await?;
    let client = fast_client(&sandbox)?;
    let organization = sandbox.organization_id();
    let info = client.organization_info(organization).await?;
    ensure!(
        info.quotas.days_of_events_retention_limit > 0,
        "retention limit"
    );
    let applications = client.applications(organization).await?;
    ensure!(
        applications.len() == sandbox.applications().len(),
        "applications"
    );
    let app = applications[0].application_id;
    ensure!(
        !client.subscriptions(app).await?.is_empty(),
        "subscriptions"
    );
    let events = client.events(app).await?;
    ensure!(!events.is_empty() && events.len() <= 100, "latest events");
    let event = client.event(app, events[0].event_id).await?;
    ensure!(event.event_id == events[0].event_id, "event by id");
    let page = client
        .request_attempts_page(&AttemptFilter::application(app), None)
        .await?;
    let attempt = client
        .request_attempt(app, page.attempts[0].request_attempt_id)
        .await?;
    ensure!(
        attempt.request_attempt_id == page.attempts[0].request_attempt_id,
        "attempt by id"
    );

    // Every response of the history decodes; some bodies are binary.
    let mut walk = client.complete_request_attempts(AttemptFilter::application(app));
    let (mut responses, mut binary) = (0, 0);
    while let Some(page) = walk.next_page().await {
        for attempt in page?.attempts {
            if let Some(id) = attempt.response_id {
                let response = client.response(app, id).await?;
                responses += 1;
                binary += usize::from(matches!(
                    response.body,
                    Some(console_core::api::ResponseBody::Bytes(_))
                ));
            }
        }
    }
    ensure!(responses > 50, "responses read: {responses}");
    println!("{responses} responses, {binary} binary bodies");

    let missing = client
        .event(app, Uuid::nil())
        .await
        .expect_err("unknown event");
    ensure!(missing.problem_id() == Some("NotFound"), "{missing:?}");
    let foreign = client
        .request_attempts_page(&AttemptFilter::application(Uuid::nil()), None)
        .await
        .expect_err("unknown application");
    ensure!(foreign.problem_id() == Some("Forbidden"), "{foreign:?}");
    Ok(())
}

#[tokio::test]
async fn replay_works_and_is_never_retried_after_an_ambiguous_failure() -> Result<()> {
    let sandbox = quiet_sandbox(small()).await?;
    let (app, _) = sandbox.applications()[0].clone();
    let client = fast_client(&sandbox)?;
    let event = sandbox.control().event_ids(app)[0];
    let count = |client: ApiClient| async move {
        let filter = AttemptFilter {
            event_id: Some(event),
            ..AttemptFilter::application(app)
        };
        let mut walk = client.complete_request_attempts(filter);
        let mut n = 0;
        while let Some(page) = walk.next_page().await {
            n += page?.attempts.len();
        }
        anyhow::Ok(n)
    };
    let before = count(client.clone()).await?;
    client
        .replay(app, event)
        .await
        .context("replay answers 204")?;
    let after = count(client.clone()).await?;
    ensure!(
        after > before,
        "replay created attempts: {before} → {after}"
    );

    // A 503 might have come after the replay happened: one try, the error goes back.
    sandbox.control().set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let sent = client.stats().sent;
    let error = client.replay(app, event).await.expect_err("503");
    ensure!(
        matches!(error, ApiError::Unavailable { status: 503, .. }),
        "{error:?}"
    );
    ensure!(client.stats().sent == sent + 1, "sent once, not retried");

    // A 429 is refused before any handler runs: waiting and sending again is safe.
    sandbox.control().set_faults(Faults::default());
    sandbox.control().start_storm(Duration::from_millis(150));
    client
        .replay(app, event)
        .await
        .context("replay after the storm")?;
    ensure!(client.stats().rate_limited > 0, "met the storm");
    Ok(())
}

/// A tiny server answering every request with one canned problem, counting requests.
async fn problem_server(
    status: StatusCode,
    id: &'static str,
) -> Result<(SocketAddr, Arc<AtomicUsize>)> {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut response = problem(status, id);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("0"));
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((addr, hits))
}

#[tokio::test]
async fn a_quota_429_is_final_but_a_pacing_429_is_retried() -> Result<()> {
    let (addr, hits) = problem_server(StatusCode::TOO_MANY_REQUESTS, "TooManyEventsToday").await?;
    let base = ApiBaseUrl::parse(&format!("http://{addr}/api/v1/"))?;
    let client = ApiClient::new(base, None, fast_settings())?;
    let error = client.organizations().await.expect_err("quota");
    ensure!(
        error.problem_id() == Some("TooManyEventsToday"),
        "{error:?}"
    );
    ensure!(hits.load(Ordering::SeqCst) == 1, "not retried");

    let (addr, hits) = problem_server(StatusCode::TOO_MANY_REQUESTS, "RateLimited").await?;
    let base = ApiBaseUrl::parse(&format!("http://{addr}/api/v1/"))?;
    let client = ApiClient::new(base, None, fast_settings())?;
    let started = Instant::now();
    let error = client.organizations().await.expect_err("always limited");
    ensure!(error.problem_id() == Some("RateLimited"), "{error:?}");
    let tries = hits.load(Ordering::SeqCst);
    ensure!(
        tries == 1 + crate::api_support::quick_retry().max_retries,
        "bounded tries: {tries}"
    );
    ensure!(
        started.elapsed() >= crate::api_support::quick_retry().retry_after_floor * 8,
        "Retry-After: 0 still waits the floor: {:?}",
        started.elapsed()
    );
    Ok(())
}

#[tokio::test]
async fn a_replay_that_times_out_is_not_sent_again_but_a_refused_read_is() -> Result<()> {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(400)).await;
            StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = ApiClient::new(
        ApiBaseUrl::parse(&format!("http://{addr}/api/v1/"))?,
        None,
        ClientSettings {
            request_timeout: Duration::from_millis(100),
            ..fast_settings()
        },
    )?;
    let error = client
        .replay(Uuid::nil(), Uuid::nil())
        .await
        .expect_err("times out");
    ensure!(matches!(error, ApiError::Timeout { .. }), "{error:?}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    ensure!(
        hits.load(Ordering::SeqCst) == 1,
        "the replay may have happened: sent once"
    );

    // A read to a closed port is retried, a bounded number of times.
    let port = crate::support::closed_port()?;
    let client = ApiClient::new(
        ApiBaseUrl::parse(&format!("http://127.0.0.1:{port}/api/v1/"))?,
        None,
        fast_settings(),
    )?;
    let error = client.organizations().await.expect_err("nothing listens");
    ensure!(matches!(error, ApiError::Unreachable { .. }), "{error:?}");
    let tries = client.stats().sent as usize;
    ensure!(
        tries == 1 + crate::api_support::quick_retry().max_retries,
        "retried, bounded: {tries}"
    );
    Ok(())
}

/// Hook0's login tokens: the access token expires, the refresh token is single-use.
#[derive(Debug)]
struct Session {
    access: String,
    refresh: String,
    generation: u32,
    refreshes: u32,
}

fn problem(status: StatusCode, id: &str) -> Response {
    let body = serde_json::json!({
        "type": "x", "id": id, "status": status.as_u16(), "title": id, "detail": "",
        "validation": null
    });
    (
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
        .with_status(status)
}

trait WithStatus {
    fn with_status(self, status: StatusCode) -> Response;
}

impl WithStatus for Response {
    fn with_status(mut self, status: StatusCode) -> Response {
        *self.status_mut() = status;
        self
    }
}

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned()
}

async fn organizations(State(session): State<Arc<Mutex<Session>>>, headers: HeaderMap) -> Response {
    if bearer(&headers) == session.lock().await.access {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "[]",
        )
            .into_response()
    } else {
        problem(StatusCode::FORBIDDEN, "AuthInvalidBiscuit")
    }
}

async fn refresh(State(session): State<Arc<Mutex<Session>>>, headers: HeaderMap) -> Response {
    let mut session = session.lock().await;
    if bearer(&headers) != session.refresh {
        return problem(StatusCode::FORBIDDEN, "AuthInvalidBiscuit");
    }
    session.generation += 1;
    session.refreshes += 1;
    session.access = format!("access-{}", session.generation);
    session.refresh = format!("refresh-{}", session.generation);
    let body = serde_json::json!({
        "access_token": session.access,
        "access_token_expiration": "2026-11-29T14:05:00.993614433Z",
        "refresh_token": session.refresh,
        "refresh_token_expiration": "2026-11-29T14:30:00.994616393Z",
        "user_id": Uuid::nil(), "email": "x@example.test", "first_name": "X", "last_name": "Y"
    });
    (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[tokio::test]
async fn an_expired_user_session_is_refreshed_once_for_all_waiting_requests() -> Result<()> {
    let session = Arc::new(Mutex::new(Session {
        access: "access-0".into(),
        refresh: "refresh-0".into(),
        generation: 0,
        refreshes: 0,
    }));
    let app = Router::new()
        .route("/api/v1/organizations", get(organizations))
        .route("/api/v1/auth/refresh", post(refresh))
        .with_state(session.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });

    let credentials = Credentials::User(UserTokens {
        access_token: SecretString::from("expired-access".to_owned()),
        refresh_token: Some(SecretString::from("refresh-0".to_owned())),
        access_token_expiration: None,
        refresh_token_expiration: None,
    });
    let client = ApiClient::with_credentials(
        ApiBaseUrl::parse(&format!("http://{addr}/api/v1/"))?,
        credentials,
        fast_settings(),
    )?;
    let calls = (0..8).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.organizations().await })
    });
    for call in futures_util::future::join_all(calls).await {
        call?.context("succeeds after the refresh")?;
    }
    ensure!(
        session.lock().await.refreshes == 1,
        "one refresh for eight requests"
    );
    ensure!(client.stats().refreshes == 1, "{:?}", client.stats());
    let Credentials::User(tokens) = client.credentials() else {
        anyhow::bail!("still a user session")
    };
    ensure!(
        tokens.access_token.expose_secret() == "access-1",
        "new access token kept"
    );
    ensure!(
        tokens
            .refresh_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned())
            == Some("refresh-1".into()),
        "new refresh token kept"
    );
    ensure!(
        !format!("{client:?}{:?}", client.credentials()).contains("access-1"),
        "secrets never in Debug"
    );

    // Logged out elsewhere: both tokens die. The refresh is refused, the error is typed, and
    // the dead refresh token is not tried again.
    {
        let mut s = session.lock().await;
        s.access = "revoked".into();
        s.refresh = "revoked".into();
    }
    let error = client.organizations().await.expect_err("logged out");
    ensure!(
        error.problem_id() == Some("AuthInvalidBiscuit"),
        "{error:?}"
    );
    ensure!(
        error.code() == console_core::ErrorCode::SessionExpired,
        "a session that cannot be renewed asks to sign in again: {error:?}"
    );
    let sent = client.stats().sent;
    let again = client.organizations().await.expect_err("still logged out");
    ensure!(
        again.problem_id() == Some("AuthInvalidBiscuit")
            && again.code() == console_core::ErrorCode::SessionExpired,
        "{again:?}"
    );
    ensure!(
        client.stats().sent == sent + 1,
        "no second refresh with a dead token"
    );
    Ok(())
}
