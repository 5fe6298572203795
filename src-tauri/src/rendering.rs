//! How the web view draws: on Linux, without WebKitGTK's accelerated compositing.
//!
//! The console draws tables, text and one 2D-canvas chart: nothing that needs the GPU. With
//! accelerated compositing on (WebKitGTK's default), the web process kept 372 MiB after a
//! minute of scrolling the deliveries of a million-attempt cache, against 160 MiB without it,
//! and filter changes got faster too (p95 139 → 90 ms; `cargo xtask bench explorer`, Xvfb).
//! It also sidesteps the blank or flickering windows some GPU drivers give WebKitGTK.
//!
//! `HOOK0_CONSOLE_GPU_COMPOSITING=1` keeps WebKit's default, for displays where the GPU path
//! does better.

/// Turns the GPU path on when this is set to `1`.
pub const GPU_COMPOSITING_ENV: &str = "HOOK0_CONSOLE_GPU_COMPOSITING";

/// Applies the console's drawing settings to a freshly built window, before its page paints.
pub fn configure<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    if std::env::var_os(GPU_COMPOSITING_ENV).is_some_and(|v| v == "1") {
        return;
    }
    #[cfg(target_os = "linux")]
    if let Err(error) = window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    }) {
        tracing::warn!(%error, "the web view keeps its default compositing");
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}
