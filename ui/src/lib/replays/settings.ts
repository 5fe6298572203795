/**
 * The replay settings form: the four fields the operator may change, read from and merged back
 * into the settings the back end holds, so that the run fields the form does not show pass
 * through unchanged.
 */
import type { ReplaySettingsView } from "../bindings/ReplaySettingsView";

/** The fields as number inputs bind them: `null` while a field is empty. */
export interface SettingsForm {
  rate: number | null;
  inFlight: number | null;
  deadline: number | null;
  waiver: boolean;
}

export const LIMITS = {
  rate: [1, 10],
  inFlight: [1, 4],
  deadline: [1, 120],
} as const;

export function formOf(settings: ReplaySettingsView): SettingsForm {
  return {
    rate: settings.run.rate_per_second,
    inFlight: settings.run.in_flight,
    deadline: settings.verify_deadline_minutes,
    waiver: settings.single_event_without_step_up,
  };
}

function whole(value: number | null, [min, max]: readonly [number, number]): number | null {
  return value !== null && Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/** What is wrong with each field, by field; empty when the form is valid. */
export function formProblems(form: SettingsForm): Partial<Record<keyof typeof LIMITS, string>> {
  const problems: Partial<Record<keyof typeof LIMITS, string>> = {};
  for (const key of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const [min, max] = LIMITS[key];
    if (whole(form[key], LIMITS[key]) === null) {
      problems[key] = `A whole number from ${min} to ${max}.`;
    }
  }
  return problems;
}

/** `base` with the form applied; `null` while the form is not valid. */
export function applyForm(base: ReplaySettingsView, form: SettingsForm): ReplaySettingsView | null {
  const rate = whole(form.rate, LIMITS.rate);
  const inFlight = whole(form.inFlight, LIMITS.inFlight);
  const deadline = whole(form.deadline, LIMITS.deadline);
  if (rate === null || inFlight === null || deadline === null) {
    return null;
  }
  return {
    single_event_without_step_up: form.waiver,
    run: { ...base.run, rate_per_second: rate, in_flight: inFlight },
    verify_deadline_minutes: deadline,
  };
}
