import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import { OFFER, RECOVERY, strength } from "../testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection } from "../testing/mock-commands";
import EnrollmentWizard from "./EnrollmentWizard.svelte";

afterEach(() => {
  clearMocks();
});

async function fill(label: string, value: string): Promise<void> {
  await fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

function button(name: string): HTMLButtonElement {
  return screen.getByRole<HTMLButtonElement>("button", { name });
}

async function choosePassphrase(first: string, second: string = first): Promise<void> {
  await fill("Passphrase", first);
  await fill("Confirm passphrase", second);
}

describe("EnrollmentWizard", () => {
  it("enrolls: passphrase, authenticator, recovery codes, then finishes", async () => {
    const calls = mockCommands({
      assess_passphrase: () => strength({ score: 4, crack_time: "centuries" }),
      begin_enrollment: () => OFFER,
      confirm_enrollment: () => RECOVERY,
    });
    const onfinish = vi.fn();
    render(EnrollmentWizard, { props: { onfinish } });

    expect(screen.getByRole("heading", { level: 1, name: "Protect this console" })).toBeTruthy();
    await choosePassphrase("correct horse battery staple");
    await vi.waitFor(() => expect(button("Continue").disabled).toBe(false));
    expect(screen.getByRole("meter", { name: "Passphrase strength" }).getAttribute("aria-valuenow")).toBe("4");
    expect(screen.getByText("Time to guess it offline: centuries")).toBeTruthy();
    await fireEvent.click(button("Continue"));

    expect(await screen.findByRole("heading", { level: 1, name: "Add the console to your authenticator" })).toBeTruthy();
    expect(callsTo(calls, "begin_enrollment")[0]?.args).toEqual({ passphrase: "correct horse battery staple" });
    expect(screen.getByTestId("totp-secret").textContent).toBe(OFFER.secret);
    expect(screen.getByRole("img", { name: "QR code to scan with your authenticator app" }).getAttribute("src")).toBe(
      OFFER.qr_png_data_url,
    );
    expect(screen.getByText(OFFER.otpauth_uri)).toBeTruthy();
    await fill("Code", "123 456");
    await fireEvent.click(button("Confirm"));

    expect(await screen.findByRole("heading", { level: 1, name: "Save your recovery codes" })).toBeTruthy();
    expect(callsTo(calls, "confirm_enrollment")[0]?.args).toEqual({ code: "123456" });
    const list = screen.getByRole("list", { name: "Recovery codes" });
    expect(within(list).getAllByRole("listitem").map((li) => li.textContent)).toEqual(RECOVERY.codes);
    expect(button("Finish").disabled).toBe(true);
    await fireEvent.click(screen.getByLabelText("I have stored these codes somewhere safe"));
    await fireEvent.click(button("Finish"));

    expect(onfinish).toHaveBeenCalledTimes(1);
  });

  it("keeps Continue disabled for a passphrase the console does not accept", async () => {
    mockCommands({
      assess_passphrase: () =>
        strength({
          score: 1,
          acceptable: false,
          warning: "This is similar to a commonly used password.",
          suggestions: ["Add another word or two."],
          crack_time: "3 hours",
        }),
    });
    render(EnrollmentWizard, { props: { onfinish: vi.fn() } });

    await choosePassphrase("password1");

    expect(await screen.findByText("This is similar to a commonly used password.")).toBeTruthy();
    expect(screen.getByText("Not accepted: choose a stronger passphrase.")).toBeTruthy();
    expect(screen.getByText("Add another word or two.")).toBeTruthy();
    expect(button("Continue").disabled).toBe(true);
  });

  it("keeps Continue disabled while the two passphrases differ", async () => {
    const calls = mockCommands({ assess_passphrase: () => strength() });
    render(EnrollmentWizard, { props: { onfinish: vi.fn() } });

    await choosePassphrase("correct horse battery staple", "correct horse battery stapel");
    await vi.waitFor(() => expect(callsTo(calls, "assess_passphrase")).toHaveLength(1));

    expect(screen.getByText("The two passphrases differ.")).toBeTruthy();
    expect(screen.getByLabelText("Confirm passphrase").getAttribute("aria-invalid")).toBe("true");
    expect(button("Continue").disabled).toBe(true);

    await fill("Confirm passphrase", "correct horse battery staple");
    await vi.waitFor(() => expect(button("Continue").disabled).toBe(false));
  });

  it("stays on the authenticator step when the code is wrong", async () => {
    mockCommands({
      assess_passphrase: () => strength(),
      begin_enrollment: () => OFFER,
      confirm_enrollment: () => {
        throw rejection("wrong_code", "that code does not match the new secret");
      },
    });
    render(EnrollmentWizard, { props: { onfinish: vi.fn() } });
    await choosePassphrase("correct horse battery staple");
    await vi.waitFor(() => expect(button("Continue").disabled).toBe(false));
    await fireEvent.click(button("Continue"));
    await screen.findByTestId("totp-secret");

    await fill("Code", "000000");
    await fireEvent.click(button("Confirm"));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Code not accepted");
    expect(alert.textContent).toContain("that code does not match the new secret");
    expect(screen.getByTestId("totp-secret")).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>("Code").value).toBe("");
  });
});
