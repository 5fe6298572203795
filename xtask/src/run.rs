//! `cargo xtask run`: from a fresh clone to the console's window on the sandbox profile.

use anyhow::bail;

use crate::exec::{self, Cmd};
use crate::paths;
use crate::setup::{self, Needs};

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let xvfb = args.iter().any(|a| a == "--xvfb");
    if let Some(unknown) = args.iter().find(|a| *a != "--xvfb") {
        bail!("unknown option `{unknown}` (cargo xtask run [--xvfb])");
    }
    setup::all(Needs {
        gui: true,
        e2e: xvfb,
        keyrings: false,
    })?;
    exec::npm(&["run", "build"]).run()?;
    exec::cargo(&["build", "-p", "hook0-console-app"]).run()?;
    let app = paths::app_binary();
    let has_display = std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
        || !cfg!(target_os = "linux");
    if xvfb {
        let app = app.to_string_lossy().into_owned();
        return Cmd::new("xvfb-run", &["-a", "-s", "-screen 0 1280x800x24", &app]).run();
    }
    if !has_display {
        bail!(
            "no display (DISPLAY and WAYLAND_DISPLAY are unset): run this from a desktop \
             session, or use `cargo xtask run --xvfb` for a virtual one"
        );
    }
    Cmd::new(app, &[]).run()
}
