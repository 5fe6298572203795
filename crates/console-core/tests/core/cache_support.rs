//! Fixtures for cache and query tests: random keys, temp files, attempts built like Hook0's.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use chrono::{DateTime, Duration, TimeZone, Utc};
use console_core::cache::{Cache, CacheKey};
use console_core::record::{EventRecord, Payload, ResponseBody, ResponseRecord};
use hook0_client::generated::{
    Application, Organization, OrganizationInfo, OrganizationInfoConsumption,
    OrganizationInfoOnboardingSteps, OrganizationInfoOnboardingStepsApplication,
    OrganizationInfoOnboardingStepsEvent, OrganizationInfoOnboardingStepsEventType,
    OrganizationInfoOnboardingStepsSubscription, OrganizationInfoQuotas, RequestAttempt,
    RequestAttemptEvent, RequestAttemptStatus, RequestAttemptStatusType,
    RequestAttemptSubscription, Subscription, SubscriptionTarget,
};
use rand::RngCore;
use uuid::Uuid;

pub fn random_key() -> CacheKey {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    CacheKey::from_bytes(bytes)
}

pub struct TempCache {
    pub _dir: tempfile::TempDir,
    pub path: PathBuf,
    pub key: CacheKey,
    pub cache: Cache,
}

pub fn temp_cache() -> anyhow::Result<TempCache> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("cache.db");
    let key = random_key();
    let cache = Cache::open(&path, &key)?;
    Ok(TempCache {
        _dir: dir,
        path,
        key,
        cache,
    })
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
}

pub fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

/// How an attempt stands.
#[derive(Clone, Copy, Debug)]
pub enum St {
    Waiting,
    Pending,
    Ok(i32),
    /// Failed with an HTTP status.
    Http(i32),
    /// Failed with a transport error (response id, no status).
    Transport,
    /// Failed without any response (subscription disabled).
    Cancelled,
}

pub struct Fixture {
    pub org: Uuid,
    pub app: Uuid,
    pub subs: Vec<Uuid>,
}

pub fn fixture() -> Fixture {
    Fixture {
        org: Uuid::new_v4(),
        app: Uuid::new_v4(),
        subs: (0..3).map(|_| Uuid::new_v4()).collect(),
    }
}

/// A UUIDv7 carrying this instant, as Hook0 gives events, attempts and responses.
pub fn v7(at: DateTime<Utc>) -> Uuid {
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        at.timestamp().max(0) as u64,
        at.timestamp_subsec_nanos(),
    );
    Uuid::new_v7(ts)
}

pub fn attempt(
    event: Uuid,
    sub: Uuid,
    created_at: DateTime<Utc>,
    retry_count: i32,
    st: St,
) -> RequestAttempt {
    attempt_with_id(v7(created_at), event, sub, created_at, retry_count, st)
}

pub fn attempt_with_id(
    id: Uuid,
    event: Uuid,
    sub: Uuid,
    created_at: DateTime<Utc>,
    retry_count: i32,
    st: St,
) -> RequestAttempt {
    let done = created_at + secs(1);
    let (type_, picked, failed, succeeded, http, response, at, since, until) = match st {
        St::Waiting => (
            RequestAttemptStatusType::Waiting,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(created_at),
            Some(created_at + secs(600)),
        ),
        St::Pending => (
            RequestAttemptStatusType::Pending,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(created_at),
            None,
        ),
        St::Ok(code) => (
            RequestAttemptStatusType::Successful,
            Some(done),
            None,
            Some(done),
            Some(code),
            Some(v7(done)),
            Some(done),
            None,
            None,
        ),
        St::Http(code) => (
            RequestAttemptStatusType::Failed,
            Some(done),
            Some(done),
            None,
            Some(code),
            Some(v7(done)),
            Some(done),
            None,
            None,
        ),
        St::Transport => (
            RequestAttemptStatusType::Failed,
            Some(done),
            Some(done),
            None,
            None,
            Some(v7(done)),
            Some(done),
            None,
            None,
        ),
        St::Cancelled => (
            RequestAttemptStatusType::Failed,
            None,
            Some(done),
            None,
            None,
            None,
            Some(done),
            None,
            None,
        ),
    };
    RequestAttempt {
        created_at,
        delay_until: until,
        event: RequestAttemptEvent {
            event_id: event,
            event_type_name: "billing.invoice.paid".into(),
        },
        event_id: event,
        failed_at: failed,
        http_response_status: http,
        picked_at: picked,
        request_attempt_id: id,
        response_id: response,
        retry_count,
        status: RequestAttemptStatus {
            at,
            full_processing_ms: at.map(|_| 120 + i64::from(retry_count)),
            since,
            type_,
            until,
        },
        subscription: RequestAttemptSubscription {
            description: Some("target".into()),
            subscription_id: sub,
        },
        succeeded_at: succeeded,
    }
}

pub fn event_record(event: Uuid, payload: &str, at: DateTime<Utc>) -> EventRecord {
    EventRecord {
        event_id: event,
        event_type_name: "billing.invoice.paid".into(),
        payload: Payload {
            content_type: "application/json".into(),
            bytes: payload.as_bytes().to_vec(),
        },
        labels: BTreeMap::from([("env".to_owned(), "prod".to_owned())]),
        metadata: BTreeMap::from([("seq".to_owned(), "1".to_owned())]),
        ip: "127.0.0.1".into(),
        occurred_at: at,
        received_at: at,
    }
}

pub fn response_record(
    id: Uuid,
    code: Option<u16>,
    error: Option<&str>,
    body: &str,
) -> ResponseRecord {
    ResponseRecord {
        response_id: id,
        http_code: code,
        headers: code.map(|_| BTreeMap::from([("content-type".into(), "text/plain".into())])),
        body: Some(ResponseBody::Text(body.into())),
        elapsed_time_ms: Some(42),
        error_name: error.map(str::to_owned),
    }
}

pub fn organization(id: Uuid) -> Organization {
    Organization {
        name: "Acme".into(),
        organization_id: id,
        plan: None,
        role: "editor".into(),
    }
}

pub fn organization_info(id: Uuid, retention_days: i32) -> OrganizationInfo {
    OrganizationInfo {
        consumption: OrganizationInfoConsumption {
            applications: None,
            events_per_day: None,
            members: None,
        },
        name: "Acme".into(),
        onboarding_steps: OrganizationInfoOnboardingSteps {
            application: OrganizationInfoOnboardingStepsApplication::Done,
            event: OrganizationInfoOnboardingStepsEvent::Done,
            event_type: OrganizationInfoOnboardingStepsEventType::Done,
            subscription: OrganizationInfoOnboardingStepsSubscription::Done,
        },
        organization_id: id,
        plan: None,
        quotas: OrganizationInfoQuotas {
            applications_per_organization_limit: 10,
            days_of_events_retention_limit: retention_days,
            events_per_day_limit: 1000,
            members_per_organization_limit: 10,
        },
        users: vec![],
    }
}

pub fn application(id: Uuid, org: Uuid) -> Application {
    Application {
        application_id: id,
        name: "Billing".into(),
        organization_id: org,
    }
}

pub fn subscription(id: Uuid, app: Uuid, url: &str) -> Subscription {
    Subscription {
        application_id: app,
        created_at: t0(),
        dedicated_workers: vec![],
        description: Some(format!("to {url}")),
        event_types: vec!["billing.invoice.paid".into()],
        is_enabled: true,
        label_key: "env".into(),
        label_value: "prod".into(),
        labels: HashMap::from([("env".into(), "prod".into())]),
        metadata: HashMap::new(),
        secret: Uuid::from_u128(0x5ec2e7_5ec2e7_5ec2e7),
        subscription_id: id,
        target: SubscriptionTarget {
            headers: serde_json::json!({"authorization": "Bearer target-credential"}),
            method: "POST".into(),
            type_: "http".into(),
            url: url.parse().unwrap(),
        },
        updated_at: t0(),
    }
}

/// Stores org, app and subscriptions of a fixture.
pub fn seed_metadata(cache: &mut Cache, f: &Fixture, retention_days: i32) -> anyhow::Result<()> {
    let mut tx = cache.ingest()?;
    tx.organization(&organization(f.org))?;
    tx.organization_info(&organization_info(f.org, retention_days))?;
    tx.application(&application(f.app, f.org))?;
    for (i, s) in f.subs.iter().enumerate() {
        tx.subscription(&subscription(
            *s,
            f.app,
            &format!("https://hooks{i}.example.test/in"),
        ))?;
    }
    tx.commit()?;
    Ok(())
}
