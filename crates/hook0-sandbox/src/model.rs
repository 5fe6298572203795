//! The rows the sandbox keeps in memory, in compact form.
//!
//! Attempts are the bulk (up to a million), so an [`Attempt`] is a small fixed-size record with
//! indices instead of ids and [`NONE`](crate::clock::NONE) instead of `Option` timestamps; ids,
//! payloads and response bodies are derived from the seed when served.

use crate::clock::{Micros, NONE};
use crate::options::Behaviour;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use uuid::Uuid;

pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone)]
pub struct Organization {
    pub id: Uuid,
    pub name: String,
    pub user_id: Uuid,
}

#[derive(Debug, Clone)]
pub struct EventType {
    pub service: String,
    pub resource: String,
    pub verb: String,
    pub name: String,
}

impl EventType {
    pub fn parse(name: &str) -> Option<Self> {
        let mut parts = name.split('.');
        let (service, resource, verb) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || [service, resource, verb].iter().any(|p| p.is_empty()) {
            return None;
        }
        Some(Self {
            service: service.to_owned(),
            resource: resource.to_owned(),
            verb: verb.to_owned(),
            name: name.to_owned(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Application {
    pub id: Uuid,
    pub name: String,
    /// The application secret: a UUID usable as a bearer on this application only.
    pub secret: Uuid,
    pub event_types: Vec<EventType>,
    pub subscriptions: Vec<u32>,
    /// Events in arrival order.
    pub events: Vec<u32>,
    /// Attempts sorted by `(created_at ASC, id DESC)`: the exact reverse of the list order.
    pub attempts: Vec<u32>,
}

impl Application {
    pub fn event_type_index(&self, name: &str) -> Option<u16> {
        self.event_types
            .iter()
            .position(|t| t.name == name)
            .and_then(|i| u16::try_from(i).ok())
    }
}

#[derive(Debug, Clone)]
pub struct Target {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: Uuid,
    pub application: u32,
    pub is_enabled: bool,
    pub event_types: Vec<u16>,
    pub description: Option<String>,
    pub secret: Uuid,
    pub metadata: BTreeMap<String, String>,
    pub labels: Labels,
    pub target: Target,
    pub created_at: Micros,
    pub updated_at: Micros,
    pub behaviour: Behaviour,
    /// When it was deleted: Hook0 keeps the row (its attempts still name it) but lists,
    /// shows and delivers to it no more.
    pub deleted_at: Option<Micros>,
    /// Attempts sorted like [`Application::attempts`].
    pub attempts: Vec<u32>,
}

impl Subscription {
    /// Hook0's matching rule: enabled, not deleted, the event's type subscribed, subscription
    /// labels ⊆ event labels.
    pub fn matches(&self, event_type: u16, labels: &Labels) -> bool {
        self.is_live()
            && self.event_types.contains(&event_type)
            && self.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
    }

    /// Enabled and not deleted: it is delivered to, and its chains retry.
    pub fn is_live(&self) -> bool {
        self.is_enabled && self.deleted_at.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentType {
    Json,
    Text,
    Binary,
}

impl ContentType {
    pub const ALL: [ContentType; 3] = [ContentType::Text, ContentType::Json, ContentType::Binary];

    pub fn as_str(self) -> &'static str {
        match self {
            ContentType::Json => "application/json",
            ContentType::Text => "text/plain",
            ContentType::Binary => "application/octet-stream+base64",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }
}

/// Where an event's payload bytes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// Regenerated from the seed and the event index when asked for.
    Generated,
    /// Index into the store's ingested payloads.
    Stored(u32),
}

#[derive(Debug, Clone)]
pub struct Event {
    pub id: Uuid,
    pub application: u32,
    pub event_type: u16,
    pub received_at: Micros,
    pub occurred_at: Micros,
    pub labels: u32,
    pub metadata: u32,
    pub ip: u32,
    pub content_type: ContentType,
    pub payload: Payload,
    /// Attempts created with the event (generated history): a contiguous range.
    pub first_attempt: u32,
    pub attempt_count: u32,
}

/// How a delivery ended, as the worker records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// The target answered; the status is in [`Attempt::http_status`].
    Http,
    Timeout,
    Connection,
    Dns,
}

impl ResponseKind {
    pub fn error_name(self, http_status: u16) -> Option<&'static str> {
        match self {
            ResponseKind::Http if (200..300).contains(&http_status) => None,
            ResponseKind::Http => Some("E_HTTP"),
            ResponseKind::Timeout => Some("E_TIMEOUT"),
            ResponseKind::Connection => Some("E_CONNECTION"),
            ResponseKind::Dns => Some("E_DNS"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptState {
    Open,
    Succeeded,
    Failed,
}

/// One request attempt; 56 bytes.
#[derive(Debug, Clone, Copy)]
pub struct Attempt {
    pub created_at: Micros,
    pub picked_at: Micros,
    /// `succeeded_at` or `failed_at` depending on `state`.
    pub finished_at: Micros,
    pub delay_until: Micros,
    pub event: u32,
    pub subscription: u32,
    pub elapsed_ms: u32,
    pub retry_count: u16,
    /// 0 when there is no HTTP status (no response, or a transport error).
    pub http_status: u16,
    pub state: AttemptState,
    pub response: Option<ResponseKind>,
}

impl Attempt {
    pub fn new(created_at: Micros, event: u32, subscription: u32, retry_count: u16) -> Self {
        Self {
            created_at,
            picked_at: NONE,
            finished_at: NONE,
            delay_until: NONE,
            event,
            subscription,
            elapsed_ms: 0,
            retry_count,
            http_status: 0,
            state: AttemptState::Open,
            response: None,
        }
    }

    pub fn is_open(&self) -> bool {
        self.state == AttemptState::Open
    }
}

/// A value table that stores each distinct value once (labels, metadata, IPs).
#[derive(Debug, Clone)]
pub struct Interner<T> {
    values: Vec<T>,
    positions: HashMap<T, u32>,
}

impl<T: Hash + Eq + Clone> Interner<T> {
    pub fn new() -> Self {
        Self {
            values: Vec::new(),
            positions: HashMap::new(),
        }
    }

    pub fn intern(&mut self, value: T) -> u32 {
        if let Some(i) = self.positions.get(&value) {
            return *i;
        }
        let i = self.values.len() as u32;
        self.positions.insert(value.clone(), i);
        self.values.push(value);
        i
    }

    pub fn get(&self, index: u32) -> Option<&T> {
        self.values.get(index as usize)
    }
}

impl<T: Hash + Eq + Clone> Default for Interner<T> {
    fn default() -> Self {
        Self::new()
    }
}
