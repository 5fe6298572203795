//! `cargo xtask bench [NAME…] [--json]`: builds the benchmarks in release, runs them, prints
//! a table (or, with `--json`, one JSON object per figure per line) and keeps the figures in
//! `target/bench/last.jsonl`. Without names it runs the headless benchmarks; `explorer` (the
//! real window, about three minutes plus the release app's build) runs when named.

use std::fs;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::exec::{self, Cmd};
use crate::paths;
use crate::setup::{self, Needs};
use crate::test;

pub fn bench(args: &[String]) -> anyhow::Result<()> {
    let json = args.iter().any(|a| a == "--json");
    let names: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--json")
        .collect();
    if let Some(flag) = names.iter().find(|n| n.starts_with('-')) {
        bail!("unknown option `{flag}` (cargo xtask bench [NAME…] [--json])");
    }
    // `explorer` drives the release app in a real window: it needs the GUI libraries, the
    // built front end, the app, a bare Tauri window to compare with, and a display.
    let window = names.contains(&"explorer");
    if window {
        setup::all(Needs {
            gui: true,
            e2e: true,
            keyrings: false,
        })?;
        exec::npm(&["run", "build"]).run()?;
        exec::cargo(&[
            "build",
            "--release",
            "--locked",
            "-p",
            "hook0-console-app",
            "-p",
            "bare-window",
        ])
        .run()?;
    }
    exec::cargo(&[
        "build",
        "--release",
        "--locked",
        "-p",
        "console-bench",
        "-p",
        "hook0-sandbox",
    ])
    .run()?;
    let release = paths::target().join("release");
    let out_dir = paths::target().join("bench");
    fs::create_dir_all(&out_dir)?;
    let bench_bin = release.join("console-bench");
    let has_display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let cmd = if window && cfg!(target_os = "linux") && !has_display {
        let bench_bin = bench_bin.to_string_lossy().into_owned();
        let mut args = vec!["-a", "-s", "-screen 0 1280x800x24", bench_bin.as_str()];
        args.extend_from_slice(&names);
        Cmd::new("xvfb-run", &args)
    } else {
        Cmd::new(&bench_bin, &names)
    };
    let output = cmd
        .env("HOOK0_SANDBOX_BIN", release.join("hook0-sandbox"))
        .env("HOOK0_BENCH_DIR", &out_dir)
        .env(
            "HOOK0_CONSOLE_APP",
            paths::release_binary("hook0-console-app"),
        )
        .env("HOOK0_BARE_WINDOW", paths::release_binary("bare-window"))
        .env("TAURI_DRIVER", test::tauri_driver())
        .output()
        .context("the benchmarks failed")?;
    let figures: Vec<Value> = output
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|v| v.get("bench").is_some() && v.get("metric").is_some())
        .collect();
    let lines: Vec<String> = figures.iter().map(Value::to_string).collect();
    fs::write(out_dir.join("last.jsonl"), lines.join("\n") + "\n")?;
    if json {
        for line in &lines {
            println!("{line}");
        }
    } else {
        println!("{:<10} {:<28} {:>14}  unit", "bench", "metric", "value");
        for figure in &figures {
            println!(
                "{:<10} {:<28} {:>14}  {}",
                figure["bench"].as_str().unwrap_or_default(),
                figure["metric"].as_str().unwrap_or_default(),
                figure["value"],
                figure["unit"].as_str().unwrap_or_default()
            );
        }
    }
    Ok(())
}
