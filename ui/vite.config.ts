import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

// The Tauri shell loads `ui/dist` in production and http://localhost:1420 in `tauri dev`.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Keep Rust's compiler output visible when Vite runs under `tauri dev`.
  clearScreen: false,
  envPrefix: ["VITE_", "TAURI_ENV_"],
  server: {
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    // WebKitGTK 2.50 (Linux), WKWebView on macOS 13+ (Safari 16), WebView2 (Chromium).
    target: ["es2022", "safari16", "chrome111"],
    sourcemap: false,
    // Everything is bundled: the console works offline and loads nothing from the network.
    assetsInlineLimit: 0,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    restoreMocks: true,
  },
});
