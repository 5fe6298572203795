//! Profiles that sign in with email and password.
//!
//! The password is used for one `POST auth/login` and dropped; what the profile keeps is the
//! session (access and refresh tokens, in memory). Every client of the profile shares that
//! session, so a refresh replaces the held pair for all of them. When the refresh token has
//! expired or was revoked, the profile answers [`crate::ErrorCode::SessionExpired`] until the
//! operator signs in again ([`Console::sign_in`]).

use secrecy::SecretString;
use uuid::Uuid;

use super::Console;
use crate::api::{
    ApiBaseUrl, ApiClient, ConnectionReport, Credentials, Session, log_in, probe_connection,
};
use crate::audit::AuditAction;
use crate::error::ErrorDto;
use crate::profile::{Profile, ProfileError, valid_password};

impl Console {
    /// Signs a saved email-and-password profile in again (its session ended, or the console
    /// restarted), with the email it is saved with.
    pub async fn sign_in(&self, id: Uuid, password: String) -> Result<Profile, ErrorDto> {
        self.unlocked()?;
        let password = valid_password(Some(password))?.ok_or_else(|| {
            ErrorDto::from(ProfileError::Invalid("type the password to sign in".into()))
        })?;
        let (base, email) = self.profiles()?.sign_in_target(id)?;
        let session = self.log_in(base, &email, &password).await?;
        let profile = self.profiles()?.install_session(id, session)?;
        self.connections()?.remove(&id);
        self.keep_credentials(id)?;
        self.audit_profile(AuditAction::ProfileSignedIn, id)?;
        Ok(profile)
    }

    /// Forgets the credentials held for a profile; a user session is also ended at the API,
    /// as far as it answers (the tokens are forgotten here whatever it says).
    pub async fn sign_out(&self, id: Uuid) -> Result<Profile, ErrorDto> {
        self.unlocked()?;
        let held = self.profiles()?.sign_out(id)?;
        self.connections()?.remove(&id);
        self.keep_credentials(id)?;
        self.audit_profile(AuditAction::ProfileSignedOut, id)?;
        if let Some(session) = held.filter(Session::is_user) {
            let (base, _) = self.profiles()?.sign_in_target(id)?;
            let client = ApiClient::with_session(base, session, self.client_settings.clone())?;
            if let Err(error) = client.log_out().await {
                tracing::info!(code = ?error.code(), "the API did not confirm the sign-out");
            }
        }
        Ok(self.profiles()?.get(id)?)
    }

    /// Opens a user session: the one place a password is sent.
    pub(super) async fn log_in(
        &self,
        base: ApiBaseUrl,
        email: &str,
        password: &SecretString,
    ) -> Result<Session, ErrorDto> {
        let tokens = log_in(base, email, password, self.client_settings.clone()).await?;
        Ok(Session::new(Credentials::User(tokens))?)
    }

    /// Tests an email-and-password draft: with the password typed, a throwaway login that is
    /// ended right after (a test must not leave a session open on the server); without, the
    /// session held for the same account.
    pub(super) async fn test_sign_in(
        &self,
        base: ApiBaseUrl,
        id: Option<Uuid>,
        email: &str,
        password: Option<SecretString>,
    ) -> Result<ConnectionReport, ErrorDto> {
        let settings = self.client_settings.clone();
        let Some(password) = password else {
            let held = match id {
                Some(id) => self.profiles()?.user_session(id, email),
                None => None,
            };
            let session = held.ok_or_else(|| {
                ErrorDto::from(ProfileError::Invalid(
                    "type the password to test signing in".into(),
                ))
            })?;
            let client = ApiClient::with_session(base, session, settings)?;
            return Ok(probe_connection(&client).await?);
        };
        let session = self.log_in(base.clone(), email, &password).await?;
        let client = ApiClient::with_session(base, session, settings)?;
        let report = probe_connection(&client).await;
        if let Err(error) = client.log_out().await {
            tracing::info!(code = ?error.code(), "the test session could not be ended");
        }
        Ok(report?)
    }
}
