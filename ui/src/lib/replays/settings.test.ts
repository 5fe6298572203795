import { describe, expect, it } from "vitest";

import { RUN_CONFIG, replaySettings } from "../testing/replay-fixtures";
import { applyForm, formOf, formProblems } from "./settings";

describe("replay settings form", () => {
  it("changes only the fields it shows", () => {
    const base = replaySettings();
    const form = { ...formOf(base), rate: 8, inFlight: 4, deadline: 60, waiver: true };

    expect(applyForm(base, form)).toEqual({
      single_event_without_step_up: true,
      run: { ...RUN_CONFIG, rate_per_second: 8, in_flight: 4 },
      verify_deadline_minutes: 60,
    });
  });

  it("refuses values out of range, empty or fractional", () => {
    const form = { ...formOf(replaySettings()), rate: 11, inFlight: null, deadline: 2.5 };

    expect(applyForm(replaySettings(), form)).toBeNull();
    expect(Object.keys(formProblems(form)).sort()).toEqual(["deadline", "inFlight", "rate"]);
    expect(formProblems(formOf(replaySettings()))).toEqual({});
  });
});
