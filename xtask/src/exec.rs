//! Running commands: echo them, stream their output, and optionally keep a copy of it so the
//! test summary can be read from the runners' own closing lines.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;

use anyhow::{Context, bail};

use crate::paths;

/// A command about to run.
pub struct Cmd {
    inner: Command,
    shown: String,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>, args: &[&str]) -> Self {
        let mut inner = Command::new(program.as_ref());
        inner.args(args).current_dir(paths::root());
        let shown = std::iter::once(program.as_ref().to_string_lossy().into_owned())
            .chain(args.iter().map(|a| (*a).to_owned()))
            .collect::<Vec<_>>()
            .join(" ");
        Self { inner, shown }
    }

    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.inner.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.inner.env(key, value);
        self
    }

    /// Runs to completion; a non-zero exit is an error.
    pub fn run(mut self) -> anyhow::Result<()> {
        eprintln!("\x1b[1m$ {}\x1b[0m", self.shown);
        let status = self
            .inner
            .status()
            .with_context(|| format!("cannot start `{}`", self.shown))?;
        if !status.success() {
            bail!("`{}` failed ({status})", self.shown);
        }
        Ok(())
    }

    /// Runs to completion, streaming stdout and stderr through while keeping a copy of both.
    /// Returns whether it succeeded and everything it printed.
    pub fn run_captured(mut self) -> anyhow::Result<(bool, String)> {
        eprintln!("\x1b[1m$ {}\x1b[0m", self.shown);
        let mut child = self
            .inner
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start `{}`", self.shown))?;
        let stdout = child.stdout.take().context("no stdout pipe")?;
        let stderr = child.stderr.take().context("no stderr pipe")?;
        let out = thread::spawn(move || tee(stdout, false));
        let err = thread::spawn(move || tee(stderr, true));
        let status = child.wait()?;
        let mut text = out.join().unwrap_or_default();
        text.push_str(&err.join().unwrap_or_default());
        Ok((status.success(), text))
    }

    /// Runs and returns stdout, quietly.
    pub fn output(mut self) -> anyhow::Result<String> {
        let output = self
            .inner
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("cannot start `{}`", self.shown))?;
        if !output.status.success() {
            bail!("`{}` failed ({})", self.shown, output.status);
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

fn tee(stream: impl std::io::Read, to_stderr: bool) -> String {
    let mut copy = String::new();
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { break };
        if to_stderr {
            let _ = writeln!(std::io::stderr(), "{line}");
        } else {
            let _ = writeln!(std::io::stdout(), "{line}");
        }
        copy.push_str(&line);
        copy.push('\n');
    }
    copy
}

/// `cargo` as the current toolchain knows it.
pub fn cargo(args: &[&str]) -> Cmd {
    Cmd::new(
        std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()),
        args,
    )
}

/// `npm` in the front-end folder.
pub fn npm(args: &[&str]) -> Cmd {
    Cmd::new(if cfg!(windows) { "npm.cmd" } else { "npm" }, args).dir(paths::ui())
}

/// Whether a program is on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            let candidate = dir.join(program);
            candidate.is_file() || candidate.with_extension("exe").is_file()
        })
    })
}
