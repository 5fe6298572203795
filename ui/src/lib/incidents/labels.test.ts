import { describe, expect, it } from "vitest";

import {
  advanceLabel,
  deadlineText,
  humanDuration,
  instantOfInput,
  localInputValue,
  nextStatus,
  steps,
  timeLeft,
} from "./labels";
import type { SpikeAlert } from "../bindings/SpikeAlert";
import { DECLARE_HASH, incidentHash, incidentRoute, spikeDeclareHash, suggestedSeverity } from "./route";

describe("incident labels", () => {
  it("names the next step, and closing from lessons learned", () => {
    expect(advanceLabel("identification")).toBe("Move to Containment");
    expect(advanceLabel("recovery")).toBe("Move to Lessons learned");
    expect(advanceLabel("lessons_learned")).toBe("Close incident");
    expect(advanceLabel("closed")).toBeNull();
    expect(nextStatus("closed")).toBeNull();
  });

  it("marks the stepper's past, current and next steps", () => {
    expect(steps("eradication").map((s) => `${s.label}:${s.state}`)).toEqual([
      "Preparation:past",
      "Identification:past",
      "Containment:past",
      "Eradication:current",
      "Recovery:next",
      "Lessons learned:next",
      "Closed:next",
    ]);
  });

  it("says durations as people do, and — when absent", () => {
    expect(humanDuration(null)).toBe("—");
    expect(humanDuration(42)).toBe("42 s");
    expect(humanDuration(720)).toBe("12 min");
    expect(humanDuration(3 * 3600 + 300)).toBe("3 h 5 min");
    expect(humanDuration(2 * 86400 + 4 * 3600)).toBe("2 d 4 h");
  });

  it("counts a deadline down, and says when it passed", () => {
    const now = new Date("2026-11-30T17:00:00Z");
    expect(timeLeft("2026-12-02T10:00:00Z", now)).toBe("41 h left");
    expect(timeLeft("2026-11-30T17:25:00Z", now)).toBe("25 min left");
    expect(timeLeft("2026-11-30T16:00:00Z", now)).toBe("passed");
    expect(deadlineText({ label: "GDPR Art. 33", at: "2026-12-02T10:00:00Z" }, now)).toMatch(
      /^GDPR Art\. 33 — due .+ — 41 h left$/,
    );
  });

  it("round-trips a local datetime field", () => {
    const date = new Date(2026, 10, 30, 9, 5);
    expect(localInputValue(date)).toBe("2026-11-30T09:05");
    expect(instantOfInput("2026-11-30T09:05")).toBe(date.toISOString());
    expect(instantOfInput("")).toBeNull();
  });
});

describe("incident routes", () => {
  it("reads home, declare and one incident from the hash", () => {
    expect(incidentRoute("#/incidents")).toEqual({ kind: "home" });
    expect(incidentRoute(DECLARE_HASH)).toEqual({ kind: "new", spike: null });
    expect(incidentRoute(incidentHash("0190-ab"))).toEqual({ kind: "incident", id: "0190-ab" });
  });

  const SPIKE: SpikeAlert = {
    profile_id: "p-1",
    subscription_id: "sub-1",
    application_id: "app-1",
    first_failure_at: "2026-11-30T06:12:40.123Z",
    subscription: "erp.example.com/hooks & more",
    failures: 9,
    attempts: 12,
    window_minutes: 60,
    baseline_failures: 0,
    shown_by_os: true,
  };

  it("carries a failure spike to the declaration form through the hash", () => {
    expect(incidentRoute(spikeDeclareHash(SPIKE))).toEqual({
      kind: "new",
      spike: {
        application_id: "app-1",
        subscription_id: "sub-1",
        subscription: "erp.example.com/hooks & more",
        first_failure_at: "2026-11-30T06:12:40.123Z",
        failures: 9,
        attempts: 12,
        window_minutes: 60,
      },
    });
  });

  it("opens a blank form when the spike in the hash is incomplete or malformed", () => {
    const without = (name: string): string => {
      const [path, query] = spikeDeclareHash(SPIKE).split("?new&");
      const params = new URLSearchParams(query);
      params.delete(name);
      return `${path}?new&${params.toString()}`;
    };
    for (const name of ["app", "sub", "first", "failures", "attempts", "window"]) {
      expect(incidentRoute(without(name))).toEqual({ kind: "new", spike: null });
    }
    expect(incidentRoute(spikeDeclareHash({ ...SPIKE, first_failure_at: "yesterday" }))).toEqual({ kind: "new", spike: null });
    expect(incidentRoute(spikeDeclareHash(SPIKE).replace("failures=9", "failures=-3"))).toEqual({ kind: "new", spike: null });
    // Without a name, the subscription's id names it.
    expect(incidentRoute(without("target"))).toMatchObject({ spike: { subscription: "sub-1" } });
  });

  it("suggests a severity from the spike's size, never SEV1", () => {
    expect(suggestedSeverity({ failures: 6, attempts: 40 })).toBe("sev4");
    expect(suggestedSeverity({ failures: 9, attempts: 12 })).toBe("sev3");
    expect(suggestedSeverity({ failures: 60, attempts: 400 })).toBe("sev3");
    expect(suggestedSeverity({ failures: 49, attempts: 49 })).toBe("sev3");
    expect(suggestedSeverity({ failures: 50, attempts: 52 })).toBe("sev2");
    expect(suggestedSeverity({ failures: 5000, attempts: 5000 })).toBe("sev2");
  });
});
