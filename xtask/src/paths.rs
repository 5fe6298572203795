//! Where things are, relative to the workspace root.

use std::path::PathBuf;

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The front end.
pub fn ui() -> PathBuf {
    root().join("ui")
}

/// Cargo's target directory (respects CARGO_TARGET_DIR).
pub fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// The desktop binary of a debug build.
pub fn app_binary() -> PathBuf {
    target().join("debug").join(executable("hook0-console-app"))
}

/// A binary of a release build.
pub fn release_binary(name: &str) -> PathBuf {
    target().join("release").join(executable(name))
}

fn executable(name: &str) -> String {
    if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_owned()
    }
}
