//! Hook0 Console's benchmarks. Each prints figures as JSON lines on stdout
//! (`{"bench", "metric", "value", "unit"}`); progress goes to stderr. `cargo xtask bench`
//! builds this in release, runs it, prints a table and keeps `target/bench/last.jsonl`.
//!
//! Figures, not verdicts: goals are stated beside each metric in the README and checked by
//! reading the figures, never by a timed test.

mod emit;
mod explorer;
mod fill;
mod ingest;
mod query;
mod replay;
mod rss;
mod sandbox;
mod sync;

use std::process::ExitCode;

/// What runs when no benchmark is named.
const BENCHES: &[&str] = &["ingest", "sync", "query", "replay"];
/// Run only when named: `explorer` needs a display and the release app.
const ON_REQUEST: &[&str] = &["explorer"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("console-bench: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        if args.first().map(String::as_str) == Some(sync::CHILD) {
            return sync::child(&args[1..]).await;
        }
        let selected: Vec<&str> = if args.is_empty() {
            BENCHES.to_vec()
        } else {
            args.iter().map(String::as_str).collect()
        };
        let (mut bare_sqlite, mut bare_http) = (None, None);
        for name in selected {
            match name {
                "ingest" => bare_sqlite = Some(ingest::run().await?),
                "sync" => bare_http = Some(sync::run().await?),
                "query" | "fts" | "groups" => query::run().await?,
                "replay" => replay::run().await?,
                "explorer" => explorer::run().await?,
                other => anyhow::bail!(
                    "unknown benchmark `{other}` (known: {BENCHES:?}, {ON_REQUEST:?})"
                ),
            }
        }
        if let (Some(sqlite), Some(http)) = (bare_sqlite, bare_http) {
            // What no sync of this cache can beat here: even a bare insert loop of the same
            // rows into the same indexes, with no HTTP at all, runs at this share of the
            // bare HTTP rate — and so does loading the rows bare and building the indexes
            // after, the way around index maintenance.
            emit::figure(
                "sync",
                "ceiling_bare_sqlite_vs_bare_http",
                sqlite.bare_rate / http,
                "ratio",
            );
            emit::figure(
                "sync",
                "ceiling_deferred_index_vs_bare_http",
                sqlite.deferred_rate / http,
                "ratio",
            );
            // A sync that deferred its indexing would still do the cache's own work (chains,
            // events, rollup): this is its best case, no HTTP.
            emit::figure(
                "sync",
                "ceiling_cache_deferred_index_vs_bare_http",
                sqlite.cache_deferred_rate / http,
                "ratio",
            );
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("console-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}
