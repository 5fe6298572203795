import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { HashRouter } from "./router.svelte";

let router: HashRouter | null = null;

beforeEach(() => {
  window.history.replaceState(null, "", "/#/audit");
});

afterEach(() => {
  router?.destroy();
  router = null;
});

describe("HashRouter", () => {
  it("starts from the current hash", () => {
    router = new HashRouter();
    expect(router.path).toBe("/audit");
  });

  it("follows hash changes", () => {
    router = new HashRouter();
    window.location.hash = "#/replays";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    expect(router.path).toBe("/replays");
  });

  it("replaces the path without a new history entry", () => {
    router = new HashRouter();
    const length = window.history.length;
    router.replace("/settings/profiles");
    expect(router.path).toBe("/settings/profiles");
    expect(window.location.hash).toBe("#/settings/profiles");
    expect(window.history.length).toBe(length);
  });

  it("stops following the location once destroyed", () => {
    router = new HashRouter();
    router.destroy();
    window.location.hash = "#/incidents";
    window.dispatchEvent(new HashChangeEvent("hashchange"));
    expect(router.path).toBe("/audit");
  });
});
