//! Which API and which cache a command works on: a saved profile, the built-in sandbox, or
//! an ad-hoc `--api-url` on this machine.
//!
//! A saved profile's token and cache key are in the vault: the command unlocks it (passphrase
//! and code, see [`crate::unlock`]), works, and locks it again. The built-in sandbox holds
//! simulated data only and needs no unlock. `--api-url` is for development and tests against
//! a local server: it accepts loopback addresses only, and takes its token and cache key from
//! the environment, outside the vault.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use console_core::Console;
use console_core::api::{ApiBaseUrl, ApiClient, ClientSettings, Session};
use console_core::audit::{AuditAction, AuditEntry, AuditOutcome};
use console_core::cache::{Cache, CacheKey};
use console_core::gate::{Approval, GuardedAction};
use console_core::ipc::LockState;
use console_core::profile::{ProfileKind, ProfileStore};
use hook0_sandbox::RunningSandbox;
use secrecy::SecretString;
use uuid::Uuid;

use crate::unlock::UnlockArgs;

/// Environment variable holding the token of a local `--api-url` (development and tests).
pub const TOKEN_ENV: &str = "HOOK0_CONSOLE_TOKEN";
/// Environment variable holding the cache key of a local `--api-url` (64 hex digits).
pub const CACHE_KEY_ENV: &str = "HOOK0_CONSOLE_CACHE_KEY";

/// What the command line asked for.
#[derive(Debug)]
pub struct Selection {
    pub data_dir: Option<PathBuf>,
    pub profile: Option<String>,
    pub api_url: Option<String>,
    pub unlock: UnlockArgs,
}

/// How a target authenticates.
#[derive(Debug)]
enum Access {
    /// The built-in sandbox, started on demand.
    Sandbox,
    /// A local `--api-url` with a token from the environment.
    Local(Option<SecretString>),
    /// A saved profile, through the unlocked console.
    Vault {
        console: Box<Console>,
        profile: Uuid,
        session: Session,
    },
}

/// A resolved target.
#[derive(Debug)]
pub struct Target {
    pub name: String,
    pub base: Option<ApiBaseUrl>,
    access: Access,
    pub cache_path: PathBuf,
    pub key: CacheKey,
    /// The profile's cache retention in days (`None`: keep everything).
    pub retention_days: Option<u32>,
    /// The saved profile (`None` for a local `--api-url`, which has no incident records).
    pub profile: Option<Uuid>,
    /// Where profiles, caches and incident records live.
    pub data_dir: PathBuf,
}

impl Selection {
    fn data_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => dirs::data_dir()
                .map(|d| d.join("com.hook0.console"))
                .context("no data directory on this system; pass --data-dir"),
        }
    }

    /// Resolves the profile (or URL) to an API, a token and a cache.
    pub fn resolve(&self) -> anyhow::Result<Target> {
        let data_dir = self.data_dir()?;
        let caches = data_dir.join("caches");
        if let Some(url) = &self.api_url {
            let base = ApiBaseUrl::parse(url)?;
            if !is_loopback(&base) {
                bail!(
                    "--api-url is for a server on this machine (127.0.0.1, ::1, localhost); for \
                     {base} save a profile, whose token the vault keeps"
                );
            }
            let file: String = base
                .to_string()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            return Ok(Target {
                name: base.to_string(),
                access: Access::Local(token_from_env()?),
                cache_path: caches.join(format!("url-{}.db", file.trim_matches('-'))),
                key: key_from_env()?,
                base: Some(base),
                retention_days: None,
                profile: None,
                data_dir,
            });
        }
        let store = ProfileStore::open(&data_dir.join(console_core::console::PROFILES_FILE))?;
        let profile = match &self.profile {
            Some(wanted) => store
                .list()
                .into_iter()
                .find(|p| p.name.eq_ignore_ascii_case(wanted) || p.id.to_string() == *wanted)
                .with_context(|| format!("no profile named `{wanted}`"))?,
            None => store.active().context("no active profile")?,
        };
        let cache_path = caches.join(format!("{}.db", profile.id));
        match profile.kind {
            ProfileKind::Sandbox => Ok(Target {
                name: profile.name,
                base: None,
                access: Access::Sandbox,
                cache_path,
                key: CacheKey::sandbox(),
                retention_days: profile.cache_retention_days,
                profile: Some(profile.id),
                data_dir,
            }),
            ProfileKind::Remote => {
                let gate = crate::unlock::gate_options();
                let console = Console::open(&data_dir, ClientSettings::default(), gate)?;
                crate::unlock::unlock(&console, &self.unlock)?;
                let key = console.cache_key(profile.id)?;
                let (base, session) = console.endpoint(profile.id)?;
                Ok(Target {
                    name: profile.name,
                    base: Some(base),
                    access: Access::Vault {
                        console: Box::new(console),
                        profile: profile.id,
                        session,
                    },
                    cache_path: console_cache_path(&data_dir, profile.id),
                    key,
                    retention_days: profile.cache_retention_days,
                    profile: Some(profile.id),
                    data_dir,
                })
            }
        }
    }
}

impl Target {
    /// Opens (creating) the target's cache.
    pub fn open_cache(&self) -> anyhow::Result<Cache> {
        if let Some(dir) = self.cache_path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        Ok(Cache::open(&self.cache_path, &self.key)?)
    }

    /// An API client; for the sandbox profile, starts the built-in sandbox first (kept alive
    /// by the returned handle).
    pub async fn client(
        &self,
        settings: ClientSettings,
    ) -> anyhow::Result<(ApiClient, Option<RunningSandbox>)> {
        if let Access::Vault { session, .. } = &self.access {
            let Some(base) = &self.base else {
                bail!("the profile has no API URL")
            };
            let client = ApiClient::with_session(base.clone(), session.clone(), settings)?;
            return Ok((client, None));
        }
        if matches!(self.access, Access::Sandbox) {
            let bind = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            let sandbox =
                hook0_sandbox::start(bind, hook0_sandbox::SandboxOptions::built_in_profile())
                    .await?;
            let base = ApiBaseUrl::parse(sandbox.api_base_url().as_str())?;
            let token = SecretString::from(sandbox.service_token().to_owned());
            let client = ApiClient::new(base, Some(&token), settings)?;
            return Ok((client, Some(sandbox)));
        }
        let Some(base) = &self.base else {
            bail!("the target has no API URL")
        };
        let token = match &self.access {
            Access::Local(token) => token.as_ref(),
            _ => None,
        };
        let Some(token) = token else {
            bail!("no token: set {TOKEN_ENV} for a local --api-url")
        };
        Ok((ApiClient::new(base.clone(), Some(token), settings)?, None))
    }

    /// Records an action on this target in the audit log (saved profiles only: the sandbox
    /// and local servers hold no operator data).
    pub fn audit(
        &self,
        action: AuditAction,
        outcome: AuditOutcome,
        detail: &[String],
        params: Option<[u8; 32]>,
    ) -> anyhow::Result<()> {
        if let Access::Vault {
            console, profile, ..
        } = &self.access
        {
            let mut entry = AuditEntry::operator(action, outcome)
                .target(profile.to_string())
                .with_targets(detail.iter().cloned());
            entry.params_hash = params;
            console.audit(entry)?;
        }
        Ok(())
    }

    /// Approves a guarded action on a saved profile with a fresh code (the code that unlocked
    /// this invocation is spent: this needs the next one). The sandbox and local servers need
    /// none. Returns the parameters' digest for the audit record.
    pub fn step_up(
        &self,
        action: GuardedAction,
        params: &impl serde::Serialize,
        code: Option<&str>,
    ) -> anyhow::Result<Option<[u8; 32]>> {
        Ok(self
            .approve(action, params, code)?
            .map(|approval| *approval.digest.as_bytes()))
    }

    /// Like [`Target::step_up`], returning the approval itself (for actions whose core
    /// function checks it, such as a replay job).
    pub fn approve(
        &self,
        action: GuardedAction,
        params: &impl serde::Serialize,
        code: Option<&str>,
    ) -> anyhow::Result<Option<Approval>> {
        let Access::Vault { console, .. } = &self.access else {
            return Ok(None);
        };
        let Some(code) = code else {
            bail!(
                "{} on a saved profile needs a fresh authenticator code: pass --approve-code \
                 (the next code after the one given to --totp)",
                action.name().replace('_', " ")
            );
        };
        Ok(Some(console.step_up(action, params, code)?))
    }

    /// What the vault says about readiness: `None` for the sandbox and local servers, which
    /// have no vault; otherwise the unused recovery codes left.
    pub fn recovery_codes_left(&self) -> anyhow::Result<Option<u32>> {
        match &self.access {
            Access::Vault { console, .. } => {
                Ok(Some(console.security_settings()?.recovery_codes_left))
            }
            _ => Ok(None),
        }
    }

    /// Locks the vault again (credentials refreshed meanwhile are sealed back first).
    /// Dropping the target does the same, reporting a failure on stderr.
    pub fn finish(&self) -> anyhow::Result<()> {
        if let Access::Vault { console, .. } = &self.access {
            console.lock()?;
        }
        Ok(())
    }

    pub fn cache_path(&self) -> &Path {
        &self.cache_path
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Access::Vault { console, .. } = &self.access
            && console
                .gate_status()
                .is_ok_and(|s| s.lock == LockState::Unlocked)
            && let Err(error) = console.lock()
        {
            eprintln!("hook0-console: the vault could not be locked cleanly: {error}");
        }
    }
}

fn console_cache_path(data_dir: &Path, profile: Uuid) -> PathBuf {
    data_dir
        .join(console_core::console::CACHES_DIR)
        .join(format!("{profile}.db"))
}

fn is_loopback(base: &ApiBaseUrl) -> bool {
    let Ok(url) = url::Url::parse(&base.to_string()) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn token_from_env() -> anyhow::Result<Option<SecretString>> {
    Ok(std::env::var(TOKEN_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(SecretString::from))
}

fn key_from_env() -> anyhow::Result<CacheKey> {
    let hex = std::env::var(CACHE_KEY_ENV).with_context(|| {
        format!("set {CACHE_KEY_ENV} to 64 hex digits (until the vault supplies the cache key)")
    })?;
    let hex = hex.trim();
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("{CACHE_KEY_ENV} must be exactly 64 hex digits");
    }
    let mut bytes = [0u8; 32];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)?;
    }
    Ok(CacheKey::from_bytes(bytes))
}
