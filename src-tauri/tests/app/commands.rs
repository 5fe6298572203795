//! Every command in the IPC contract is registered, declared to the ACL, allowed for the main
//! window, and answers with the typed `{code, message}` error shape.

use std::sync::Arc;

use console_core::api::ClientSettings;
use console_core::gate::{GateOptions, KeyringChoice, SystemClock};
use console_core::ipc::OPEN_WHILE_LOCKED;
use console_core::vault::KdfParams;
use console_core::{Console, ErrorCode, ErrorDto};
use hook0_console_app::{AppState, register_commands};
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;

fn build_script_commands() -> Vec<String> {
    let script = include_str!("../../build.rs");
    let start = script
        .find("const COMMANDS")
        .expect("build.rs declares COMMANDS");
    let end = start + script[start..].find("];").expect("COMMANDS ends");
    script[start..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"'))
        .filter_map(|l| l.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn build_script_declares_exactly_the_contract_commands() {
    let contract: Vec<String> = console_core::ipc::command_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        build_script_commands(),
        contract,
        "build.rs COMMANDS must match ipc::COMMANDS"
    );
}

#[test]
fn the_main_window_capability_allows_each_command_and_nothing_broad() {
    let capability = include_str!("../../capabilities/main-window.json");
    for name in console_core::ipc::command_names() {
        let permission = format!("\"allow-{}\"", name.replace('_', "-"));
        assert!(
            capability.contains(&permission),
            "{permission} missing from the capability"
        );
    }
    for broad in ["fs:", "shell:", "http:", "core:default"] {
        assert!(
            !capability.contains(broad),
            "the window must not get {broad}"
        );
    }
}

fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(webview, request).map(|r| r.deserialize::<serde_json::Value>().unwrap())
}

fn console(dir: &std::path::Path) -> Result<Console, ErrorDto> {
    Console::open(
        dir,
        ClientSettings::default(),
        GateOptions {
            kdf: KdfParams::FAST_INSECURE_FOR_TESTS,
            clock: Arc::new(SystemClock),
            keyring: KeyringChoice::Off,
        },
    )
}

type Window = tauri::WebviewWindow<tauri::test::MockRuntime>;

fn app_window(
    dir: &std::path::Path,
) -> anyhow::Result<(tauri::App<tauri::test::MockRuntime>, Window)> {
    let app = register_commands(mock_builder())
        .manage(AppState::new(console(dir)))
        .build(mock_context(noop_assets()))?;
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build()?;
    Ok((app, webview))
}

/// The code an authenticator shows now for a base32 secret.
fn current_code(secret: &str) -> anyhow::Result<String> {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let totp = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        None,
        String::new(),
    );
    Ok(totp.generate_current()?)
}

/// Enrolls through the IPC, as the wizard does; leaves the console unlocked.
fn enroll(webview: &Window) -> anyhow::Result<()> {
    let offer = invoke(
        webview,
        "begin_enrollment",
        serde_json::json!({ "passphrase": "an operator passphrase that is long enough" }),
    )
    .map_err(|e| anyhow::anyhow!("begin_enrollment: {e}"))?;
    let secret = offer["secret"].as_str().unwrap_or_default().to_owned();
    invoke(
        webview,
        "confirm_enrollment",
        serde_json::json!({ "code": current_code(&secret)? }),
    )
    .map_err(|e| anyhow::anyhow!("confirm_enrollment: {e}"))?;
    Ok(())
}

fn refusal(outcome: Result<serde_json::Value, serde_json::Value>) -> Option<ErrorDto> {
    outcome
        .err()
        .and_then(|error| serde_json::from_value::<ErrorDto>(error).ok())
}

#[test]
fn while_locked_every_command_but_the_gate_s_own_refuses_with_locked() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (_app, webview) = app_window(dir.path())?;

    // First run: nothing but enrollment and status answers.
    for name in console_core::ipc::command_names() {
        if OPEN_WHILE_LOCKED.contains(&name) {
            continue;
        }
        let refused = refusal(invoke(&webview, name, serde_json::json!({})));
        assert_eq!(
            refused.map(|e| e.code),
            Some(ErrorCode::NotEnrolled),
            "{name} must refuse before enrollment"
        );
    }

    enroll(&webview)?;
    let status = invoke(&webview, "app_status", serde_json::json!({}))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(status["lock"], "unlocked");
    invoke(&webview, "lock", serde_json::json!({})).map_err(|e| anyhow::anyhow!("{e}"))?;

    for name in console_core::ipc::command_names() {
        if OPEN_WHILE_LOCKED.contains(&name) {
            continue;
        }
        let refused = refusal(invoke(&webview, name, serde_json::json!({})));
        assert_eq!(
            refused.map(|e| e.code),
            Some(ErrorCode::Locked),
            "{name} must refuse while locked"
        );
    }
    let status = invoke(&webview, "gate_status", serde_json::json!({}))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    assert_eq!(status["lock"], "locked", "{status}");
    Ok(())
}

#[test]
fn every_command_is_registered_and_errors_are_typed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (_app, webview) = app_window(dir.path())?;
    enroll(&webview)?;

    // `lock` is reached by the test above; here it would lock the console midway.
    for name in console_core::ipc::command_names() {
        if name == "lock" {
            continue;
        }
        let outcome = invoke(&webview, name, serde_json::json!({}));
        if let Err(error) = &outcome {
            let text = error.to_string();
            assert!(
                !text.contains("not found") && !text.contains("not allowed"),
                "{name} is not reachable: {text}"
            );
        }
    }

    let status = invoke(&webview, "app_status", serde_json::json!({}))
        .map_err(|e| anyhow::anyhow!("app_status failed: {e}"))?;
    assert_eq!(status["lock"], "unlocked");
    assert_eq!(status["active_profile"]["kind"], "sandbox");

    let unknown = uuid_like();
    let error = invoke(
        &webview,
        "remove_profile",
        serde_json::json!({ "id": unknown }),
    )
    .expect_err("no such profile");
    let dto: ErrorDto = serde_json::from_value(error)?;
    assert_eq!(dto.code, console_core::ErrorCode::NotFound, "{dto:?}");
    Ok(())
}

fn uuid_like() -> String {
    "01a22799-0000-7000-8000-000000000000".into()
}
