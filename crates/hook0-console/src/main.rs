//! `hook0-console`: the console's core without a window, for scripts and for tests.
//!
//! A saved profile's token and cache key come from the vault: each invocation unlocks it
//! with the passphrase (prompt, or `--passphrase-fd`) and a code (`--totp`, or prompt), and
//! locks it when done. The built-in sandbox profile needs neither; a local `--api-url` takes
//! `HOOK0_CONSOLE_TOKEN` and `HOOK0_CONSOLE_CACHE_KEY` from the environment.

mod commands;
mod output;
mod target;
mod unlock;

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
    /// Talk to a local API (loopback only) instead of a saved profile; token from
    /// HOOK0_CONSOLE_TOKEN, cache key from HOOK0_CONSOLE_CACHE_KEY.
    #[arg(long, global = true)]
    api_url: Option<String>,
    /// Read the vault passphrase from this open file descriptor (scripts); otherwise it is
    /// asked on the terminal.
    #[arg(long, global = true, value_name = "FD")]
    passphrase_fd: Option<u32>,
    /// The authenticator code (or a recovery code) that unlocks the vault with the
    /// passphrase; otherwise it is asked on the terminal.
    #[arg(long, global = true, value_name = "CODE")]
    totp: Option<String>,
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
    /// Replay failed deliveries exactly once: plan, run, status, resume, cancel.
    #[command(subcommand)]
    Replay(commands::replay::Command),
    /// Incident records: templates, declare, checklist, phases, notes, readiness, metrics.
    #[command(subcommand)]
    Incident(commands::incident::Command),
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
            unlock: unlock::UnlockArgs {
                passphrase_fd: cli.passphrase_fd,
                totp: cli.totp,
            },
        };
        match cli.command {
            Command::Sync(args) => commands::sync::run(&selection, args).await,
            Command::Deliveries(args) => commands::deliveries::run(&selection, *args),
            Command::Failures(args) => commands::failures::run(&selection, args),
            Command::Purge(args) => commands::purge::run(&selection, args),
            Command::Show(args) => commands::show::run(&selection, args).await,
            Command::Replay(command) => commands::replay::run(&selection, command).await,
            Command::Incident(command) => commands::incident::run(&selection, command).await,
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
