import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";

import type { ReplaySettingsView } from "../bindings/ReplaySettingsView";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import { RUN_CONFIG, replaySettings } from "../testing/replay-fixtures";
import ReplaySettings from "./ReplaySettings.svelte";

afterEach(() => {
  clearMocks();
});

async function setUp(handlers: CommandHandlers = {}) {
  const calls = mockCommands({ replay_settings: () => replaySettings(), ...handlers });
  const { container } = render(ReplaySettings);
  const details = container.querySelector("details")!;
  expect(screen.queryByLabelText("Replays per second")).toBeNull();
  details.open = true;
  await fireEvent(details, new Event("toggle"));
  await screen.findByLabelText("Replays per second");
  return calls;
}

function saves(calls: Awaited<ReturnType<typeof setUp>>): { settings: ReplaySettingsView; code: string | null }[] {
  return callsTo(calls, "set_replay_settings").map((c) => c.args as { settings: ReplaySettingsView; code: string | null });
}

describe("ReplaySettings", () => {
  it("saves the pace and deadline, passing the other run fields through", async () => {
    const calls = await setUp({ set_replay_settings: ({ settings }) => settings });
    expect(screen.getByLabelText<HTMLInputElement>("Replays per second").value).toBe("5");

    await fireEvent.input(screen.getByLabelText("Replays per second"), { target: { value: "8" } });
    await fireEvent.input(screen.getByLabelText("Requests in flight"), { target: { value: "4" } });
    await fireEvent.input(screen.getByLabelText("Verification deadline (minutes)"), { target: { value: "45" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));

    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(saves(calls)).toEqual([
      {
        settings: { single_event_without_step_up: false, run: { ...RUN_CONFIG, rate_per_second: 8, in_flight: 4 }, verify_deadline_minutes: 45 },
        code: null,
      },
    ]);
  });

  it("refuses a rate out of range before asking the back end", async () => {
    const calls = await setUp();

    await fireEvent.input(screen.getByLabelText("Replays per second"), { target: { value: "20" } });

    expect(screen.getByText("A whole number from 1 to 10.")).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Save settings" }).disabled).toBe(true);
    expect(saves(calls)).toHaveLength(0);
  });

  it("asks a code to turn the single-event waiver on, and saves with it", async () => {
    const calls = await setUp({
      set_replay_settings: ({ settings, code }) => {
        if (code === null) {
          throw rejection("step_up_required", "A fresh code is needed to change this.");
        }
        return settings;
      },
    });

    await fireEvent.click(screen.getByRole("switch", { name: "Replay a single event without a code" }));
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));

    const dialog = await screen.findByRole("dialog", { name: "Allow single-event replays without a code" });
    await fireEvent.input(within(dialog).getByLabelText("Code"), { target: { value: "654321" } });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Save settings" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(saves(calls).map((s) => [s.settings.single_event_without_step_up, s.code])).toEqual([
      [true, null],
      [true, "654321"],
    ]);
    expect(screen.getByRole("switch", { name: "Replay a single event without a code" }).getAttribute("aria-checked")).toBe("true");
    expect(screen.getByText("Saved.")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
