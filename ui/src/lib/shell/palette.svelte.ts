/**
 * The command palette's commands. The shell registers navigation and its own actions; a page
 * registers its actions while it is shown and removes them when it goes. A command registered
 * later hides an earlier one with the same id, so that a page can take over a shell action.
 */

/** One entry of the palette. */
export interface PaletteCommand {
  id: string;
  title: string;
  group: "Go to" | "Actions";
  /** More words it is found by. */
  keywords?: string;
  /** The shortcut shown beside it, e.g. `/` or `Ctrl+L`. */
  shortcut?: string;
  /** Runs it; a rejection (an `ErrorDto`) is shown in the palette. */
  run: () => void | Promise<unknown>;
}

export class PaletteRegistry {
  #sets = $state.raw<(readonly PaletteCommand[])[]>([]);
  /** Whether the palette is open. */
  open = $state(false);

  /** Every command, the latest registration winning for an id, in registration order. */
  get commands(): PaletteCommand[] {
    const byId = new Map<string, PaletteCommand>();
    for (const set of this.#sets) {
      for (const command of set) {
        byId.delete(command.id);
        byId.set(command.id, command);
      }
    }
    return [...byId.values()];
  }

  /** Adds `commands`. Returns the function that removes them. */
  register(commands: readonly PaletteCommand[]): () => void {
    this.#sets = [...this.#sets, commands];
    return () => {
      this.#sets = this.#sets.filter((set) => set !== commands);
    };
  }
}

/** The console's one palette. */
export const palette = new PaletteRegistry();

/**
 * The commands matching `query` (every word found in the title or keywords, case-insensitive),
 * those whose title starts with the query first.
 */
export function matchCommands(commands: readonly PaletteCommand[], query: string): PaletteCommand[] {
  const words = query.toLowerCase().split(/\s+/).filter((word) => word !== "");
  if (words.length === 0) {
    return [...commands];
  }
  const found = commands.filter((command) => {
    const text = `${command.group} ${command.title} ${command.keywords ?? ""}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
  const head = query.trim().toLowerCase();
  return found.sort(
    (a, b) => Number(b.title.toLowerCase().startsWith(head)) - Number(a.title.toLowerCase().startsWith(head)),
  );
}

/** Whether `event` opens the palette: Ctrl+K, or Cmd+K on macOS. */
export function isPaletteShortcut(event: KeyboardEvent, mac: boolean): boolean {
  if (event.key.toLowerCase() !== "k" || event.altKey || event.shiftKey) {
    return false;
  }
  return mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
}

/** Whether `target` takes typed text, where single-key shortcuts must not fire. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) {
    return false;
  }
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) {
    return true;
  }
  if (target instanceof HTMLInputElement) {
    return !["checkbox", "radio", "button", "submit", "reset", "range", "color"].includes(target.type);
  }
  return false;
}
