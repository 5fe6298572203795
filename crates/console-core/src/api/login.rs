//! Signing a user in and out: `POST auth/login {email, password}` → 201 with an access token
//! (5 minutes) and a refresh token (30 minutes); `POST auth/logout` ends both.
//!
//! The password is borrowed for the one request and never kept: what lives on is the
//! [`UserTokens`] pair, in memory. Login is retried like a read (a second login only leaves an
//! unused session that expires on its own); the answer's problem id tells a wrong password
//! from an unverified email.

use secrecy::{ExposeSecret, SecretString};

use super::client::decode_json;
use super::credentials::RawTokenPair;
use super::{ApiBaseUrl, ApiClient, ApiError, ClientSettings, Idempotency, UserTokens};
use crate::error::{ErrorCode, ErrorDto};

/// Why signing in failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// 401 `AuthFailedLogin`.
    #[error("the email or password is not right")]
    WrongCredentials,
    /// 401 `AuthEmailNotVerified`.
    #[error(
        "this account's email address is not verified yet: follow the link Hook0 sent, then \
         sign in again"
    )]
    EmailNotVerified,
    /// Anything else: unreachable, not Hook0, rate limited…
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl From<LoginError> for ErrorDto {
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::Api(api) => api.into(),
            other => ErrorDto::new(ErrorCode::InvalidInput, other.to_string()),
        }
    }
}

/// Signs in with email and password.
pub async fn log_in(
    base: ApiBaseUrl,
    email: &str,
    password: &SecretString,
    settings: ClientSettings,
) -> Result<UserTokens, LoginError> {
    let client = ApiClient::new(base, None, settings)?;
    let body = serde_json::json!({ "email": email, "password": password.expose_secret() });
    let response = match client
        .post("auth/login", Some(&body), Idempotency::Idempotent)
        .await
    {
        Ok(response) => response,
        Err(error) => {
            return Err(match error.problem_id() {
                Some("AuthFailedLogin") => LoginError::WrongCredentials,
                Some("AuthEmailNotVerified") => LoginError::EmailNotVerified,
                _ => LoginError::Api(error),
            });
        }
    };
    let url = format!("{}auth/login", client.base());
    let pair: RawTokenPair = decode_json(&url, &response.body)?;
    Ok(UserTokens::from(pair))
}

impl ApiClient {
    /// `POST auth/logout` → 204: ends the user session this client holds, for the API too.
    pub async fn log_out(&self) -> Result<(), ApiError> {
        self.post("auth/logout", None, Idempotency::Idempotent)
            .await
            .map(drop)
    }
}
