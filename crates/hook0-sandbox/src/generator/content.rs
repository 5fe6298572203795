//! Payloads and response bodies, regenerated from the seed whenever they are served.
//!
//! Storing them for a million attempts would cost gigabytes; deriving them from
//! `(seed, row index)` costs microseconds per request and gives the same bytes every time.

use super::catalog::{CURRENCIES, FIRST_NAMES, LAST_NAMES, SERVERS};
use crate::clock::{Micros, to_datetime};
use crate::model::{ContentType, ResponseKind};
use crate::rng::Rng;
use serde_json::json;
use std::collections::BTreeMap;

const PAYLOAD_STREAM: u64 = 0x5041_594C;
const RESPONSE_STREAM: u64 = 0x5245_5350;

fn hex(rng: &mut Rng, len: usize) -> String {
    let mut s = format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64());
    s.truncate(len);
    s
}

/// The bytes of a generated event's payload.
pub fn event_payload(
    seed: u64,
    event: u32,
    event_type: &str,
    content_type: ContentType,
    occurred_at: Micros,
) -> Vec<u8> {
    let mut rng = Rng::derive(seed, PAYLOAD_STREAM, u64::from(event));
    let first = rng.pick_str(FIRST_NAMES);
    let last = rng.pick_str(LAST_NAMES);
    match content_type {
        ContentType::Binary => {
            let len = rng.between(16, 384) as usize;
            (0..len).map(|_| rng.next_u64() as u8).collect()
        }
        ContentType::Text => format!(
            "{event_type}: {first} {last} (customer cus_{}) at {}",
            hex(&mut rng, 10),
            to_datetime(occurred_at).to_rfc3339()
        )
        .into_bytes(),
        ContentType::Json => {
            let resource = event_type.split('.').nth(1).unwrap_or("object");
            let items: Vec<serde_json::Value> = (0..rng.below(5))
                .map(|i| {
                    json!({
                        "sku": format!("SKU-{:05}", rng.below(99_999)),
                        "quantity": rng.between(1, 9),
                        "unit_price_cents": rng.between(100, 49_999),
                        "position": i,
                    })
                })
                .collect();
            let body = json!({
                "id": format!("evt_{}", hex(&mut rng, 24)),
                "type": event_type,
                "occurred_at": to_datetime(occurred_at),
                "data": {
                    format!("{resource}_id"): format!("{}_{}", &resource[..resource.len().min(3)], hex(&mut rng, 12)),
                    "amount_cents": rng.between(0, 250_000),
                    "currency": rng.pick_str(CURRENCIES),
                    "customer": {
                        "id": format!("cus_{}", hex(&mut rng, 10)),
                        "name": format!("{first} {last}"),
                        "email": format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
                    },
                    "items": items,
                },
                "livemode": rng.chance(0.9),
                "api_version": "2026-06-01",
            });
            serde_json::to_vec(&body).unwrap_or_default()
        }
    }
}

/// What the simulated target answered, as `GET /responses/{id}` shows it.
#[derive(Debug, Clone)]
pub struct ResponseContent {
    pub headers: Option<BTreeMap<String, String>>,
    pub body: Vec<u8>,
}

/// The response recorded for attempt `attempt`.
pub fn response_content(
    seed: u64,
    attempt: u32,
    kind: ResponseKind,
    status: u16,
    target_url: &str,
    answered_at: Micros,
    event_type: &str,
) -> ResponseContent {
    let mut rng = Rng::derive(seed, RESPONSE_STREAM, u64::from(attempt));
    let failure = match kind {
        ResponseKind::Http => None,
        ResponseKind::Timeout => Some(String::new()),
        ResponseKind::Connection => Some(
            ": error trying to connect: tcp connect error: Connection refused (os error 111)"
                .to_owned(),
        ),
        ResponseKind::Dns => Some(
            ": error trying to connect: dns error: failed to lookup address information: \
             Name or service not known"
                .to_owned(),
        ),
    };
    if let Some(suffix) = failure {
        return ResponseContent {
            headers: None,
            body: format!("error sending request for url ({target_url}){suffix}").into_bytes(),
        };
    }
    let request_id = hex(&mut rng, 32);
    let (content_type, body): (&str, Vec<u8>) = match status {
        204 => ("text/plain", Vec::new()),
        200..=299 => (
            "application/json",
            json!({"received": true, "event_type": event_type, "request_id": request_id})
                .to_string()
                .into_bytes(),
        ),
        502 | 503 if rng.chance(0.5) => (
            "text/html",
            format!(
                "<html><head><title>{status} Bad Gateway</title></head><body><center><h1>{status}</h1></center><hr><center>{}</center></body></html>",
                rng.pick_str(SERVERS)
            )
            .into_bytes(),
        ),
        _ if rng.chance(0.05) => {
            // A compressed body the worker could not decode: not UTF-8, served as base64.
            let mut bytes = vec![0x1f, 0x8b, 0x08, 0x00];
            bytes.extend((0..rng.between(12, 64)).map(|_| rng.next_u64() as u8 | 0x80));
            ("application/octet-stream", bytes)
        }
        _ => (
            "application/json",
            json!({"error": {"code": status, "message": reason(status), "request_id": request_id}})
                .to_string()
                .into_bytes(),
        ),
    };
    let mut headers = BTreeMap::new();
    headers.insert("content-type".to_owned(), content_type.to_owned());
    headers.insert("content-length".to_owned(), body.len().to_string());
    headers.insert(
        "date".to_owned(),
        to_datetime(answered_at)
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string(),
    );
    headers.insert("server".to_owned(), rng.pick_str(SERVERS).to_owned());
    headers.insert("x-request-id".to_owned(), request_id);
    if status == 429 || status == 503 {
        headers.insert("retry-after".to_owned(), rng.between(1, 120).to_string());
    }
    ResponseContent {
        headers: Some(headers),
        body,
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    }
}
