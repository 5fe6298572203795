//! console-core must build and run without any GUI: no Tauri anywhere in its dependency tree.

use std::process::Command;

#[test]
fn console_core_does_not_depend_on_tauri() -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "tree",
            "--locked",
            "-p",
            "console-core",
            "-e",
            "normal,build",
            "--prefix",
            "none",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()?;
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout)?;
    assert!(tree.lines().count() > 10, "the tree looks empty: {tree}");
    let gui: Vec<&str> = tree
        .lines()
        .filter(|l| l.starts_with("tauri") || l.starts_with("wry ") || l.starts_with("webkit2gtk"))
        .collect();
    assert!(gui.is_empty(), "console-core pulls in GUI crates: {gui:?}");
    Ok(())
}
