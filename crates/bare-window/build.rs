//! Reads this crate's own minimal `tauri.conf.json`.

fn main() {
    tauri_build::build();
}
