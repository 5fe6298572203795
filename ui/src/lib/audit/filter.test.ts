import { describe, expect, it } from "vitest";

import { NO_FILTER, auditFilter, isFiltered, localToUtc, windowProblem } from "./filter";

describe("localToUtc", () => {
  it("reads a datetime-local value as local time and writes it in UTC", () => {
    const expected = new Date(2026, 2, 4, 10, 15).toISOString().replace(".000Z", "Z");
    expect(localToUtc("2026-03-04T10:15")).toBe(expected);
    expect(localToUtc("2026-03-04T10:15")?.endsWith("Z")).toBe(true);
  });

  it("ignores empty and malformed values", () => {
    expect(localToUtc("")).toBeNull();
    expect(localToUtc("yesterday")).toBeNull();
    expect(localToUtc("2026-13-45T99:99")).toBeNull();
  });
});

describe("auditFilter", () => {
  it("sends only the page size when nothing is chosen", () => {
    expect(auditFilter(NO_FILTER)).toEqual({ limit: 100 });
    expect(isFiltered(NO_FILTER)).toBe(false);
  });

  it("sends every chosen field and the page to continue from", () => {
    const form = { action: "unlock_failed", outcome: "denied", from: "2026-03-01T00:00", until: "2026-03-02T00:00" } as const;
    expect(auditFilter(form, 42)).toEqual({
      limit: 100,
      actions: ["unlock_failed"],
      outcome: "denied",
      from: localToUtc(form.from),
      until: localToUtc(form.until),
      before_seq: 42,
    });
    expect(isFiltered(form)).toBe(true);
  });
});

describe("windowProblem", () => {
  it("refuses a window that ends before it starts", () => {
    expect(windowProblem({ ...NO_FILTER, from: "2026-03-02T00:00", until: "2026-03-01T00:00" })).toMatch(/after its start/);
    expect(windowProblem({ ...NO_FILTER, from: "2026-03-02T00:00", until: "2026-03-02T00:00" })).not.toBeNull();
    expect(windowProblem({ ...NO_FILTER, from: "2026-03-01T00:00", until: "2026-03-02T00:00" })).toBeNull();
    expect(windowProblem({ ...NO_FILTER, from: "2026-03-01T00:00" })).toBeNull();
  });
});
