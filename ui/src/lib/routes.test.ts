import { describe, expect, it } from "vitest";

import { PRODUCTION, SANDBOX } from "./testing/fixtures";
import { defaultPath, pathFromHash, resolve } from "./routes";

describe("pathFromHash", () => {
  it.each([
    ["", "/"],
    ["#", "/"],
    ["#/", "/"],
    ["#/deliveries", "/deliveries"],
    ["#/settings/profiles/", "/settings/profiles"],
    ["#settings/profiles", "/settings/profiles"],
    ["#/audit?x=1", "/audit"],
  ])("reads %j as %j", (hash, path) => {
    expect(pathFromHash(hash)).toBe(path);
  });
});

describe("resolve", () => {
  it("knows every page", () => {
    expect(resolve("/deliveries")).toEqual({ kind: "page", page: "deliveries" });
    expect(resolve("/settings/profiles")).toEqual({ kind: "page", page: "settings/profiles" });
    expect(resolve("/failures")).toEqual({ kind: "page", page: "failures" });
    expect(resolve("/settings/notifications")).toEqual({ kind: "page", page: "settings/notifications" });
  });

  it("sends /settings to the connection profiles", () => {
    expect(resolve("/settings")).toEqual({ kind: "redirect", to: "/settings/profiles" });
  });

  it("reports unknown paths", () => {
    expect(resolve("/nope")).toEqual({ kind: "not_found", path: "/nope" });
  });
});

describe("defaultPath", () => {
  it("opens the profiles while only the sandbox exists", () => {
    expect(defaultPath([SANDBOX])).toBe("/settings/profiles");
  });

  it("opens the deliveries once a real profile exists", () => {
    expect(defaultPath([SANDBOX, PRODUCTION])).toBe("/deliveries");
  });

  it("opens the deliveries when the list is unknown", () => {
    expect(defaultPath(null)).toBe("/deliveries");
  });
});
