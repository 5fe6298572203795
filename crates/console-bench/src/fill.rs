//! Getting data for benchmarks: attempts fetched from a sandbox process, and a cache filled
//! by the real sync (kept between runs, since a million attempts take a while to sync).

use std::path::PathBuf;

use console_core::api::{
    ApiBaseUrl, ApiClient, AttemptFilter, ClientSettings, Pacing, RequestAttempt,
};
use console_core::cache::{Cache, CacheKey};
use console_core::sync::{Cancel, ContentPolicy, SyncOptions};
use secrecy::SecretString;

use crate::emit::note;
use crate::sandbox::{self, Started};

/// The key of every benchmark cache (benchmarks hold no secrets).
pub fn key() -> CacheKey {
    CacheKey::from_bytes([42u8; 32])
}

pub fn client(started: &Started) -> anyhow::Result<ApiClient> {
    let settings = ClientSettings {
        pacing: Pacing::unlimited(8),
        ..ClientSettings::default()
    };
    let token = SecretString::from(started.service_token.clone());
    Ok(ApiClient::new(
        ApiBaseUrl::parse(&started.api_base_url)?,
        Some(&token),
        settings,
    )?)
}

/// Every attempt of one application, as the API serves them.
pub async fn attempts(
    client: &ApiClient,
    application: uuid::Uuid,
) -> anyhow::Result<Vec<RequestAttempt>> {
    let mut walk = client.complete_request_attempts(AttemptFilter::application(application));
    let mut all = Vec::new();
    while let Some(page) = walk.next_page().await {
        all.extend(page?.attempts);
    }
    Ok(all)
}

/// A cache holding about a million attempts with every payload, synced from a sandbox
/// through the real sync; reused while the schema is the same.
pub async fn million() -> anyhow::Result<PathBuf> {
    let dir = std::env::var_os("HOOK0_BENCH_DIR")
        .map_or_else(|| PathBuf::from("target/bench"), PathBuf::from);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!(
        "cache-1m-v{}.db",
        console_core::cache::latest_schema_version()
    ));
    if path.exists() {
        note(&format!("query: reusing {}", path.display()));
        return Ok(path);
    }
    let server = sandbox::start(3, 10, 140_000)?;
    note(&format!(
        "query: syncing {} attempts and every payload into {} (once)",
        server.started.attempts,
        path.display()
    ));
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let mut cache = Cache::open(&partial, &key())?;
    let options = SyncOptions {
        content: ContentPolicy::Everything,
        concurrency: 8,
        ..SyncOptions::default()
    };
    console_core::sync::sync(
        &client(&server.started)?,
        &mut cache,
        &options,
        &Cancel::new(),
        &mut |p| {
            if p.done % 200 == 0 {
                note(&format!(
                    "  {:?} {} ({} attempts)",
                    p.stage, p.done, p.attempts
                ));
            }
        },
    )
    .await?;
    cache.checkpoint()?;
    drop(cache);
    std::fs::rename(&partial, &path)?;
    Ok(path)
}
