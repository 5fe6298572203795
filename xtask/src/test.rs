//! `cargo xtask test`: every check CI runs, in the order that fails fastest, ending with one
//! closing line `summary: N passed, M failed` counted from the test runners' own reports.
//!
//! Steps after a failed one still run where they can, so one CI run shows every problem.

use std::path::PathBuf;

use anyhow::bail;

use crate::exec::{self, Cmd};
use crate::paths;
use crate::setup::{self, Needs};

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failed_steps: Vec<&'static str>,
}

impl Tally {
    fn step(&mut self, name: &'static str, ok: bool) {
        if !ok {
            self.failed_steps.push(name);
        }
    }

    fn count(&mut self, (passed, failed): (u64, u64)) {
        self.passed += passed;
        self.failed += failed;
    }
}

pub fn test() -> anyhow::Result<()> {
    setup::all(Needs::everything())?;
    let mut tally = Tally::default();

    // The app crate embeds the built front end, so it must exist before clippy sees it.
    let ui_built = exec::npm(&["run", "build"]).run().is_ok();
    tally.step("ui build", ui_built);

    let fmt = exec::cargo(&["fmt", "--all", "--check"]).run().is_ok();
    tally.step("cargo fmt --check", fmt);

    let clippy = exec::cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--",
        "-D",
        "warnings",
    ])
    .run()
    .is_ok();
    tally.step("clippy", clippy);

    let (ok, out) = rust_tests(&["--workspace", "--exclude", "console-e2e"])?;
    tally.step("rust tests", ok);
    tally.count(count_rust(&out));

    if cfg!(target_os = "linux") {
        real_keyrings(&mut tally)?;
    }

    let check = exec::npm(&["run", "check"]).run().is_ok();
    tally.step("ui type check", check);

    let (ok, out) = exec::npm(&["test"]).run_captured()?;
    tally.step("ui unit tests", ok);
    tally.count(count_vitest(&out));

    let app = exec::cargo(&["build", "--locked", "-p", "hook0-console-app"])
        .run()
        .is_ok();
    tally.step("app build", app);
    if app && ui_built {
        let (ok, out) = end_to_end()?;
        tally.step("end-to-end tests", ok);
        tally.count(count_rust(&out));
    } else {
        tally.step("end-to-end tests (not run: no app build)", false);
    }

    eprintln!();
    if !tally.failed_steps.is_empty() {
        eprintln!("failed steps: {}", tally.failed_steps.join(", "));
    }
    println!("summary: {} passed, {} failed", tally.passed, tally.failed);
    if tally.failed_steps.is_empty() && tally.failed == 0 {
        Ok(())
    } else {
        bail!("some checks failed")
    }
}

fn rust_tests(selection: &[&str]) -> anyhow::Result<(bool, String)> {
    let mut args: Vec<&str> = if exec::on_path("cargo-nextest") {
        vec!["nextest", "run", "--locked", "--no-fail-fast"]
    } else {
        vec!["test", "--locked", "--no-fail-fast"]
    };
    args.extend_from_slice(selection);
    exec::cargo(&args).run_captured()
}

/// The vault against the real Linux keyrings (ignored in the plain run): the Secret Service
/// tests in a private D-Bus session with a throwaway gnome-keyring (its files under
/// `target/`, never the developer's own), the keyutils test in a fresh session keyring as a
/// login session has. Where the kernel keyring is blocked (container seccomp profiles), the
/// step says so and skips that test; it neither fails nor counts it as passed.
fn real_keyrings(tally: &mut Tally) -> anyhow::Result<()> {
    let home = paths::target().join("keyring-test");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let tests = |filter: &str| -> Vec<String> {
        let mut args: Vec<&str> = if exec::on_path("cargo-nextest") {
            vec![
                "nextest",
                "run",
                "--locked",
                "--no-fail-fast",
                "-p",
                "console-core",
            ]
        } else {
            vec!["test", "--locked", "--no-fail-fast", "-p", "console-core"]
        };
        args.extend_from_slice(&["--test", "core"]);
        if exec::on_path("cargo-nextest") {
            args.extend_from_slice(&["--run-ignored", "only", filter]);
        } else {
            args.extend_from_slice(&[filter, "--", "--ignored"]);
        }
        std::iter::once(cargo.as_str())
            .chain(args)
            .map(String::from)
            .collect()
    };

    // `detect_prefers_the_secret_service` and `secret_service_round_trip`; not keyutils,
    // which runs below in a session keyring of its own.
    let script = format!(
        "mkdir -p -m 700 \"$XDG_RUNTIME_DIR\" \"$XDG_DATA_HOME\" && \
         printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
         exec {}",
        tests("secret_service").join(" ")
    );
    let (ok, out) = Cmd::new("dbus-run-session", &["--", "sh", "-c", &script])
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home.join("run"))
        .run_captured()?;
    let (passed, failed) = count_rust(&out);
    eprintln!("keyring tests: Secret Service: {passed} passed, {failed} failed");
    tally.step("keyring tests (Secret Service)", ok && passed > 0);
    tally.count((passed, failed));

    match Cmd::new("keyctl", &["session", "-", "true"]).output() {
        Err(e) => {
            eprintln!("keyring tests: keyutils unavailable here: {e:#} (test skipped)");
        }
        Ok(_) => {
            let args = tests("vault_keyring_real::keyutils");
            let mut argv: Vec<&str> = vec!["session", "-"];
            argv.extend(args.iter().map(String::as_str));
            let (ok, out) = Cmd::new("keyctl", &argv).run_captured()?;
            let (passed, failed) = count_rust(&out);
            eprintln!("keyring tests: keyutils: {passed} passed, {failed} failed");
            tally.step("keyring tests (keyutils)", ok && passed > 0);
            tally.count((passed, failed));
        }
    }
    Ok(())
}

/// The end-to-end tests drive the real window, so they need a display: Xvfb on Linux.
fn end_to_end() -> anyhow::Result<(bool, String)> {
    let driver = tauri_driver();
    let mut args: Vec<&str> = Vec::new();
    let runner = if exec::on_path("cargo-nextest") {
        vec![
            "nextest",
            "run",
            "--locked",
            "--no-fail-fast",
            "-p",
            "console-e2e",
            "-j",
            "1",
        ]
    } else {
        vec![
            "test",
            "--locked",
            "--no-fail-fast",
            "-p",
            "console-e2e",
            "--",
            "--test-threads=1",
        ]
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let cmd = if cfg!(target_os = "linux") && std::env::var_os("HOOK0_E2E_DISPLAY").is_none() {
        args.extend_from_slice(&["-a", "-s", "-screen 0 1280x800x24", &cargo]);
        args.extend_from_slice(&runner);
        Cmd::new("xvfb-run", &args)
    } else {
        Cmd::new(&cargo, &runner)
    };
    cmd.env("HOOK0_CONSOLE_APP", paths::app_binary())
        .env("TAURI_DRIVER", driver)
        .env(
            "HOOK0_E2E_SCREENSHOTS",
            paths::target().join("e2e-screenshots"),
        )
        .run_captured()
}

/// tauri-driver on PATH, or where `cargo install` put it.
pub fn tauri_driver() -> PathBuf {
    which("tauri-driver")
        .or_else(|| {
            let home = std::env::var_os("CARGO_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
            let candidate = home.join("bin").join("tauri-driver");
            candidate.is_file().then_some(candidate)
        })
        .unwrap_or_else(|| PathBuf::from("tauri-driver"))
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Reads nextest's `N passed, M failed` or libtest's `test result: … N passed; M failed`.
fn count_rust(output: &str) -> (u64, u64) {
    let mut passed = 0;
    let mut failed = 0;
    let mut saw_nextest = false;
    for line in output.lines() {
        let line = line.trim();
        if line.starts_with("Summary [") {
            saw_nextest = true;
            passed += number_before(line, " passed");
            failed += number_before(line, " failed");
        }
    }
    if !saw_nextest {
        for line in output.lines().filter(|l| l.starts_with("test result:")) {
            passed += number_before(line, " passed");
            failed += number_before(line, " failed");
        }
    }
    (passed, failed)
}

/// Reads vitest's `Tests  3 failed | 40 passed (43)`.
fn count_vitest(output: &str) -> (u64, u64) {
    let line = output
        .lines()
        .map(strip_ansi)
        .find(|l| l.trim_start().starts_with("Tests "))
        .unwrap_or_default();
    (
        number_before(&line, " passed"),
        number_before(&line, " failed"),
    )
}

fn number_before(line: &str, word: &str) -> u64 {
    let Some(end) = line.find(word) else { return 0 };
    let digits: String = line[..end]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().unwrap_or(0)
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nextest_and_libtest_and_vitest_summaries() {
        let nextest = "     Summary [   3.1s] 12 tests run: 10 passed, 2 failed, 1 skipped";
        assert_eq!(count_rust(nextest), (10, 2));
        let libtest = "test result: ok. 4 passed; 0 failed; 0 ignored\n\
                       test result: FAILED. 1 passed; 3 failed; 0 ignored";
        assert_eq!(count_rust(libtest), (5, 3));
        let vitest = "\x1b[2m Test Files \x1b[22m 2 passed (2)\n\x1b[2m      Tests \x1b[22m \
                      \x1b[1m\x1b[31m1 failed\x1b[39m\x1b[22m | \x1b[1m\x1b[32m7 passed\x1b[39m (8)";
        assert_eq!(count_vitest(vitest), (7, 1));
    }
}
