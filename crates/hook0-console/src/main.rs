//! `hook0-console`: the console's core without a window, for scripts and for tests.
//!
//! The cache key and tokens come from the vault once it exists; until then a real profile
//! needs `HOOK0_CONSOLE_TOKEN` and `HOOK0_CONSOLE_CACHE_KEY` (64 hex digits) in the
//! environment. The built-in sandbox profile needs neither.

mod commands;
mod output;
mod target;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Hook0 Console from the command line.
#[derive(Debug, Parser)]
#[command(name = "hook0-console", version, about)]
struct Cli {
    /// Where profiles and caches live (default: the app's data directory).
    #[arg(long, global = true, env = "HOOK0_CONSOLE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Profile name or id (default: the active profile).
    #[arg(long, global = true)]
    profile: Option<String>,
    /// Talk to this API base URL instead of a saved profile (token from HOOK0_CONSOLE_TOKEN).
    #[arg(long, global = true)]
    api_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fill the local cache from the API (incremental and resumable).
    Sync(commands::sync::Args),
    /// List deliveries from the cache, filtered, newest first.
    Deliveries(Box<commands::deliveries::Args>),
    /// Failures grouped by cause and target.
    Failures(commands::failures::Args),
    /// Remove old or named data from the cache.
    Purge(commands::purge::Args),
    /// One delivery in full: attempt, delivery chain, payload, response.
    Show(commands::show::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hook0-console: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let selection = target::Selection {
            data_dir: cli.data_dir,
            profile: cli.profile,
            api_url: cli.api_url,
        };
        match cli.command {
            Command::Sync(args) => commands::sync::run(&selection, args).await,
            Command::Deliveries(args) => commands::deliveries::run(&selection, *args),
            Command::Failures(args) => commands::failures::run(&selection, args),
            Command::Purge(args) => commands::purge::run(&selection, args),
            Command::Show(args) => commands::show::run(&selection, args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hook0-console: {error:#}");
            ExitCode::FAILURE
        }
    }
}
