//! A profile's cache retention: saved through the console, kept in `profiles.json`, optional
//! in older files, refused out of range.

use std::fs;

use console_core::api::ClientSettings;
use console_core::profile::{AuthMethod, ProfileDraft, ProfileError, ProfileStore};

fn draft(days: Option<u32>) -> ProfileDraft {
    ProfileDraft {
        id: None,
        name: "Production".into(),
        api_base_url: "https://app.hook0.com/api/v1/".into(),
        auth_method: AuthMethod::ApiToken,
        token: None,
        email: None,
        password: None,
        default_organization_id: None,
        cache_retention_days: days,
    }
}

#[tokio::test]
async fn the_retention_is_saved_shown_and_kept_across_restarts() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (console, gate) =
        crate::gate_support::enrolled_console(dir.path(), ClientSettings::default())?;
    let saved = console.save_profile(draft(Some(30))).await?;
    assert_eq!(saved.cache_retention_days, Some(30));
    let sandbox = console
        .list_profiles()?
        .into_iter()
        .find(|p| p.id != saved.id)
        .unwrap();
    assert_eq!(
        sandbox.cache_retention_days, None,
        "keeps everything by default"
    );
    drop(console);

    let console = gate.reopen(dir.path(), ClientSettings::default())?;
    let listed = console.list_profiles()?;
    let reopened = listed.iter().find(|p| p.id == saved.id).unwrap();
    assert_eq!(
        reopened.cache_retention_days,
        Some(30),
        "kept in profiles.json"
    );

    let cleared = console
        .save_profile(ProfileDraft {
            id: Some(saved.id),
            ..draft(None)
        })
        .await?;
    assert_eq!(cleared.cache_retention_days, None);
    let text = fs::read_to_string(dir.path().join("profiles.json"))?;
    assert!(
        !text.contains("cache_retention_days"),
        "a profile keeping everything is written as before, so older consoles still read it:\n{text}"
    );
    Ok(())
}

#[test]
fn a_retention_out_of_range_is_refused() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut store = ProfileStore::open(&dir.path().join("profiles.json"))?;
    for days in [0, 3651] {
        match store.save(draft(Some(days))) {
            Err(ProfileError::Invalid(message)) => {
                assert!(message.contains("days"), "{message}");
            }
            other => panic!("{days} days must be refused, got {other:?}"),
        }
    }
    assert_eq!(
        store.save(draft(Some(3650)))?.cache_retention_days,
        Some(3650)
    );
    Ok(())
}
