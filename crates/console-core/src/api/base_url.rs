//! A validated API base URL, such as `https://app.hook0.com/api/v1/`.
//!
//! Every request URL is built by joining a relative path onto this base, which only works
//! when the base ends with `/`; normalising once here means no caller can build
//! `…/api/v1organizations` by accident. Links the API sends back (the paging cursor) are
//! rebuilt on this base too, never followed to the host they name.

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use super::ApiError;

/// An absolute `http`/`https` URL with a host, no query or fragment, ending in `/`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApiBaseUrl(Url);

impl ApiBaseUrl {
    /// Parses what an operator typed. Surrounding blanks are ignored and a missing final `/`
    /// is added; anything else that is off is refused with the reason.
    pub fn parse(input: &str) -> Result<Self, ApiError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ApiError::InvalidBaseUrl("the API base URL is empty".into()));
        }
        let mut url = Url::parse(trimmed).map_err(|e| {
            ApiError::InvalidBaseUrl(format!(
                "`{trimmed}` is not an absolute URL ({e}); it should look like \
                 https://app.hook0.com/api/v1/"
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ApiError::InvalidBaseUrl(format!(
                "`{}` is not an http or https URL",
                url.scheme()
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ApiError::InvalidBaseUrl(
                "the API base URL has no host".into(),
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ApiError::InvalidBaseUrl(
                "the API base URL must not carry a query (?…) or fragment (#…)".into(),
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ApiError::InvalidBaseUrl(
                "put the token in the token field, not in the URL".into(),
            ));
        }
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(Self(url))
    }

    /// The URL of an endpoint relative to this base (`"organizations/"`).
    pub fn endpoint(&self, relative: &str) -> Result<Url, ApiError> {
        self.0
            .join(relative.trim_start_matches('/'))
            .map_err(|e| ApiError::InvalidBaseUrl(format!("cannot build `{relative}`: {e}")))
    }

    /// Whether requests to this base travel over the loopback interface only.
    pub fn is_loopback(&self) -> bool {
        match self.0.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => false,
        }
    }

    /// The underlying URL.
    pub fn as_url(&self) -> &Url {
        &self.0
    }
}

impl fmt::Display for ApiBaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl fmt::Debug for ApiBaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiBaseUrl({})", self.0)
    }
}

impl TryFrom<String> for ApiBaseUrl {
    type Error = ApiError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ApiBaseUrl> for String {
    fn from(value: ApiBaseUrl) -> Self {
        value.0.into()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn adds_the_final_slash_so_joins_keep_the_version_segment() {
        let base = ApiBaseUrl::parse(" https://app.hook0.com/api/v1 ").unwrap();
        assert_eq!(base.to_string(), "https://app.hook0.com/api/v1/");
        assert_eq!(
            base.endpoint("organizations/").unwrap().as_str(),
            "https://app.hook0.com/api/v1/organizations/"
        );
    }

    #[test]
    fn refuses_what_cannot_be_an_api_base() {
        for bad in [
            "",
            "app.hook0.com/api/v1",
            "ftp://x/",
            "https://x/?a=1",
            "https://u:p@x/",
        ] {
            assert!(ApiBaseUrl::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn knows_loopback_hosts() {
        assert!(
            ApiBaseUrl::parse("http://127.0.0.1:1/api/v1/")
                .unwrap()
                .is_loopback()
        );
        assert!(
            ApiBaseUrl::parse("http://localhost/")
                .unwrap()
                .is_loopback()
        );
        assert!(
            !ApiBaseUrl::parse("https://app.hook0.com/api/v1/")
                .unwrap()
                .is_loopback()
        );
    }
}
