import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Profile } from "../bindings/Profile";
import type { ErrorDto } from "../ipc";
import { OPERATOR, PRODUCTION, REPORT, SANDBOX } from "../testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection } from "../testing/mock-commands";
import ProfileList from "./ProfileList.svelte";

afterEach(() => {
  clearMocks();
});

function renderList(activeId: string | null = SANDBOX.id, profiles: Profile[] = [SANDBOX, PRODUCTION]) {
  const handlers = {
    onedit: vi.fn(),
    onactivate: vi.fn(async (): Promise<ErrorDto | null> => null),
    onremove: vi.fn(async (): Promise<ErrorDto | null> => null),
    ontested: vi.fn(),
    onsession: vi.fn(),
  };
  render(ProfileList, { props: { profiles, activeId, ...handlers } });
  return handlers;
}

function row(name: string): HTMLElement {
  return screen.getByRole("article", { name });
}

describe("ProfileList", () => {
  it("marks the sandbox profile as simulated data", () => {
    renderList();
    expect(within(row(SANDBOX.name)).getByText("SANDBOX — simulated data")).toBeTruthy();
    expect(within(row(PRODUCTION.name)).queryByText("SANDBOX — simulated data")).toBeNull();
    expect(within(row(PRODUCTION.name)).getByText("Remote")).toBeTruthy();
  });

  it("offers no edit or remove for the built-in sandbox", () => {
    renderList();
    const sandbox = row(SANDBOX.name);
    expect(within(sandbox).queryByRole("button", { name: "Edit" })).toBeNull();
    expect(within(sandbox).queryByRole("button", { name: "Remove" })).toBeNull();
    expect(within(sandbox).getByRole("button", { name: "Test connection" })).toBeTruthy();

    const production = row(PRODUCTION.name);
    expect(within(production).getByRole("button", { name: "Edit" })).toBeTruthy();
    expect(within(production).getByRole("button", { name: "Remove" })).toBeTruthy();
  });

  it("shows the base URL, the token state and the active marker", () => {
    renderList(PRODUCTION.id, [SANDBOX, { ...PRODUCTION, token_present: false }]);
    const production = row(PRODUCTION.name);
    expect(within(production).getByText(PRODUCTION.api_base_url)).toBeTruthy();
    expect(within(production).getByText("Not held in this session")).toBeTruthy();
    expect(within(production).getByText("Active")).toBeTruthy();
    expect(within(production).queryByRole("button", { name: "Make active" })).toBeNull();
    expect(within(row(SANDBOX.name)).getByRole("button", { name: "Make active" })).toBeTruthy();
  });

  it("asks before removing a profile", async () => {
    const { onremove } = renderList();
    const production = row(PRODUCTION.name);

    await fireEvent.click(within(production).getByRole("button", { name: "Remove" }));
    expect(onremove).not.toHaveBeenCalled();
    const confirm = within(production).getByRole("group", { name: `Confirm removal of ${PRODUCTION.name}` });

    await fireEvent.click(within(confirm).getByRole("button", { name: "Yes, remove" }));

    expect(onremove).toHaveBeenCalledWith(PRODUCTION);
  });

  it("keeps the profile when the removal is cancelled", async () => {
    const { onremove } = renderList();
    const production = row(PRODUCTION.name);

    await fireEvent.click(within(production).getByRole("button", { name: "Remove" }));
    await fireEvent.click(within(production).getByRole("button", { name: "Cancel" }));

    expect(onremove).not.toHaveBeenCalled();
    expect(within(production).queryByRole("group")).toBeNull();
  });

  it("tests a saved profile and lists what its token sees", async () => {
    mockCommands({ test_connection: ({ id }) => ({ ...REPORT, api_base_url: id }) });
    const { ontested } = renderList();

    await fireEvent.click(within(row(PRODUCTION.name)).getByRole("button", { name: "Test connection" }));

    const region = await screen.findByRole("region", { name: "Connection test result" });
    expect(row(PRODUCTION.name).contains(region)).toBe(true);
    expect(within(region).getAllByRole("listitem").map((li) => li.textContent?.trim())).toEqual([
      "Billing webhooks",
      "Shipping events",
    ]);
    expect(ontested).toHaveBeenCalled();
  });

  it("shows why a saved profile's test failed", async () => {
    mockCommands({
      test_connection: () => {
        throw rejection("unreachable", "connection refused by 10.0.0.1:443");
      },
    });
    renderList();

    await fireEvent.click(within(row(PRODUCTION.name)).getByRole("button", { name: "Test connection" }));

    const alert = await within(row(PRODUCTION.name)).findByRole("alert");
    expect(alert.textContent).toContain("Cannot reach the API");
    expect(alert.textContent).toContain("connection refused by 10.0.0.1:443");
  });

  it("makes a profile active through the page", async () => {
    const { onactivate } = renderList();

    await fireEvent.click(within(row(PRODUCTION.name)).getByRole("button", { name: "Make active" }));

    expect(onactivate).toHaveBeenCalledWith(PRODUCTION);
  });

  it("shows who a user profile is signed in as, and signs it out", async () => {
    const calls = mockCommands({ sign_out: () => ({ ...OPERATOR, token_present: false }) });
    const { onsession } = renderList(SANDBOX.id, [SANDBOX, OPERATOR]);
    const operator = row(OPERATOR.name);
    expect(within(operator).getByText("Session")).toBeTruthy();
    expect(within(operator).getByText("Signed in as ops@example.com")).toBeTruthy();
    expect(within(operator).queryByRole("button", { name: "Sign in" })).toBeNull();

    await fireEvent.click(within(operator).getByRole("button", { name: "Sign out" }));

    await vi.waitFor(() => expect(onsession).toHaveBeenCalled());
    expect(callsTo(calls, "sign_out")[0]?.args).toEqual({ id: OPERATOR.id });
  });

  it("signs a signed-out user profile in again with the password only", async () => {
    const calls = mockCommands({ sign_in: () => OPERATOR });
    const { onsession } = renderList(SANDBOX.id, [SANDBOX, { ...OPERATOR, token_present: false }]);
    const operator = row(OPERATOR.name);
    expect(within(operator).getByText("Signed out (ops@example.com): sign in again")).toBeTruthy();

    await fireEvent.click(within(operator).getByRole("button", { name: "Sign in" }));
    const prompt = within(operator).getByRole("form", { name: `Sign in to ${OPERATOR.name}` });
    const password = within(prompt).getByLabelText("Password for ops@example.com");
    expect(password.getAttribute("type")).toBe("password");
    await fireEvent.input(password, { target: { value: "correct horse" } });
    await fireEvent.click(within(prompt).getByRole("button", { name: "Sign in" }));

    await vi.waitFor(() => expect(onsession).toHaveBeenCalled());
    expect(callsTo(calls, "sign_in")[0]?.args).toEqual({ id: OPERATOR.id, password: "correct horse" });
    expect(within(row(OPERATOR.name)).queryByRole("form")).toBeNull();
  });

  it("keeps the prompt open with the reason when signing in fails", async () => {
    mockCommands({
      sign_in: () => {
        throw rejection("invalid_input", "the email or password is not right");
      },
    });
    const { onsession } = renderList(SANDBOX.id, [SANDBOX, { ...OPERATOR, token_present: false }]);
    const operator = row(OPERATOR.name);
    await fireEvent.click(within(operator).getByRole("button", { name: "Sign in" }));
    const prompt = within(operator).getByRole("form", { name: `Sign in to ${OPERATOR.name}` });
    await fireEvent.input(within(prompt).getByLabelText(/Password for/), { target: { value: "wrong" } });
    await fireEvent.click(within(prompt).getByRole("button", { name: "Sign in" }));

    const alert = await within(prompt).findByRole("alert");
    expect(alert.textContent).toContain("Could not sign in");
    expect(alert.textContent).toContain("the email or password is not right");
    expect(onsession).not.toHaveBeenCalled();
  });

  it("asks to sign in again when a test finds the session ended", async () => {
    mockCommands({
      test_connection: () => {
        throw rejection("session_expired", "the user session has ended (signed out, or unused for too long): sign in again");
      },
    });
    const { onsession } = renderList(SANDBOX.id, [SANDBOX, OPERATOR]);

    await fireEvent.click(within(row(OPERATOR.name)).getByRole("button", { name: "Test connection" }));

    const alert = await within(row(OPERATOR.name)).findByRole("alert");
    expect(alert.textContent).toContain("Sign in again");
    expect(onsession).toHaveBeenCalled();
  });
});
