//! Project automation, run as `cargo xtask <command>`.
//!
//! `run` and `test` are the two commands a new developer needs: each first installs what is
//! missing (Debian packages when root or sudo is available, the front end's npm packages,
//! tauri-driver), so a fresh machine goes from clone to window, or to a full green suite, in
//! one step.

mod bench;
mod exec;
mod paths;
mod run;
mod setup;
mod test;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  run [--xvfb]     install what is missing, build, open the console on the sandbox
  test             install what is missing, then every check and test (CI runs this)
  setup            only install what is missing
  bindings         regenerate the TypeScript bindings in ui/src/lib/bindings
  bench [NAME…] [--json]
                   run benchmarks (ingest, sync, query, replay; explorer when named: the
                   release app in a real window) in release; figures also in
                   target/bench/last.jsonl
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run::run(&args[1..]),
        Some("test") => test::test(),
        Some("bench") => bench::bench(&args[1..]),
        Some("setup") => setup::all(setup::Needs::everything()),
        Some("bindings") => {
            exec::cargo(&["test", "-p", "console-core", "--test", "core", "bindings"])
                .env("UPDATE_BINDINGS", "1")
                .run()
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}
