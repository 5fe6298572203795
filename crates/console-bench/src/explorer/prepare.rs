//! A data directory the real app opens as an operator would find it: enrolled, locked, and
//! the built-in sandbox profile's cache holding the benchmarks' million attempts.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use console_core::Console;
use console_core::api::ClientSettings;
use console_core::cache::{CacheKey, CacheReader};
use console_core::gate::{GateOptions, KeyringChoice, SystemClock};
use console_core::profile::ProfileKind;
use console_core::vault::KdfParams;
use console_e2e::{Authenticator, PASSPHRASE};

use crate::emit::note;
use crate::fill;
use crate::query::{self, Universe};

/// What the measurement needs from the preparation.
pub struct Prepared {
    pub data_dir: PathBuf,
    /// Knows the enrolled secret and the step the enrollment used.
    pub authenticator: Authenticator,
    /// The cached data, to build realistic filters.
    pub universe: Universe,
    pub event_types: Vec<String>,
    pub attempts: i64,
}

/// Where the data directory goes unless `HOOK0_BENCH_EXPLORER_DIR` says otherwise (it holds
/// a copy of the million-attempt cache: point it elsewhere when the disk is short).
pub const DIR_ENV: &str = "HOOK0_BENCH_EXPLORER_DIR";

/// Builds `<bench dir>/explorer/data` afresh (the app writes into it, so every run starts
/// from the same state).
pub async fn data_dir() -> anyhow::Result<Prepared> {
    let million = fill::million().await?;
    let explorer_dir = std::env::var_os(DIR_ENV).map_or_else(
        || {
            million
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
                .join("explorer")
        },
        PathBuf::from,
    );
    let data_dir = explorer_dir.join("data");
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)?;
    }
    std::fs::create_dir_all(&data_dir)?;
    let data_dir = data_dir.canonicalize()?;

    let console = Console::open(
        &data_dir,
        ClientSettings::default(),
        GateOptions {
            kdf: KdfParams::FAST_INSECURE_FOR_TESTS,
            clock: Arc::new(SystemClock),
            keyring: KeyringChoice::Off,
        },
    )?;
    let offer = console.begin_enrollment(PASSPHRASE.to_owned())?;
    let mut authenticator = Authenticator::new(offer.secret)?;
    let (code, step) = authenticator.fresh_code(None).await?;
    console.confirm_enrollment(&code)?;
    authenticator.mark_used(step);
    let sandbox = console
        .list_profiles()?
        .into_iter()
        .find(|p| p.kind == ProfileKind::Sandbox)
        .ok_or_else(|| anyhow::anyhow!("a new console has no sandbox profile"))?;
    let target = console.cache_path(sandbox.id);
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    place_rekeyed(&million, &target)?;
    console.lock()?;
    drop(console);

    let reader = CacheReader::open(&target, &CacheKey::sandbox())?;
    let conn = reader.conn();
    let attempts: i64 = conn.query_row("SELECT count(*) FROM attempt", [], |r| r.get(0))?;
    let universe = query::universe(conn)?;
    let mut stmt = conn.prepare(
        "SELECT t.name FROM event_type t JOIN attempt a ON a.event_type_id = t.id \
         GROUP BY t.name ORDER BY count(*) DESC LIMIT 5",
    )?;
    let event_types = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    note(&format!(
        "explorer: enrolled console in {}, sandbox cache {} ({attempts} attempts)",
        data_dir.display(),
        target.display()
    ));
    Ok(Prepared {
        data_dir,
        authenticator,
        universe,
        event_types,
        attempts,
    })
}

/// A copy of the million-attempt cache at `target`, re-keyed to the sandbox profile's key.
/// Only one copy is ever made (the files are large and disks are shared): it is re-keyed in
/// place, without a rollback journal — a failure leaves only a copy to throw away.
fn place_rekeyed(million: &Path, target: &Path) -> anyhow::Result<()> {
    note(&format!(
        "explorer: copying {} and re-keying it for the sandbox profile",
        million.display()
    ));
    std::fs::copy(million, target)?;
    {
        let conn = rusqlite::Connection::open(target)?;
        conn.execute_batch(&pragma("key", &fill::key()))?;
        let version: String = conn.query_row("PRAGMA cipher_version", [], |r| r.get(0))?;
        anyhow::ensure!(!version.is_empty(), "SQLCipher is not linked");
        let attempts: i64 = conn.query_row("SELECT count(*) FROM attempt", [], |r| r.get(0))?;
        note(&format!(
            "explorer: SQLCipher {version}, {attempts} attempts; re-keying"
        ));
        let _: String = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        let _: String = conn.query_row("PRAGMA journal_mode = OFF", [], |r| r.get(0))?;
        conn.execute_batch(&pragma("rekey", &CacheKey::sandbox()))?;
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    }
    // The sandbox key must now open it, as the app will.
    let reader = CacheReader::open(target, &CacheKey::sandbox())?;
    let _: i64 = reader
        .conn()
        .query_row("SELECT count(*) FROM attempt", [], |r| r.get(0))?;
    Ok(())
}

/// `PRAGMA key|rekey = "x'<64 hex>'"`: a raw key, no PBKDF2.
fn pragma(name: &str, key: &CacheKey) -> String {
    let hex: String = key
        .expose_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("PRAGMA {name} = \"x'{hex}'\";")
}
