import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import { rejection } from "../testing/mock-commands";
import CommandPalette from "./CommandPalette.svelte";
import { PaletteRegistry, isPaletteShortcut, isTyping, matchCommands, type PaletteCommand } from "./palette.svelte";

function command(id: string, title: string, run: PaletteCommand["run"] = () => {}, group: PaletteCommand["group"] = "Actions"): PaletteCommand {
  return { id, title, group, run };
}

describe("palette registry", () => {
  it("lets a later registration take over an id, and gives it back when removed", () => {
    const registry = new PaletteRegistry();
    const shell = command("sync-now", "Sync now");
    const page = command("sync-now", "Sync now (this page)");
    registry.register([command("go-audit", "Audit", () => {}, "Go to"), shell]);
    const unregister = registry.register([page]);

    expect(registry.commands.map((c) => c.title)).toEqual(["Audit", "Sync now (this page)"]);
    unregister();
    expect(registry.commands.map((c) => c.title)).toEqual(["Audit", "Sync now"]);
  });

  it("finds commands by every word, title starts first", () => {
    const commands = [command("a", "Clear filters"), command("b", "Focus search"), command("c", "Deliveries", () => {}, "Go to")];
    expect(matchCommands(commands, "fil cle").map((c) => c.id)).toEqual(["a"]);
    expect(matchCommands(commands, "go").map((c) => c.id)).toEqual(["c"]);
    expect(matchCommands(commands, "").map((c) => c.id)).toEqual(["a", "b", "c"]);
  });

  it("knows its shortcut and when keys are typed text", () => {
    expect(isPaletteShortcut(new KeyboardEvent("keydown", { key: "k", ctrlKey: true }), false)).toBe(true);
    expect(isPaletteShortcut(new KeyboardEvent("keydown", { key: "k", metaKey: true }), true)).toBe(true);
    expect(isPaletteShortcut(new KeyboardEvent("keydown", { key: "k", metaKey: true }), false)).toBe(false);
    const text = document.createElement("input");
    const box = document.createElement("input");
    box.type = "checkbox";
    expect(isTyping(text)).toBe(true);
    expect(isTyping(box)).toBe(false);
    expect(isTyping(document.body)).toBe(false);
  });
});

describe("CommandPalette", () => {
  function setUp(commands: PaletteCommand[]) {
    const registry = new PaletteRegistry();
    registry.register(commands);
    render(CommandPalette, { props: { registry } });
    return registry;
  }

  it("opens with the focus in its field, narrows, and runs with Enter", async () => {
    const clear = vi.fn();
    const registry = setUp([command("search", "Focus search"), command("clear", "Clear filters", clear)]);
    registry.open = true;

    const field = await screen.findByRole("combobox", { name: "Type a command or a page" });
    await waitFor(() => expect(document.activeElement).toBe(field));
    await fireEvent.input(field, { target: { value: "clear" } });
    const options = within(screen.getByRole("listbox", { name: "Commands" })).getAllByRole("option");
    expect(options.map((o) => o.textContent?.replace(/\s+/g, " ").trim())).toEqual(["Actions Clear filters"]);
    expect(field.getAttribute("aria-activedescendant")).toBe("palette-clear");

    await fireEvent.keyDown(field, { key: "Enter" });
    expect(clear).toHaveBeenCalledOnce();
    await waitFor(() => expect(registry.open).toBe(false));
  });

  it("moves with the arrows and closes with Escape", async () => {
    const second = vi.fn();
    const registry = setUp([command("one", "One"), command("two", "Two", second)]);
    registry.open = true;
    const field = await screen.findByRole("combobox");

    await fireEvent.keyDown(field, { key: "ArrowDown" });
    expect(screen.getByRole("option", { name: /Two/ }).getAttribute("aria-selected")).toBe("true");
    await fireEvent.keyDown(field, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Command palette" })).toBeNull());
    expect(second).not.toHaveBeenCalled();
  });

  it("keeps the palette open with the reason when a command fails", async () => {
    const registry = setUp([
      command("sync", "Sync now", () => Promise.reject(rejection("locked", "the console is locked"))),
    ]);
    registry.open = true;
    const field = await screen.findByRole("combobox");

    await fireEvent.keyDown(field, { key: "Enter" });
    expect((await screen.findByRole("alert")).textContent).toContain("the console is locked");
    expect(registry.open).toBe(true);
  });
});
