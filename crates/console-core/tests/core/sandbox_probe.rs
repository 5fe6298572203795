//! "Test connection" against the sandbox, which answers as the real Hook0 API does.

use std::net::{Ipv4Addr, SocketAddr};

use console_core::ErrorCode;
use console_core::api::{ApiBaseUrl, ApiClient, ClientSettings, probe_connection};
use hook0_sandbox::{RunningSandbox, SandboxOptions};
use secrecy::SecretString;

async fn sandbox() -> anyhow::Result<RunningSandbox> {
    let bind = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    Ok(hook0_sandbox::start(bind, SandboxOptions::default()).await?)
}

fn client(sandbox: &RunningSandbox, token: &str) -> anyhow::Result<ApiClient> {
    let base = ApiBaseUrl::parse(sandbox.api_base_url().as_str())?;
    let token = SecretString::from(token.to_owned());
    Ok(ApiClient::new(
        base,
        Some(&token),
        ClientSettings::default(),
    )?)
}

#[tokio::test]
async fn a_service_token_sees_its_organization_and_every_application() -> anyhow::Result<()> {
    let sandbox = sandbox().await?;
    let report = probe_connection(&client(&sandbox, sandbox.service_token())?).await?;
    assert_eq!(report.organizations.len(), 1, "{report:?}");
    let organization = &report.organizations[0];
    assert_eq!(organization.id, sandbox.organization_id());
    let mut expected: Vec<String> = sandbox.applications().into_iter().map(|(_, n)| n).collect();
    expected.sort_by_key(|n| n.to_lowercase());
    let shown: Vec<String> = organization
        .applications
        .iter()
        .map(|a| a.name.clone())
        .collect();
    assert_eq!(shown, expected, "every application, sorted by name");
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn a_garbage_token_is_forbidden_with_hook0s_problem_id() -> anyhow::Result<()> {
    let sandbox = sandbox().await?;
    let error = probe_connection(&client(&sandbox, "EoQBCh0KC3dyb25nLXRva2Vu")?)
        .await
        .expect_err("the sandbox must refuse an unknown token");
    assert_eq!(error.code(), ErrorCode::Forbidden, "{error:?}");
    assert_eq!(error.problem_id(), Some("AuthInvalidBiscuit"));
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn an_application_secret_cannot_list_organizations() -> anyhow::Result<()> {
    let sandbox = sandbox().await?;
    let (application, _) = sandbox.applications()[0].clone();
    let secret = sandbox
        .application_secret(application)
        .expect("each application has a secret");
    let error = probe_connection(&client(&sandbox, &secret)?)
        .await
        .expect_err("an application-scoped token is refused outside its application");
    assert_eq!(error.code(), ErrorCode::Forbidden, "{error:?}");
    sandbox.shutdown().await;
    Ok(())
}

#[tokio::test]
async fn the_console_remembers_each_profiles_last_test_for_the_status_bar() -> anyhow::Result<()> {
    use console_core::ipc::ConnectionState;
    use console_core::profile::{AuthMethod, ProfileDraft, SandboxEndpoint};

    let sandbox = sandbox().await?;
    let dir = tempfile::tempdir()?;
    let (console, _gate) =
        crate::gate_support::enrolled_console(dir.path(), ClientSettings::default())?;
    assert!(matches!(
        console.status()?.connection,
        ConnectionState::Untested
    ));
    console.attach_sandbox(SandboxEndpoint {
        api_base_url: ApiBaseUrl::parse(sandbox.api_base_url().as_str())?,
        token: SecretString::from(sandbox.service_token().to_owned()),
    })?;
    let sandbox_profile = console.status()?.active_profile.expect("sandbox is active");
    console.test_connection(sandbox_profile.id).await?;
    assert!(matches!(
        console.status()?.connection,
        ConnectionState::Online { .. }
    ));

    let wrong = console
        .save_profile(ProfileDraft {
            id: None,
            name: "Wrong".into(),
            api_base_url: sandbox.api_base_url().to_string(),
            auth_method: AuthMethod::ApiToken,
            token: Some("not-a-biscuit".into()),
            email: None,
            password: None,
            default_organization_id: None,
            cache_retention_days: None,
        })
        .await?;
    console.set_active_profile(wrong.id)?;
    let error = console
        .test_connection(wrong.id)
        .await
        .expect_err("wrong token");
    assert_eq!(error.code, ErrorCode::Forbidden);
    match console.status()?.connection {
        ConnectionState::Offline { code, .. } => assert_eq!(code, ErrorCode::Forbidden),
        other => panic!("expected offline/forbidden, got {other:?}"),
    }

    // A blank token in the form falls back to the one held for the profile being edited.
    let retest = console
        .test_draft(ProfileDraft {
            id: Some(wrong.id),
            name: "Wrong".into(),
            api_base_url: sandbox.api_base_url().to_string(),
            auth_method: AuthMethod::ApiToken,
            token: None,
            email: None,
            password: None,
            default_organization_id: None,
            cache_retention_days: None,
        })
        .await
        .expect_err("still the wrong token");
    assert_eq!(retest.code, ErrorCode::Forbidden);
    sandbox.shutdown().await;
    Ok(())
}
