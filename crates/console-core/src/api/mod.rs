//! Access to the Hook0 API v1.
//!
//! Models come from `hook0-client` (generated from Hook0's own OpenAPI snapshot, checked
//! against captured real responses); the transport is ours because the console needs what the
//! SDK's transport cannot express: response headers (the `Link` cursor, `Retry-After`), size
//! limits, pacing under Hook0's rate limit, retries, user-session refresh, and errors that
//! tell a TLS failure from a wrong token from a URL that is not Hook0 at all.
//!
//! - [`client`]: transport, pacing ([`Pacing`]), retries ([`RetryPolicy`]), credentials.
//! - endpoint methods on [`ApiClient`]: organizations, applications, event types,
//!   subscriptions (read, and enabled or disabled by a full-body update), events, attempts,
//!   responses, replay.
//! - [`AttemptPager`]: the Link-cursor walk; [`CompleteWalk`]: the walk that cannot skip
//!   rows tied on `created_at`.

mod attempts;
mod base_url;
pub mod client;
mod complete;
mod credentials;
mod endpoints;
mod error;
mod link;
mod login;
mod pacing;
mod probe;
mod retry;
mod subscription;

pub use crate::record::{EventRecord, Payload, ResponseBody, ResponseRecord};
pub use attempts::{AttemptFilter, AttemptPager, PAGE_SIZE, Page, parse_page};
pub use base_url::ApiBaseUrl;
pub use client::{ApiClient, ClientSettings, RawResponse, RequestStats};
pub use complete::{CompleteWalk, WalkPage, WalkPosition};
pub use credentials::{Credentials, Session, UserTokens};
pub use error::{ApiError, Problem};
pub use hook0_client::generated::{
    Application, Event, EventType, Organization, OrganizationInfo, RequestAttempt,
    RequestAttemptStatusType, Subscription,
};
pub use link::NextLink;
pub use login::{LoginError, log_in};
pub use pacing::{Pacing, RequestRate};
pub use probe::{ApplicationSummary, ConnectionReport, OrganizationSummary, probe_connection};
pub use retry::{Idempotency, RetryPolicy};
pub use subscription::SubscriptionRead;
