//! Installs what the build and the tests need and the machine lacks — and nothing it has.
//!
//! Debian/Ubuntu: system packages through apt-get (as root, or through `sudo -n`). Elsewhere
//! the README lists the prerequisites and this step only checks for them. npm packages are
//! installed with `npm ci` whenever `package-lock.json` changed since the last install.

use std::fs;
use std::path::Path;

use anyhow::{Context, bail};

use crate::exec::{self, Cmd};
use crate::paths;

/// What a command is about to need.
#[derive(Clone, Copy)]
pub struct Needs {
    /// The desktop app's libraries (WebKitGTK and friends).
    pub gui: bool,
    /// Xvfb, WebKitWebDriver and tauri-driver for the end-to-end tests.
    pub e2e: bool,
    /// A Secret Service, keyutils and a private D-Bus for the vault's real-keyring tests.
    pub keyrings: bool,
}

impl Needs {
    pub fn everything() -> Self {
        Self {
            gui: true,
            e2e: true,
            keyrings: true,
        }
    }
}

const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "file",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libxdo-dev",
];
/// dbus-daemon: the notification tests run a session bus of their own.
const E2E_PACKAGES: &[&str] = &["xvfb", "xauth", "webkit2gtk-driver", "dbus-daemon"];
/// gnome-keyring is the Secret Service, dbus-daemon gives `dbus-run-session`, keyutils gives
/// `keyctl` (a session keyring of its own for the kernel-keyring test).
const KEYRING_PACKAGES: &[&str] = &["gnome-keyring", "dbus-daemon", "keyutils"];
const TAURI_DRIVER_VERSION: &str = "2.0.6";
const MIN_NODE_MAJOR: u32 = 20;

pub fn all(needs: Needs) -> anyhow::Result<()> {
    if cfg!(target_os = "linux") && needs.gui {
        let mut wanted: Vec<&str> = BUILD_PACKAGES.to_vec();
        if needs.e2e {
            wanted.extend_from_slice(E2E_PACKAGES);
        }
        if needs.keyrings {
            wanted.extend_from_slice(KEYRING_PACKAGES);
        }
        system_packages(&wanted)?;
    }
    node()?;
    npm_packages()?;
    if needs.e2e {
        tauri_driver()?;
    }
    Ok(())
}

fn system_packages(wanted: &[&str]) -> anyhow::Result<()> {
    if !Path::new("/usr/bin/apt-get").exists() {
        eprintln!(
            "xtask: not a Debian/Ubuntu system; make sure the equivalents of {} are installed \
             (see README)",
            wanted.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|package| !dpkg_installed(package))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing system packages: {}", missing.join(" "));
    let is_root = Cmd::new("id", &["-u"])
        .output()
        .is_ok_and(|uid| uid.trim() == "0");
    let prefix: &[&str] = if is_root { &[] } else { &["sudo", "-n"] };
    let apt = |args: &[&str]| -> anyhow::Result<()> {
        let mut argv: Vec<&str> = prefix.to_vec();
        argv.push("apt-get");
        argv.extend_from_slice(args);
        Cmd::new(argv[0], &argv[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()
    };
    let installed = apt(&["update", "-qq"]).and_then(|()| {
        let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
        args.extend_from_slice(&missing);
        apt(&args)
    });
    installed.with_context(|| {
        format!(
            "could not install system packages; run as root: apt-get install {}",
            missing.join(" ")
        )
    })
}

fn dpkg_installed(package: &str) -> bool {
    Cmd::new("dpkg-query", &["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|status| status.contains("install ok installed"))
}

fn node() -> anyhow::Result<()> {
    let version = Cmd::new("node", &["--version"])
        .output()
        .context("Node.js is required (20 or newer): install it, then run this again")?;
    let major = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())
        .unwrap_or(0);
    if major < MIN_NODE_MAJOR {
        bail!(
            "Node.js {MIN_NODE_MAJOR} or newer is required, found {}",
            version.trim()
        );
    }
    Ok(())
}

/// `npm ci` when the lock file differs from the one installed last time.
fn npm_packages() -> anyhow::Result<()> {
    let lock = fs::read(paths::ui().join("package-lock.json"))
        .context("ui/package-lock.json is missing")?;
    let stamp_path = paths::ui().join("node_modules").join(".xtask-lock");
    if fs::read(&stamp_path).is_ok_and(|stamp| stamp == lock) {
        return Ok(());
    }
    exec::npm(&["ci", "--no-audit", "--no-fund"]).run()?;
    fs::write(&stamp_path, lock).context("cannot write the npm install stamp")?;
    Ok(())
}

fn tauri_driver() -> anyhow::Result<()> {
    if !cfg!(any(target_os = "linux", windows)) {
        eprintln!("xtask: WebDriver end-to-end tests run on Linux and Windows only");
        return Ok(());
    }
    if exec::on_path("tauri-driver") {
        return Ok(());
    }
    exec::cargo(&[
        "install",
        "tauri-driver",
        "--locked",
        "--version",
        TAURI_DRIVER_VERSION,
    ])
    .run()
}
