//! `GET request_attempts`: filters, one page, and the Link-cursor walk.
//!
//! Pages hold at most 50 attempts, newest first. The next page is named only by the `Link`
//! header's `pagination_cursor`; the request for it is rebuilt from our own filter and that
//! cursor on the profile's base URL (see [`super::link`]). The end is an empty page without
//! a link. A plain cursor walk inherits Hook0's tie bug (rows sharing `created_at` across a
//! page boundary are duplicated or skipped); [`super::complete`] builds a walk that is not.
//!
//! [`AttemptPager`] keeps its position when a page fails, so calling it again retries the
//! same page; [`AttemptPager::cursor`] is what to store to resume later.

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::Stream;
use hook0_client::generated::RequestAttempt;
use reqwest::header::{HeaderMap, LINK};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::client::decode_json;
use super::link::NextLink;
use super::{ApiClient, ApiError};

/// Hook0's fixed page size.
pub const PAGE_SIZE: usize = 50;

/// The filters `GET request_attempts` accepts. Both time bounds are inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptFilter {
    /// Required by the API.
    pub application_id: Uuid,
    /// One event's attempts.
    pub event_id: Option<Uuid>,
    /// One subscription's attempts.
    pub subscription_id: Option<Uuid>,
    /// Attempts of events of these types (`event.event_type_names`, comma-joined).
    pub event_type_names: Vec<String>,
    /// Oldest `created_at` included.
    pub min_created_at: Option<DateTime<Utc>>,
    /// Newest `created_at` included.
    pub max_created_at: Option<DateTime<Utc>>,
}

impl AttemptFilter {
    /// Every attempt of an application.
    pub fn application(application_id: Uuid) -> Self {
        Self {
            application_id,
            ..Self::default()
        }
    }

    /// The query string pairs, in the real server's order.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("application_id", self.application_id.to_string())];
        if let Some(id) = self.event_id {
            pairs.push(("event_id", id.to_string()));
        }
        if let Some(id) = self.subscription_id {
            pairs.push(("subscription_id", id.to_string()));
        }
        if let Some(at) = self.min_created_at {
            pairs.push(("min_created_at", format_instant(at)));
        }
        if let Some(at) = self.max_created_at {
            pairs.push(("max_created_at", format_instant(at)));
        }
        if !self.event_type_names.is_empty() {
            pairs.push(("event.event_type_names", self.event_type_names.join(",")));
        }
        pairs
    }
}

/// RFC 3339 in UTC with as many fractional digits as the instant needs (Hook0 keeps µs).
pub(crate) fn format_instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// One page of attempts, newest first.
#[derive(Debug, Clone)]
pub struct Page {
    /// At most [`PAGE_SIZE`] attempts, as the API sent them.
    pub attempts: Vec<RequestAttempt>,
    /// The cursor of the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// Parses one answer of `GET request_attempts`: a JSON array of attempts and, on a non-empty
/// page, the `Link` to the next. Never panics; any defect is an [`ApiError::Decode`].
///
/// - `[]` is the end, whatever the headers say.
/// - A non-empty page without a next link is the end if it is short, and an error if it is
///   full (the walk could not go on, and stopping would silently lose the rest).
pub fn parse_page(url: &str, headers: &HeaderMap, body: &[u8]) -> Result<Page, ApiError> {
    let attempts: Vec<RequestAttempt> = decode_json(url, body)?;
    if attempts.is_empty() {
        return Ok(Page {
            attempts,
            next_cursor: None,
        });
    }
    let decode = |reason: String| ApiError::Decode {
        url: url.to_owned(),
        reason,
    };
    let values: Vec<&str> = headers
        .get_all(LINK)
        .iter()
        .map(|v| {
            v.to_str()
                .map_err(|_| decode("the Link header is not text".into()))
        })
        .collect::<Result<_, _>>()?;
    let next = NextLink::find(values).map_err(decode)?;
    if next.is_none() && attempts.len() >= PAGE_SIZE {
        return Err(decode(format!(
            "a full page of {} attempts came without a Link rel=\"next\"",
            attempts.len()
        )));
    }
    Ok(Page {
        attempts,
        next_cursor: next.map(|n| n.cursor),
    })
}

impl ApiClient {
    /// One page: the first when `cursor` is `None`, else the one the cursor names.
    pub async fn request_attempts_page(
        &self,
        filter: &AttemptFilter,
        cursor: Option<&str>,
    ) -> Result<Page, ApiError> {
        let mut query = filter.query_pairs();
        if let Some(cursor) = cursor {
            query.push(("pagination_cursor", cursor.to_owned()));
        }
        let response = self.get("request_attempts", &query).await?;
        let shown = format!("{}request_attempts", self.base());
        parse_page(&shown, &response.headers, &response.body)
    }

    /// Walks every page from the newest, following the Link cursor (tie bug included).
    pub fn request_attempts(&self, filter: AttemptFilter) -> AttemptPager {
        AttemptPager {
            client: self.clone(),
            filter,
            position: Position::Start,
        }
    }

    /// Resumes a walk at a cursor stored from [`Page::next_cursor`] / [`AttemptPager::cursor`].
    pub fn request_attempts_from(&self, filter: AttemptFilter, cursor: String) -> AttemptPager {
        AttemptPager {
            client: self.clone(),
            filter,
            position: Position::At(cursor),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Position {
    Start,
    At(String),
    Done,
}

/// A Link-cursor walk over `GET request_attempts`: an async iterator of pages.
#[derive(Debug)]
pub struct AttemptPager {
    client: ApiClient,
    filter: AttemptFilter,
    position: Position,
}

impl AttemptPager {
    /// The next page, `None` once the end was reached. On an error the position is kept, so
    /// the next call asks for the same page again.
    pub async fn next_page(&mut self) -> Option<Result<Page, ApiError>> {
        let cursor = match &self.position {
            Position::Done => return None,
            Position::Start => None,
            Position::At(cursor) => Some(cursor.as_str()),
        };
        let page = self
            .client
            .request_attempts_page(&self.filter, cursor)
            .await;
        if let Ok(page) = &page {
            self.position = match (&page.next_cursor, page.attempts.is_empty()) {
                (Some(next), false) => Position::At(next.clone()),
                _ => Position::Done,
            };
        }
        Some(page)
    }

    /// The cursor of the page the next call fetches (`None` at the start or the end).
    pub fn cursor(&self) -> Option<&str> {
        match &self.position {
            Position::At(cursor) => Some(cursor),
            Position::Start | Position::Done => None,
        }
    }

    /// Whether the end was reached.
    pub fn is_done(&self) -> bool {
        self.position == Position::Done
    }

    /// The same walk as a `Stream` (it ends after the last page; an error item does not end
    /// it, the next poll retries that page).
    pub fn into_stream(self) -> impl Stream<Item = Result<Page, ApiError>> + Send {
        futures_util::stream::unfold(self, |mut pager| async move {
            let page = pager.next_page().await?;
            Some((page, pager))
        })
    }
}
