import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Profile } from "../bindings/Profile";
import type { ErrorDto } from "../ipc";
import { PRODUCTION, REPORT, SANDBOX } from "../testing/fixtures";
import { clearMocks, mockCommands, rejection } from "../testing/mock-commands";
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
});
