//! The HTTP transport: one reqwest client per profile, bearer auth (with user-session
//! refresh), pacing, retries, timeouts, a body-size ceiling, and the mapping of every failure
//! to an [`ApiError`].
//!
//! Every request goes through the same path: the pacing gate (rate and in-flight cap) →
//! send → read at most `max_body_bytes` → status mapping; a 403 `AuthInvalidBiscuit`
//! refreshes a user session once; transient failures are retried as [`RetryPolicy`] says.
//! Clones share the gate, the credentials and the counters.

use std::error::Error as _;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use backon::Retryable;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use url::Url;

use super::credentials::{Credentials, RawTokenPair, Session, UserTokens};
use super::pacing::{Gate, Pacing};
use super::retry::{Idempotency, RetryPolicy};
use super::{ApiBaseUrl, ApiError, Problem};

/// Limits of one client.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Time allowed to open a connection (DNS, TCP and TLS).
    pub connect_timeout: Duration,
    /// Time allowed for a whole request, body included.
    pub request_timeout: Duration,
    /// Largest body accepted; a larger one is refused rather than buffered.
    pub max_body_bytes: usize,
    /// Request rate and requests in flight.
    pub pacing: Pacing,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            // A page of 50 attempts is ~35 KB; events carry payloads of up to a few MB.
            max_body_bytes: 32 * 1024 * 1024,
            pacing: Pacing::default(),
            retry: RetryPolicy::default(),
        }
    }
}

/// A successful answer: headers and the whole body.
#[derive(Debug)]
pub struct RawResponse {
    /// HTTP status (2xx).
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body, at most [`ClientSettings::max_body_bytes`].
    pub body: Vec<u8>,
}

/// Counters of one client and its clones, for progress, tests and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// Requests sent (every try, refreshes included).
    pub sent: u64,
    /// Answers with HTTP 429.
    pub rate_limited: u64,
    /// Tries that were retries.
    pub retries: u64,
    /// Successful token refreshes.
    pub refreshes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    rate_limited: AtomicU64,
    retries: AtomicU64,
    refreshes: AtomicU64,
}

/// One logical request, possibly sent several times.
struct Call<'a> {
    method: Method,
    url: Url,
    shown: String,
    query: &'a [(&'a str, String)],
    body: Option<Vec<u8>>,
    idempotency: Idempotency,
    /// Sent instead of the credentials' header, and never refreshed (the refresh call).
    auth_override: Option<HeaderValue>,
}

/// Talks to one Hook0 API with one set of credentials.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: ApiBaseUrl,
    auth: Session,
    gate: Arc<Gate>,
    counters: Arc<Counters>,
    settings: ClientSettings,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base)
            .field("gate", &self.gate)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl ApiClient {
    /// Builds a client with a plain bearer token (service token, application secret) or
    /// none. The token is turned into a header value marked sensitive, so that reqwest
    /// never prints it in debug output.
    pub fn new(
        base: ApiBaseUrl,
        token: Option<&SecretString>,
        settings: ClientSettings,
    ) -> Result<Self, ApiError> {
        let credentials = token.map_or(Credentials::Anonymous, |t| Credentials::Bearer(t.clone()));
        Self::with_credentials(base, credentials, settings)
    }

    /// Builds a client with any [`Credentials`], user sessions included.
    pub fn with_credentials(
        base: ApiBaseUrl,
        credentials: Credentials,
        settings: ClientSettings,
    ) -> Result<Self, ApiError> {
        Self::with_session(base, Session::new(credentials)?, settings)
    }

    /// Builds a client on a [`Session`] shared with other clients: a refresh made by any of
    /// them is what all of them send next.
    pub fn with_session(
        base: ApiBaseUrl,
        auth: Session,
        settings: ClientSettings,
    ) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .user_agent(concat!("hook0-console/", env!("CARGO_PKG_VERSION")))
            // Redirects could carry the bearer token to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::Transport {
                url: base.to_string(),
                reason: e.to_string(),
            })?;
        Ok(Self {
            http,
            base,
            auth,
            gate: Arc::new(Gate::new(settings.pacing)),
            counters: Arc::new(Counters::default()),
            settings,
        })
    }

    /// The base this client calls.
    pub fn base(&self) -> &ApiBaseUrl {
        &self.base
    }

    /// The limits this client was built with.
    pub fn settings(&self) -> &ClientSettings {
        &self.settings
    }

    /// The same client (sharing its pacing, credentials and counters) with another retry
    /// policy, e.g. [`RetryPolicy::NEVER`] for an interactive check that must answer at once.
    pub fn with_retry(&self, retry: RetryPolicy) -> Self {
        let mut client = self.clone();
        client.settings.retry = retry;
        client
    }

    /// The credentials in use now (after any refresh).
    pub fn credentials(&self) -> Credentials {
        self.auth.credentials()
    }

    /// The session this client sends, shared with the clients built on it.
    pub fn session(&self) -> &Session {
        &self.auth
    }

    /// Counters since the client was built (shared by clones).
    pub fn stats(&self) -> RequestStats {
        let c = &self.counters;
        RequestStats {
            sent: c.sent.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            refreshes: c.refreshes.load(Ordering::Relaxed),
        }
    }

    /// GETs an endpoint and decodes its JSON body.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        relative: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let response = self.get(relative, query).await?;
        decode_json(&self.display_url(relative), &response.body)
    }

    /// GETs an endpoint; any non-2xx status becomes an error. Paced and retried.
    pub async fn get(
        &self,
        relative: &str,
        query: &[(&str, String)],
    ) -> Result<RawResponse, ApiError> {
        let call = Call {
            method: Method::GET,
            url: self.base.endpoint(relative)?,
            shown: self.display_url(relative),
            query,
            body: None,
            idempotency: Idempotency::Idempotent,
            auth_override: None,
        };
        self.execute(&call).await
    }

    /// POSTs a JSON body (or none). Paced; retried according to `idempotency`.
    pub async fn post(
        &self,
        relative: &str,
        body: Option<&serde_json::Value>,
        idempotency: Idempotency,
    ) -> Result<RawResponse, ApiError> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| ApiError::Decode {
                url: self.display_url(relative),
                reason: format!("cannot encode the request body: {e}"),
            })?;
        let call = Call {
            method: Method::POST,
            url: self.base.endpoint(relative)?,
            shown: self.display_url(relative),
            query: &[],
            body,
            idempotency,
            auth_override: None,
        };
        self.execute(&call).await
    }

    /// PUTs a JSON body. Paced, and retried like a read: a PUT replaces the resource with the
    /// same body each time, so sending it twice leaves what sending it once does.
    pub async fn put(
        &self,
        relative: &str,
        body: &serde_json::Value,
    ) -> Result<RawResponse, ApiError> {
        let body = serde_json::to_vec(body).map_err(|e| ApiError::Decode {
            url: self.display_url(relative),
            reason: format!("cannot encode the request body: {e}"),
        })?;
        let call = Call {
            method: Method::PUT,
            url: self.base.endpoint(relative)?,
            shown: self.display_url(relative),
            query: &[],
            body: Some(body),
            idempotency: Idempotency::Idempotent,
            auth_override: None,
        };
        self.execute(&call).await
    }

    fn display_url(&self, relative: &str) -> String {
        format!("{}{}", self.base, relative.trim_start_matches('/'))
    }

    async fn execute(&self, call: &Call<'_>) -> Result<RawResponse, ApiError> {
        let policy = self.settings.retry;
        (|| self.send_authenticated(call))
            .retry(policy.backoff())
            .sleep(tokio::time::sleep)
            .when(|e| policy.should_retry(e, call.idempotency))
            .adjust(|e, backoff| policy.delay_for(e, backoff))
            .notify(|e, delay| {
                self.counters.retries.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(error = %e, delay_ms = delay.as_millis() as u64, "retrying");
            })
            .await
    }

    /// One try, plus one more after refreshing a user session the API no longer accepts.
    async fn send_authenticated(&self, call: &Call<'_>) -> Result<RawResponse, ApiError> {
        if let Some(header) = &call.auth_override {
            return self.send_once(call, Some(header.clone())).await;
        }
        let (header, generation) = self.auth.0.header();
        match self.send_once(call, header).await {
            Err(ApiError::Forbidden(problem)) if problem.id == "AuthInvalidBiscuit" => {
                if self.auth.0.can_refresh() {
                    self.refresh(generation).await?;
                    let (header, _) = self.auth.0.header();
                    self.send_once(call, header).await
                } else if self.auth.0.is_user() {
                    Err(ApiError::SessionExpired {
                        problem_id: Some(problem.id),
                    })
                } else {
                    Err(ApiError::Forbidden(problem))
                }
            }
            other => other,
        }
    }

    /// Exchanges the refresh token for a new pair, unless another request already did since
    /// `seen_generation`. The refresh token is single-use, so the call is not idempotent: it
    /// is retried only when surely not processed (429 `RateLimited`, connection refused).
    async fn refresh(&self, seen_generation: u64) -> Result<(), ApiError> {
        let _one_at_a_time = self.auth.0.refreshing.lock().await;
        if self.auth.0.generation() != seen_generation {
            return Ok(());
        }
        let Some(header) = self.auth.0.refresh_header()? else {
            return Ok(());
        };
        let call = Call {
            method: Method::POST,
            url: self.base.endpoint("auth/refresh")?,
            shown: self.display_url("auth/refresh"),
            query: &[],
            body: None,
            idempotency: Idempotency::NotIdempotent,
            auth_override: Some(header),
        };
        // Boxed: `execute` is what called us (async recursion needs the indirection).
        let response = match Box::pin(self.execute(&call)).await {
            Ok(response) => response,
            Err(error @ (ApiError::Forbidden(_) | ApiError::Unauthorized(_))) => {
                self.auth.0.drop_refresh_token();
                return Err(ApiError::SessionExpired {
                    problem_id: error.problem_id().map(str::to_owned),
                });
            }
            Err(error) => return Err(error),
        };
        let pair: RawTokenPair = decode_json(&call.shown, &response.body)?;
        self.auth.0.install(UserTokens::from(pair))?;
        self.counters.refreshes.fetch_add(1, Ordering::Relaxed);
        tracing::debug!("user session refreshed");
        Ok(())
    }

    async fn send_once(
        &self,
        call: &Call<'_>,
        auth: Option<HeaderValue>,
    ) -> Result<RawResponse, ApiError> {
        let _slot = self.gate.admit().await.ok_or_else(|| ApiError::Transport {
            url: call.shown.clone(),
            reason: "the client is shutting down".into(),
        })?;
        let mut request = self
            .http
            .request(call.method.clone(), call.url.clone())
            .query(call.query);
        if let Some(auth) = auth {
            request = request.header(AUTHORIZATION, auth);
        }
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        self.counters.sent.fetch_add(1, Ordering::Relaxed);
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(&call.shown, &e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = self.read_body(response, &call.shown).await?;
        if (200..300).contains(&status) {
            Ok(RawResponse {
                status,
                headers,
                body,
            })
        } else {
            if status == 429 {
                self.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
            }
            Err(status_error(&call.shown, status, &headers, &body))
        }
    }

    async fn read_body(
        &self,
        mut response: reqwest::Response,
        url: &str,
    ) -> Result<Vec<u8>, ApiError> {
        let limit = self.settings.max_body_bytes;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(ApiError::TooLarge {
                url: url.to_owned(),
                limit,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(url, &e))?
        {
            if body.len() + chunk.len() > limit {
                return Err(ApiError::TooLarge {
                    url: url.to_owned(),
                    limit,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn transport_error(&self, url: &str, error: &reqwest::Error) -> ApiError {
        let url = url.to_owned();
        if let Some(reason) = tls_failure(error) {
            return ApiError::Tls { url, reason };
        }
        if error.is_timeout() {
            return ApiError::Timeout {
                url,
                seconds: self.settings.request_timeout.as_secs(),
            };
        }
        let reason = innermost_reason(error);
        if error.is_connect() {
            ApiError::Unreachable { url, reason }
        } else {
            ApiError::Transport { url, reason }
        }
    }
}

/// Decodes a JSON body; any mismatch is a typed [`ApiError::Decode`] naming the place.
pub(crate) fn decode_json<T: DeserializeOwned>(url: &str, body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::Decode {
        url: url.to_owned(),
        reason: e.to_string(),
    })
}

/// The rustls error somewhere down the chain, if the failure is a TLS one. `io::Error` hides
/// its payload from `source()`, so it is unwrapped by hand.
fn tls_failure(error: &reqwest::Error) -> Option<String> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(current) = next {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        next = match current.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        };
    }
    None
}

/// The most specific explanation in an error chain ("Connection refused", "failed to lookup
/// address information…") rather than reqwest's generic outer message.
fn innermost_reason(error: &reqwest::Error) -> String {
    let mut reason = error.to_string();
    let mut next = error.source();
    while let Some(current) = next {
        reason = current.to_string();
        next = current.source();
    }
    reason
}

fn status_error(url: &str, status: u16, headers: &HeaderMap, body: &[u8]) -> ApiError {
    let is_problem = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    let problem = is_problem
        .then(|| serde_json::from_slice::<Problem>(body).ok())
        .flatten();
    match (status, problem) {
        (401, problem) => ApiError::Unauthorized(problem),
        (429, problem) => ApiError::RateLimited {
            retry_after: retry_after(headers),
            problem_id: problem.map_or_else(|| "RateLimited".to_owned(), |p| p.id),
        },
        (502..=504, problem) => ApiError::Unavailable {
            url: url.to_owned(),
            status,
            retry_after: retry_after(headers),
            problem_id: problem.map(|p| p.id),
        },
        (403, Some(problem)) => ApiError::Forbidden(problem),
        (_, Some(problem)) => ApiError::Problem { status, problem },
        (_, None) => ApiError::Status {
            url: url.to_owned(),
            status,
            excerpt: excerpt(body),
        },
    }
}

/// The longest of `Retry-After` and `x-ratelimit-after`, in seconds (integer or decimal);
/// HTTP dates and nonsense are ignored. Capped at a day so a hostile value cannot park a sync.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    const DAY: f64 = 86_400.0;
    [RETRY_AFTER.as_str(), "x-ratelimit-after"]
        .into_iter()
        .filter_map(|name| headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok())
        .filter(|secs| secs.is_finite() && *secs >= 0.0)
        .map(|secs| Duration::from_secs_f64(secs.min(DAY)))
        .max()
}

fn excerpt(body: &[u8]) -> String {
    const MAX_CHARS: usize = 160;
    let text = String::from_utf8_lossy(body);
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > MAX_CHARS {
        let cut: String = flat.chars().take(MAX_CHARS).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    const PROBLEM: &[u8] = br#"{"type":"x","id":"RateLimited","status":429,"title":"t","detail":"d","validation":null}"#;

    #[test]
    fn rate_limit_waits_come_from_either_header_in_whole_or_decimal_seconds() {
        let problem = headers(&[("content-type", "application/problem+json")]);
        let mut both = problem.clone();
        both.extend(headers(&[("retry-after", "0"), ("x-ratelimit-after", "2")]));
        let wait = |h: &HeaderMap| match status_error("u", 429, h, PROBLEM) {
            ApiError::RateLimited {
                retry_after,
                problem_id,
            } => {
                assert_eq!(problem_id, "RateLimited");
                retry_after
            }
            other => {
                assert!(matches!(other, ApiError::RateLimited { .. }), "{other:?}");
                None
            }
        };
        assert_eq!(wait(&both), Some(Duration::from_secs(2)));
        let mut half = problem.clone();
        half.extend(headers(&[("retry-after", "0.5")]));
        assert_eq!(wait(&half), Some(Duration::from_millis(500)));
        let mut junk = problem.clone();
        junk.extend(headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]));
        assert_eq!(wait(&junk), None);
        let mut huge = problem;
        huge.extend(headers(&[("retry-after", "99999999999")]));
        assert_eq!(wait(&huge), Some(Duration::from_secs(86_400)));
    }

    #[test]
    fn gateway_failures_are_unavailable_with_their_wait() {
        let error = status_error("u", 503, &headers(&[("retry-after", "5")]), b"");
        assert!(
            matches!(error, ApiError::Unavailable { status: 503, retry_after: Some(d), .. } if d == Duration::from_secs(5)),
            "{error:?}"
        );
        let error = status_error("u", 502, &HeaderMap::new(), b"<html>");
        assert!(
            matches!(
                error,
                ApiError::Unavailable {
                    status: 502,
                    retry_after: None,
                    ..
                }
            ),
            "{error:?}"
        );
    }
}
