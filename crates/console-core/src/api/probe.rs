//! "Test connection": what a profile's token can see, or a precise reason why not.
//!
//! Two questions are separated on purpose. Is this address a Hook0 API at all (wrong host,
//! missing `/api/v1/`, a web page)? And is the token accepted? Operators fix those in
//! different fields of the form, so the answer must say which one is wrong.

use hook0_client::generated::{Application, Organization};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::{ApiClient, ApiError, RetryPolicy};

/// An application the token can see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApplicationSummary {
    /// Hook0 application id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
}

/// An organization the token can see, with its applications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OrganizationSummary {
    /// Hook0 organization id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// The token's role in it (`editor`, `viewer`).
    pub role: String,
    /// Applications, sorted by name.
    pub applications: Vec<ApplicationSummary>,
}

/// The result of a successful connection test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConnectionReport {
    /// The base URL that was tested.
    pub api_base_url: String,
    /// Organizations, sorted by name.
    pub organizations: Vec<OrganizationSummary>,
}

/// Lists the organizations and applications visible to the client's token.
///
/// An interactive check: it answers at once rather than retrying (a refused connection or a
/// 503 is the answer the operator needs to see).
pub async fn probe_connection(client: &ApiClient) -> Result<ConnectionReport, ApiError> {
    let client = &client.with_retry(RetryPolicy::NEVER);
    let organizations: Vec<Organization> = client
        .get_json("organizations", &[])
        .await
        .map_err(|e| not_hook0_when_unrecognisable(client, e))?;
    let mut summaries = Vec::with_capacity(organizations.len());
    for organization in organizations {
        let mut applications: Vec<Application> = client
            .get_json(
                "applications",
                &[("organization_id", organization.organization_id.to_string())],
            )
            .await?;
        applications.sort_by_key(|a| a.name.to_lowercase());
        summaries.push(OrganizationSummary {
            id: organization.organization_id,
            name: organization.name,
            role: organization.role,
            applications: applications
                .into_iter()
                .map(|a| ApplicationSummary {
                    id: a.application_id,
                    name: a.name,
                })
                .collect(),
        });
    }
    summaries.sort_by_key(|a| a.name.to_lowercase());
    Ok(ConnectionReport {
        api_base_url: client.base().to_string(),
        organizations: summaries,
    })
}

/// A Hook0 API answers `organizations` with JSON or a problem; anything else (an empty 404,
/// an HTML page, a 405) means the base URL points somewhere else.
fn not_hook0_when_unrecognisable(client: &ApiClient, error: ApiError) -> ApiError {
    let hint = "check that the base URL is the API's, such as https://app.hook0.com/api/v1/";
    match error {
        ApiError::Status { url, status, .. } => ApiError::NotHook0 {
            url,
            reason: format!("it answered HTTP {status} where Hook0 lists organizations; {hint}"),
        },
        ApiError::Decode { url, .. } => ApiError::NotHook0 {
            url,
            reason: format!("its answer is not Hook0's list of organizations; {hint}"),
        },
        ApiError::Problem { status: 404, .. } => ApiError::NotHook0 {
            url: client.base().to_string(),
            reason: format!("it has no organizations endpoint; {hint}"),
        },
        other => other,
    }
}
