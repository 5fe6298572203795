import { afterEach, describe, expect, it, vi } from "vitest";

import { isLockShortcut, watchActivity } from "./activity";

afterEach(() => {
  vi.useRealTimers();
});

function input(target: EventTarget, type = "keydown"): void {
  target.dispatchEvent(new Event(type));
}

describe("watchActivity", () => {
  it("reports the first input at once, then at most once a minute", async () => {
    vi.useFakeTimers();
    const target = new EventTarget();
    const report = vi.fn();
    const stop = watchActivity(target, report, 60_000);

    input(target, "pointerdown");
    expect(report).toHaveBeenCalledTimes(1);

    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(5_000);
      input(target, i % 2 === 0 ? "keydown" : "wheel");
    }
    expect(report).toHaveBeenCalledTimes(1);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(report).toHaveBeenCalledTimes(2);

    await vi.advanceTimersByTimeAsync(120_000);
    expect(report).toHaveBeenCalledTimes(2);

    input(target);
    expect(report).toHaveBeenCalledTimes(3);
    stop();
  });

  it("stops listening and drops a pending report when stopped", async () => {
    vi.useFakeTimers();
    const target = new EventTarget();
    const report = vi.fn();
    const stop = watchActivity(target, report, 60_000);
    input(target);
    input(target);

    stop();
    await vi.advanceTimersByTimeAsync(120_000);
    input(target);

    expect(report).toHaveBeenCalledTimes(1);
  });
});

describe("isLockShortcut", () => {
  const key = (init: KeyboardEventInit) => new KeyboardEvent("keydown", { key: "l", ...init });

  it("is Ctrl+L elsewhere and Cmd+L on macOS", () => {
    expect(isLockShortcut(key({ ctrlKey: true }), false)).toBe(true);
    expect(isLockShortcut(key({ key: "L", ctrlKey: true }), false)).toBe(true);
    expect(isLockShortcut(key({ metaKey: true }), false)).toBe(false);
    expect(isLockShortcut(key({ metaKey: true }), true)).toBe(true);
    expect(isLockShortcut(key({ ctrlKey: true }), true)).toBe(false);
    expect(isLockShortcut(key({ ctrlKey: true, shiftKey: true }), false)).toBe(false);
    expect(isLockShortcut(key({ key: "k", ctrlKey: true }), false)).toBe(false);
  });
});
