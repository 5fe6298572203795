//! The profile list on disk: first run, edits, validation, corruption, and no secret written.

use std::fs;

use console_core::profile::{AuthMethod, ProfileDraft, ProfileError, ProfileKind, ProfileStore};
use secrecy::ExposeSecret;

fn draft(name: &str, url: &str, token: Option<&str>) -> ProfileDraft {
    ProfileDraft {
        id: None,
        name: name.into(),
        api_base_url: url.into(),
        auth_method: AuthMethod::ApiToken,
        token: token.map(Into::into),
        email: None,
        password: None,
        default_organization_id: None,
        cache_retention_days: None,
    }
}

#[test]
fn first_run_creates_the_sandbox_profile_and_makes_it_active() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("profiles.json");
    let store = ProfileStore::open(&path)?;
    let profiles = store.list();
    assert_eq!(profiles.len(), 1, "only the sandbox profile on first run");
    assert_eq!(profiles[0].kind, ProfileKind::Sandbox);
    assert_eq!(store.active().map(|p| p.id), Some(profiles[0].id));
    assert!(
        path.exists(),
        "the list is written at once so the sandbox id stays stable"
    );
    let reopened = ProfileStore::open(&path)?;
    assert_eq!(
        reopened.list(),
        profiles,
        "reopening does not create a second sandbox"
    );
    Ok(())
}

#[test]
fn a_saved_profile_survives_a_restart_but_its_token_does_not_touch_disk() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("profiles.json");
    let token = "EoQBChoKCHNlY3JldC10b2tlbi1tdXN0LW5vdC1sZWFr";
    let mut store = ProfileStore::open(&path)?;
    let saved = store.save(draft(
        "Production",
        "https://app.hook0.com/api/v1",
        Some(token),
    ))?;
    assert!(saved.token_present);
    assert_eq!(saved.api_base_url, "https://app.hook0.com/api/v1/");
    assert_eq!(
        store
            .token(saved.id)
            .map(|t| t.expose_secret().to_owned())
            .as_deref(),
        Some(token)
    );

    for entry in fs::read_dir(dir.path())? {
        let bytes = fs::read(entry?.path())?;
        assert!(
            !String::from_utf8_lossy(&bytes).contains(token),
            "the token must never be written to the data directory"
        );
    }
    let reopened = ProfileStore::open(&path)?;
    let again = reopened.get(saved.id)?;
    assert_eq!(again.name, "Production");
    assert!(
        !again.token_present,
        "tokens are held in memory only until the vault exists"
    );
    Ok(())
}

#[test]
fn editing_keeps_the_token_when_the_field_is_left_blank() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut store = ProfileStore::open(&dir.path().join("profiles.json"))?;
    let saved = store.save(draft(
        "Staging",
        "https://hook0.example.com/api/v1/",
        Some("tok-1"),
    ))?;
    let mut edit = draft(
        "Staging EU",
        "https://eu.hook0.example.com/api/v1/",
        Some("  "),
    );
    edit.id = Some(saved.id);
    let edited = store.save(edit)?;
    assert_eq!(edited.name, "Staging EU");
    assert!(
        edited.token_present,
        "a blank token field keeps the current token"
    );
    Ok(())
}

#[test]
fn invalid_drafts_are_refused_with_the_reason() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut store = ProfileStore::open(&dir.path().join("profiles.json"))?;
    store.save(draft("Prod", "https://app.hook0.com/api/v1/", None))?;
    let cases = [
        (draft("", "https://a/", None), "name"),
        (draft("prod", "https://b/", None), "already exists"),
        (draft("X", "app.hook0.com", None), "absolute URL"),
        (draft("X", "ftp://a/", None), "http or https"),
        (draft("X", "https://a/", Some("Bearer abc")), "Bearer"),
        (draft("X", "https://a/", Some("ab cd")), "spaces"),
    ];
    for (bad, reason) in cases {
        match store.save(bad) {
            Err(ProfileError::Invalid(message)) => {
                assert!(
                    message.contains(reason),
                    "{message:?} should mention {reason:?}"
                )
            }
            other => panic!("expected Invalid mentioning {reason:?}, got {other:?}"),
        }
    }
    Ok(())
}

#[test]
fn the_sandbox_profile_cannot_be_edited_or_removed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut store = ProfileStore::open(&dir.path().join("profiles.json"))?;
    let sandbox = store.list()[0].id;
    assert!(matches!(
        store.remove(sandbox),
        Err(ProfileError::SandboxIsBuiltIn)
    ));
    let mut edit = draft("Renamed", "http://127.0.0.1:1/", None);
    edit.id = Some(sandbox);
    assert!(matches!(
        store.save(edit),
        Err(ProfileError::SandboxIsBuiltIn)
    ));
    Ok(())
}

#[test]
fn removing_the_active_profile_activates_another() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut store = ProfileStore::open(&dir.path().join("profiles.json"))?;
    let prod = store.save(draft("Prod", "https://app.hook0.com/api/v1/", Some("t")))?;
    store.set_active(prod.id)?;
    store.remove(prod.id)?;
    assert!(store.token(prod.id).is_none(), "its token is forgotten");
    assert_eq!(store.active().map(|p| p.kind), Some(ProfileKind::Sandbox));
    assert!(matches!(store.get(prod.id), Err(ProfileError::NotFound(_))));
    Ok(())
}

#[test]
fn a_corrupt_or_newer_file_is_reported_and_left_untouched() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("profiles.json");
    for content in [
        "{ not json".to_owned(),
        r#"{"format": 99, "active_profile_id": null, "profiles": []}"#.to_owned(),
    ] {
        fs::write(&path, &content)?;
        let error = ProfileStore::open(&path).expect_err("a bad file must not open");
        assert!(matches!(error, ProfileError::Corrupt { .. }), "{error:?}");
        assert_eq!(
            fs::read_to_string(&path)?,
            content,
            "never silently recreated"
        );
    }
    Ok(())
}
