//! Which API and which cache a command works on: a saved profile, the built-in sandbox, or
//! an ad-hoc `--api-url`.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use console_core::api::{ApiBaseUrl, ApiClient, ClientSettings};
use console_core::cache::{Cache, CacheKey};
use console_core::profile::{ProfileKind, ProfileStore};
use hook0_sandbox::RunningSandbox;
use secrecy::SecretString;

/// Environment variable holding the API token until the vault exists.
pub const TOKEN_ENV: &str = "HOOK0_CONSOLE_TOKEN";
/// Environment variable holding the cache key (64 hex digits) until the vault exists.
pub const CACHE_KEY_ENV: &str = "HOOK0_CONSOLE_CACHE_KEY";

/// The sandbox's cache holds simulated data only, so its key need not be secret; it is still
/// encrypted like every cache.
const SANDBOX_CACHE_KEY: [u8; 32] = *b"hook0-console-sandbox-cache-key!";

/// What the command line asked for.
#[derive(Debug)]
pub struct Selection {
    pub data_dir: Option<PathBuf>,
    pub profile: Option<String>,
    pub api_url: Option<String>,
}

/// A resolved target.
#[derive(Debug)]
pub struct Target {
    pub name: String,
    pub base: Option<ApiBaseUrl>,
    pub token: Option<SecretString>,
    pub cache_path: PathBuf,
    pub key: CacheKey,
    pub is_sandbox: bool,
    /// The profile's cache retention in days (`None`: keep everything).
    pub retention_days: Option<u32>,
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
            let file: String = base
                .to_string()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            return Ok(Target {
                name: base.to_string(),
                token: token_from_env()?,
                cache_path: caches.join(format!("url-{}.db", file.trim_matches('-'))),
                key: key_from_env()?,
                base: Some(base),
                is_sandbox: false,
                retention_days: None,
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
                token: None,
                cache_path,
                key: CacheKey::from_bytes(SANDBOX_CACHE_KEY),
                is_sandbox: true,
                retention_days: profile.cache_retention_days,
            }),
            ProfileKind::Remote => Ok(Target {
                name: profile.name,
                base: Some(ApiBaseUrl::parse(&profile.api_base_url)?),
                token: token_from_env()?,
                cache_path,
                key: key_from_env()?,
                is_sandbox: false,
                retention_days: profile.cache_retention_days,
            }),
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
        if self.is_sandbox {
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
        let Some(token) = &self.token else {
            bail!("no token: set {TOKEN_ENV} (until the vault stores profile tokens)")
        };
        Ok((ApiClient::new(base.clone(), Some(token), settings)?, None))
    }

    pub fn cache_path(&self) -> &Path {
        &self.cache_path
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
