//! `cargo xtask bench [NAME…] [--json]`: builds the benchmarks in release, runs them, prints
//! a table (or, with `--json`, one JSON object per figure per line) and keeps the figures in
//! `target/bench/last.jsonl`.

use std::fs;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::exec::{self, Cmd};
use crate::paths;

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
    let output = Cmd::new(release.join("console-bench"), &names)
        .env("HOOK0_SANDBOX_BIN", release.join("hook0-sandbox"))
        .env("HOOK0_BENCH_DIR", &out_dir)
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
