//! Running `hook0-console` against a sandbox, and reading what it stored.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use chrono::{TimeZone, Utc};
use hook0_sandbox::{RunningSandbox, SandboxOptions, ScenarioConfig};
use std::io::Write as _;
use std::sync::Arc;

use console_core::gate::{GateOptions, KeyringChoice, SystemClock};
use console_core::vault::KdfParams;

pub const KEY_HEX: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// A sandbox whose data does not change while the tests run: no rate limit, worker paused,
/// a fixed history.
pub async fn still_sandbox(events: u32) -> anyhow::Result<RunningSandbox> {
    let options = SandboxOptions {
        scenario: ScenarioConfig {
            seed: 11,
            applications: 2,
            subscriptions: 3,
            events,
            failure_rate: 0.25,
        },
        rate_limit: false,
        worker_paused: true,
        history_end: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single(),
        ..SandboxOptions::default()
    };
    Ok(hook0_sandbox::start(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), options).await?)
}

/// `hook0-console --data-dir DIR --api-url URL ARGS…` with the token and key in its env.
pub fn console(sandbox: &RunningSandbox, data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hook0-console"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--api-url", sandbox.api_base_url().as_str()])
        .args(args)
        .env("HOOK0_CONSOLE_TOKEN", sandbox.service_token())
        .env("HOOK0_CONSOLE_CACHE_KEY", KEY_HEX)
        .stdin(Stdio::null());
    command
}

/// `hook0-console --data-dir DIR ARGS…` with no token or key from the environment: the
/// built-in sandbox profile, or no profile at all.
pub fn offline_console(data_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hook0-console"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("HOOK0_CONSOLE_TOKEN")
        .env_remove("HOOK0_CONSOLE_CACHE_KEY")
        .stdin(Stdio::null());
    command
}

/// `hook0-console --data-dir DIR incident ARGS…`, stdout piped (so JSON lines).
pub fn incident(data_dir: &Path, args: &[&str]) -> anyhow::Result<Output> {
    Ok(offline_console(data_dir, &["incident"])
        .args(args)
        .output()?)
}

/// [`incident`], expecting success; the one JSON line it printed.
pub fn incident_ok(data_dir: &Path, args: &[&str]) -> anyhow::Result<serde_json::Value> {
    let out = incident(data_dir, args)?;
    assert!(
        out.status.success(),
        "incident {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)?;
    let first = text.lines().next().unwrap_or_default();
    Ok(serde_json::from_str(first)?)
}

/// Starts a sync and SIGKILLs it after it has reported `reports` progress lines (each one
/// follows a commit), or lets it end if it reports fewer. Returns whether it was killed.
pub fn sync_killed_after(
    sandbox: &RunningSandbox,
    data_dir: &Path,
    reports: usize,
) -> anyhow::Result<bool> {
    let mut child: Child = console(
        sandbox,
        data_dir,
        &["sync", "--pages-per-commit", "1", "--rate", "0", "--json"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = 0;
    while seen < reports {
        match lines.next() {
            Some(line) => {
                line?;
                seen += 1;
            }
            None => break,
        }
    }
    let killed = child.try_wait()?.is_none();
    if killed {
        child.kill()?;
    }
    child.wait()?;
    Ok(killed)
}

pub fn run_sync(sandbox: &RunningSandbox, data_dir: &Path) -> anyhow::Result<Output> {
    let output = console(
        sandbox,
        data_dir,
        &["sync", "--pages-per-commit", "1", "--rate", "0", "--json"],
    )
    .output()?;
    assert!(
        output.status.success(),
        "sync failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(output)
}

/// The one cache file under `data_dir`.
pub fn cache_file(data_dir: &Path) -> anyhow::Result<PathBuf> {
    let dir = data_dir.join("caches");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "db"))
        .collect();
    assert_eq!(files.len(), 1, "one cache in {}", dir.display());
    Ok(files.remove(0))
}

/// Every stored fact a sync decides, in a stable order (sync bookkeeping left out).
pub fn fingerprint(path: &Path) -> anyhow::Result<Vec<String>> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{KEY_HEX}'\"; PRAGMA cipher_log_level = NONE;"
    ))?;
    let mut rows = Vec::new();
    for sql in [
        "SELECT hex(uuid) || ':' || status || ':' || retry_count || ':' ||
                ifnull(http_status, '') || ':' || ifnull(hex(response_uuid), '') || ':' ||
                response_cached FROM attempt ORDER BY uuid",
        "SELECT hex(uuid) || ':' || payload_cached || ':' || ifnull(hex(payload), '')
             FROM event ORDER BY uuid",
        "SELECT hex(uuid) || ':' || ifnull(http_code, '') || ':' || ifnull(hex(body), '')
             FROM response ORDER BY uuid",
        "SELECT hex(e.uuid) || ':' || hex(s.uuid) || ':' || c.outcome || ':' || c.attempts || ':' ||
                c.runs || ':' || ifnull(c.first_failed_at, '')
             FROM chain c JOIN event e ON e.id = c.event_id
             JOIN subscription s ON s.id = c.subscription_id ORDER BY 1",
        "SELECT application_id || ':' || day || ':' || cause || ':' || subscription_id || ':' ||
                failures FROM failure_rollup ORDER BY 1",
        "SELECT key || '=' || value FROM sync_state WHERE key = 'watermark' ORDER BY scope",
    ] {
        let mut stmt = conn.prepare(sql)?;
        let mapped = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for row in mapped {
            rows.push(row?);
        }
    }
    Ok(rows)
}

pub const PASSPHRASE: &str = "a long passphrase for the command line";

pub fn gate_options() -> GateOptions {
    GateOptions {
        kdf: KdfParams::FAST_INSECURE_FOR_TESTS,
        clock: Arc::new(SystemClock),
        keyring: KeyringChoice::Off,
    }
}

pub fn code_now(secret: &str) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .expect("base32");
    totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        None,
        String::new(),
    )
    .generate_current()
    .expect("a clock after 1970")
}

/// `hook0-console --data-dir DIR ARGS…` with the passphrase on stdin (fd 0).
pub fn run_unlocking(data_dir: &Path, passphrase: &str, args: &[&str]) -> anyhow::Result<Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hook0-console"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--passphrase-fd", "0"])
        .args(args)
        .env_remove("HOOK0_CONSOLE_TOKEN")
        .env_remove("HOOK0_CONSOLE_CACHE_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        writeln!(stdin, "{passphrase}")?;
    }
    Ok(child.wait_with_output()?)
}

/// A data directory whose console is enrolled (with [`PASSPHRASE`]) and holds one saved
/// profile, "Staging", for `sandbox`, then locked: what the command line finds after the
/// window was set up. Returns the profile and the recovery codes (each run spends a code).
pub async fn saved_profile(
    sandbox: &RunningSandbox,
    data_dir: &Path,
) -> anyhow::Result<(console_core::profile::Profile, Vec<String>)> {
    use console_core::profile::{AuthMethod, ProfileDraft};

    let console = console_core::Console::open(
        data_dir,
        console_core::api::ClientSettings::default(),
        gate_options(),
    )?;
    let offer = console.begin_enrollment(PASSPHRASE.into())?;
    let recovery = console.confirm_enrollment(&code_now(&offer.secret))?.codes;
    let profile = console
        .save_profile(ProfileDraft {
            id: None,
            name: "Staging".into(),
            api_base_url: sandbox.api_base_url().to_string(),
            auth_method: AuthMethod::ApiToken,
            token: Some(sandbox.service_token().to_owned()),
            email: None,
            password: None,
            default_organization_id: None,
            cache_retention_days: None,
        })
        .await?;
    console.lock()?;
    Ok((profile, recovery))
}
