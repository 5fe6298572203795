//! The HTTP transport: one reqwest client per profile, bearer auth, timeouts, a body-size
//! ceiling, and the mapping of every failure to an [`ApiError`].

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

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
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            // A page of 50 attempts is ~35 KB; events carry payloads of up to a few MB.
            max_body_bytes: 32 * 1024 * 1024,
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

/// Talks to one Hook0 API with one token.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: ApiBaseUrl,
    auth: Option<HeaderValue>,
    settings: ClientSettings,
}

impl ApiClient {
    /// Builds a client. The token is turned into a header value marked sensitive, so that
    /// reqwest never prints it in debug output.
    pub fn new(
        base: ApiBaseUrl,
        token: Option<&SecretString>,
        settings: ClientSettings,
    ) -> Result<Self, ApiError> {
        let auth = match token {
            Some(token) => {
                let mut value =
                    HeaderValue::from_str(&format!("Bearer {}", token.expose_secret().trim()))
                        .map_err(|_| ApiError::InvalidToken)?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
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
            settings,
        })
    }

    /// The base this client calls.
    pub fn base(&self) -> &ApiBaseUrl {
        &self.base
    }

    /// GETs an endpoint and decodes its JSON body.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        relative: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let response = self.get(relative, query).await?;
        serde_json::from_slice(&response.body).map_err(|e| ApiError::Decode {
            url: self.display_url(relative),
            reason: e.to_string(),
        })
    }

    /// GETs an endpoint; any non-2xx status becomes an error.
    pub async fn get(
        &self,
        relative: &str,
        query: &[(&str, String)],
    ) -> Result<RawResponse, ApiError> {
        let url = self.base.endpoint(relative)?;
        let mut request = self.http.get(url.clone()).query(query);
        if let Some(auth) = &self.auth {
            request = request.header(AUTHORIZATION, auth.clone());
        }
        let shown = self.display_url(relative);
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(&shown, &e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = self.read_body(response, &shown).await?;
        if (200..300).contains(&status) {
            Ok(RawResponse {
                status,
                headers,
                body,
            })
        } else {
            Err(status_error(&shown, status, &headers, &body))
        }
    }

    fn display_url(&self, relative: &str) -> String {
        format!("{}{}", self.base, relative.trim_start_matches('/'))
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
        (401, _) => ApiError::Unauthorized,
        (429, problem) => ApiError::RateLimited {
            retry_after: headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
            problem_id: problem.map_or_else(|| "RateLimited".to_owned(), |p| p.id),
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
