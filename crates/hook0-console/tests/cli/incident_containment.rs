//! `hook0-console incident disable-subscription | enable-subscription` on the built-in
//! sandbox profile: the phase and the scope decide, the change goes to the (simulated) Hook0,
//! lands on the timeline, and the profile's cache agrees.

use crate::support::{incident, incident_ok as ok};
use std::path::Path;

use console_core::api::ApiBaseUrl;
use console_core::cache::{Cache, CacheKey};
use console_core::profile::ProfileStore;
use hook0_sandbox::SandboxOptions;
use uuid::Uuid;

/// Puts the built-in sandbox's subscriptions into the sandbox profile's cache, as a sync
/// would (the built-in sandbox is the same on every start); returns two subscription ids of
/// its first application.
async fn cache_subscriptions(data_dir: &Path) -> anyhow::Result<(Uuid, Uuid)> {
    let store = ProfileStore::open(&data_dir.join(console_core::console::PROFILES_FILE))?;
    let profile = store.active().expect("the sandbox profile is active");
    let sandbox = hook0_sandbox::start(
        std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0)),
        SandboxOptions::built_in_profile(),
    )
    .await?;
    let client = console_core::api::ApiClient::new(
        ApiBaseUrl::parse(sandbox.api_base_url().as_str())?,
        Some(&secrecy::SecretString::from(
            sandbox.service_token().to_owned(),
        )),
        console_core::api::ClientSettings::default(),
    )?;
    let (app, _) = sandbox.applications()[0].clone();
    let subscriptions = client.subscriptions(app).await?;
    let dir = data_dir.join(console_core::console::CACHES_DIR);
    std::fs::create_dir_all(&dir)?;
    let mut cache = Cache::open(
        &dir.join(format!("{}.db", profile.id)),
        &CacheKey::sandbox(),
    )?;
    let mut ingest = cache.ingest()?;
    for subscription in &subscriptions {
        ingest.subscription(subscription)?;
    }
    ingest.commit()?;
    sandbox.shutdown().await;
    let enabled: Vec<Uuid> = subscriptions
        .iter()
        .filter(|s| s.is_enabled)
        .map(|s| s.subscription_id)
        .collect();
    assert!(
        enabled.len() >= 2,
        "the built-in sandbox has enabled subscriptions"
    );
    Ok((enabled[0], enabled[1]))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scope_subscription_is_disabled_from_the_command_line_in_containment()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path();
    ok(data, &["list", "--json"]).ok();
    let (sub, outside) = cache_subscriptions(data).await?;
    let declared = ok(
        data,
        &[
            "declare",
            "--template",
            "delivery-outage",
            "--title",
            "Endpoint answers 500",
            "--subscription",
            &sub.to_string(),
        ],
    )?;
    let id = declared["incident"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        declared["incident"]["scope"]["subscription_ids"][0],
        sub.to_string()
    );

    let card = ok(data, &["containment", &id])?;
    assert_eq!(card["subscriptions"].as_array().map(Vec::len), Some(1));
    assert!(
        card["subscriptions"][0]["action"].is_null(),
        "nothing in Identification"
    );
    let early = incident(data, &["disable-subscription", &id, &sub.to_string()])?;
    assert!(!early.status.success());
    assert!(
        String::from_utf8_lossy(&early.stderr).contains("move on to Containment"),
        "{}",
        String::from_utf8_lossy(&early.stderr)
    );

    ok(data, &["advance", &id, "--reason", "confirmed"])?;
    let foreign = incident(data, &["disable-subscription", &id, &outside.to_string()])?;
    assert!(!foreign.status.success());
    assert!(String::from_utf8_lossy(&foreign.stderr).contains("not in the incident's scope"));

    let after = ok(data, &["disable-subscription", &id, &sub.to_string()])?;
    assert_eq!(
        after["subscriptions"][0]["is_enabled"], false,
        "the cache agrees"
    );
    let shown = ok(data, &["show", &id])?;
    let actions: Vec<&serde_json::Value> = shown["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "action")
        .collect();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["reference"]["subscription_id"], sub.to_string());
    assert_eq!(actions[0]["reference"]["is_enabled"], false);
    assert!(
        actions[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Disabled subscription")
    );

    let too_soon = incident(data, &["enable-subscription", &id, &sub.to_string()])?;
    assert!(!too_soon.status.success());
    assert!(String::from_utf8_lossy(&too_soon.stderr).contains("cannot re-enable"));
    Ok(())
}
