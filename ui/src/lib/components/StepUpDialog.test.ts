import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";

import type { ErrorDto } from "../ipc";
import StepUpDialog from "./StepUpDialog.svelte";

function open(action: (code: string) => Promise<void>, extra: Record<string, unknown> = {}) {
  const ondone = vi.fn();
  const oncancel = vi.fn();
  render(StepUpDialog, {
    props: {
      title: "Regenerate recovery codes",
      description: "Make 10 new recovery codes; the 7 unused codes you have now stop working.",
      action,
      ondone,
      oncancel,
      ...extra,
    },
  });
  return { ondone, oncancel };
}

async function enter(code: string): Promise<void> {
  await fireEvent.input(screen.getByLabelText("Code"), { target: { value: code } });
  await fireEvent.click(screen.getByRole("button", { name: "Confirm" }));
}

describe("StepUpDialog", () => {
  it("says what is approved and runs the action with the code", async () => {
    const action = vi.fn(async () => {});
    const { ondone } = open(action);

    const dialog = screen.getByRole("dialog", { name: "Regenerate recovery codes" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(dialog.getAttribute("aria-describedby")).not.toBeNull();
    expect(screen.getByText(/the 7 unused codes you have now stop working/)).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText("Code"));
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Confirm" }).disabled).toBe(true);

    await enter("123 456");

    await vi.waitFor(() => expect(ondone).toHaveBeenCalledTimes(1));
    expect(action).toHaveBeenCalledWith("123456");
  });

  it("shows a reused code inline and stays open", async () => {
    const action = vi.fn(async () => {
      throw { code: "code_reused", message: "this code was already used" } satisfies ErrorDto;
    });
    const { ondone, oncancel } = open(action);

    await enter("123456");

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Code already used");
    expect(alert.textContent).toContain("Wait for your authenticator to show the next one.");
    expect(screen.getByRole("dialog")).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>("Code").value).toBe("");
    expect(ondone).not.toHaveBeenCalled();
    expect(oncancel).not.toHaveBeenCalled();
  });

  it("shows a wrong code inline", async () => {
    open(async () => {
      throw { code: "wrong_code", message: "not the current code" } satisfies ErrorDto;
    });

    await enter("000000");

    expect((await screen.findByRole("alert")).textContent).toContain("Code not accepted");
  });

  it("hands failures that are not about the code back to the caller", async () => {
    const onfailed = vi.fn();
    const { ondone } = open(
      async () => {
        throw { code: "wrong_passphrase", message: "the current passphrase is wrong" } satisfies ErrorDto;
      },
      { failsOutside: ["wrong_passphrase"], onfailed },
    );

    await enter("123456");

    await vi.waitFor(() => expect(onfailed).toHaveBeenCalledWith({ code: "wrong_passphrase", message: "the current passphrase is wrong" }));
    expect(screen.queryByRole("alert")).toBeNull();
    expect(ondone).not.toHaveBeenCalled();
  });

  it("cancels with Esc or the Cancel button", async () => {
    const action = vi.fn(async () => {});
    const { oncancel } = open(action);

    await fireEvent.keyDown(screen.getByLabelText("Code"), { key: "Escape" });
    expect(oncancel).toHaveBeenCalledTimes(1);

    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(oncancel).toHaveBeenCalledTimes(2);
    expect(action).not.toHaveBeenCalled();
  });

  it("keeps Tab within the dialog", async () => {
    open(async () => {});
    await fireEvent.input(screen.getByLabelText("Code"), { target: { value: "123456" } });
    const confirm = screen.getByRole("button", { name: "Confirm" });
    confirm.focus();

    await fireEvent.keyDown(confirm, { key: "Tab" });
    expect(document.activeElement).toBe(screen.getByLabelText("Code"));

    await fireEvent.keyDown(screen.getByLabelText("Code"), { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(confirm);
  });
});
