/**
 * Operator input while the console is unlocked pushes the idle lock back. Input comes in
 * bursts, so the gate is told at most once per interval: at the first input, then once more at
 * the end of the interval if anything happened meanwhile, so that the last input is never lost.
 */

/** The least time between two reports. */
export const ACTIVITY_REPORT_MS = 60_000;

/** What counts as the operator being there. */
export const ACTIVITY_EVENTS = ["pointerdown", "keydown", "wheel"] as const;

/** Calls `report` on input in `target`, throttled. Returns the function that stops watching. */
export function watchActivity(
  target: EventTarget,
  report: () => void,
  intervalMs: number = ACTIVITY_REPORT_MS,
): () => void {
  let last = Number.NEGATIVE_INFINITY;
  let pending: ReturnType<typeof setTimeout> | null = null;

  const send = (): void => {
    last = Date.now();
    report();
  };

  const onInput = (): void => {
    const since = Date.now() - last;
    if (since >= intervalMs) {
      send();
    } else if (pending === null) {
      pending = setTimeout(() => {
        pending = null;
        send();
      }, intervalMs - since);
    }
  };

  const options: AddEventListenerOptions = { capture: true, passive: true };
  for (const type of ACTIVITY_EVENTS) {
    target.addEventListener(type, onInput, options);
  }
  return () => {
    for (const type of ACTIVITY_EVENTS) {
      target.removeEventListener(type, onInput, options);
    }
    if (pending !== null) {
      clearTimeout(pending);
    }
  };
}

/** Whether this looks like macOS, where shortcuts use Command rather than Control. */
export function onMac(nav: Navigator = navigator): boolean {
  return /Mac|iPhone|iPad/.test(nav.platform || nav.userAgent);
}

/** Whether `event` is the "Lock now" shortcut: Ctrl+L, or Cmd+L on macOS. */
export function isLockShortcut(event: KeyboardEvent, mac: boolean): boolean {
  if (event.key.toLowerCase() !== "l" || event.altKey || event.shiftKey) {
    return false;
  }
  return mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
}
