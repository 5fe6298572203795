import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Profile } from "../bindings/Profile";
import { OPERATOR, PRODUCTION, REPORT } from "../testing/fixtures";
import { callsTo, clearMocks, mockCommands, rejection } from "../testing/mock-commands";
import ProfileForm from "./ProfileForm.svelte";

afterEach(() => {
  clearMocks();
});

async function fill(label: string, value: string): Promise<void> {
  await fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

function renderForm(profile: Profile | null = null) {
  const onsaved = vi.fn();
  const oncancel = vi.fn();
  render(ProfileForm, { props: { profile, onsaved, oncancel } });
  return { onsaved, oncancel };
}

describe("ProfileForm", () => {
  it("labels every field and says where the token is kept", () => {
    renderForm();
    expect(screen.getByRole("heading", { name: "Add profile" })).toBeTruthy();
    expect(screen.getByLabelText("Name")).toBeTruthy();
    expect(screen.getByLabelText("API base URL").getAttribute("placeholder")).toBe(
      "https://app.hook0.com/api/v1/",
    );
    const token = screen.getByLabelText("Token");
    expect(token.getAttribute("type")).toBe("password");
    expect(screen.getByText(/sealed in the console's encrypted vault/)).toBeTruthy();
    expect(screen.getByLabelText("Default organization")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Test connection" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Save profile" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Cancel" })).toBeTruthy();
  });

  it("shows a validation error from the back end next to the form", async () => {
    mockCommands({
      save_profile: () => {
        throw rejection("invalid_input", "give the profile a name");
      },
    });
    const { onsaved } = renderForm();

    await fireEvent.click(screen.getByRole("button", { name: "Save profile" }));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Check the form");
    expect(alert.textContent).toContain("give the profile a name");
    expect(alert.closest("form")).not.toBeNull();
    expect(onsaved).not.toHaveBeenCalled();
  });

  it("lists the applications the token sees after a successful test", async () => {
    const calls = mockCommands({ test_draft: () => REPORT });
    renderForm();
    await fill("Name", "Production");
    await fill("API base URL", "https://app.hook0.com/api/v1/");
    await fill("Token", "secret-token");

    await fireEvent.click(screen.getByRole("button", { name: "Test connection" }));

    const region = await screen.findByRole("region", { name: "Connection test result" });
    const names = within(region)
      .getAllByRole("listitem")
      .map((item) => item.textContent?.trim());
    expect(names).toEqual(["Billing webhooks", "Shipping events"]);
    expect(within(region).getByText("Acme")).toBeTruthy();
    expect(within(region).getByText("Globex")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(callsTo(calls, "test_draft")[0]?.args).toEqual({
      draft: {
        id: null,
        name: "Production",
        api_base_url: "https://app.hook0.com/api/v1/",
        auth_method: "api_token",
        token: "secret-token",
        email: null,
        password: null,
        default_organization_id: null,
        cache_retention_days: null,
      },
    });
  });

  it("offers the tested organizations as the default organization", async () => {
    mockCommands({ test_draft: () => REPORT });
    renderForm();

    await fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    await screen.findByRole("region", { name: "Connection test result" });

    const select = screen.getByLabelText<HTMLSelectElement>("Default organization");
    const options = Array.from(select.options).map((o) => o.textContent);
    expect(options).toEqual(["None", "Acme", "Globex"]);
  });

  it("shows a rejected token as such", async () => {
    mockCommands({
      test_draft: () => {
        throw rejection("forbidden", "the API refused the token (AuthInvalidBiscuit)");
      },
    });
    renderForm();

    await fireEvent.click(screen.getByRole("button", { name: "Test connection" }));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Token rejected");
    expect(alert.textContent).toContain("the API refused the token (AuthInvalidBiscuit)");
    expect(screen.queryByRole("region", { name: "Connection test result" })).toBeNull();
  });

  it.each([
    ["unreachable", "Cannot reach the API"],
    ["tls", "TLS / certificate problem"],
    ["unauthorized", "Token rejected"],
    ["not_hook0", "Not a Hook0 API at this address"],
    ["rate_limited", "Rate limited by the API"],
  ] as const)("titles a %s failure “%s”", async (code, title) => {
    mockCommands({
      test_draft: () => {
        throw rejection(code, "details");
      },
    });
    renderForm();

    await fireEvent.click(screen.getByRole("button", { name: "Test connection" }));

    expect((await screen.findByRole("alert")).textContent).toContain(title);
  });

  it("keeps the current token when editing with the token field blank", async () => {
    const calls = mockCommands({ save_profile: ({ draft }) => ({ ...PRODUCTION, name: draft.name }) });
    const { onsaved } = renderForm({ ...PRODUCTION, default_organization_id: "a0000000-0000-4000-8000-000000000001" });
    expect(screen.getByRole("heading", { name: "Edit profile" })).toBeTruthy();
    expect(screen.getByText("Leave blank to keep the current token.")).toBeTruthy();
    await fill("Name", "Production EU");

    await fireEvent.click(screen.getByRole("button", { name: "Save profile" }));

    await vi.waitFor(() => expect(onsaved).toHaveBeenCalled());
    expect(callsTo(calls, "save_profile")[0]?.args).toEqual({
      draft: {
        id: PRODUCTION.id,
        name: "Production EU",
        api_base_url: PRODUCTION.api_base_url,
        auth_method: "api_token",
        token: null,
        email: null,
        password: null,
        default_organization_id: "a0000000-0000-4000-8000-000000000001",
        cache_retention_days: null,
      },
    });
    expect(onsaved.mock.calls[0]?.[0]).toMatchObject({ name: "Production EU" });
  });

  it("sends the cache retention in days, and keeps what the profile had", async () => {
    const calls = mockCommands({ save_profile: ({ draft }) => ({ ...PRODUCTION, ...draft, id: PRODUCTION.id }) });
    renderForm({ ...PRODUCTION, cache_retention_days: 90 });
    const field = screen.getByLabelText<HTMLInputElement>("Keep cached history (days)");
    expect(field.value).toBe("90");
    await fill("Keep cached history (days)", " 30 ");

    await fireEvent.click(screen.getByRole("button", { name: "Save profile" }));

    await vi.waitFor(() => expect(callsTo(calls, "save_profile")).toHaveLength(1));
    expect(callsTo(calls, "save_profile")[0]?.args).toMatchObject({ draft: { cache_retention_days: 30 } });
  });

  it("keeps everything when the retention is left empty, and refuses what is not days", async () => {
    const calls = mockCommands({ save_profile: () => PRODUCTION });
    renderForm({ ...PRODUCTION, cache_retention_days: 7 });
    await fill("Keep cached history (days)", "two weeks");

    await fireEvent.click(screen.getByRole("button", { name: "Save profile" }));

    expect((await screen.findByRole("alert")).textContent).toContain("whole number of days");
    expect(calls).toEqual([]);

    await fill("Keep cached history (days)", "");
    await fireEvent.click(screen.getByRole("button", { name: "Save profile" }));

    await vi.waitFor(() => expect(callsTo(calls, "save_profile")).toHaveLength(1));
    expect(callsTo(calls, "save_profile")[0]?.args).toMatchObject({ draft: { cache_retention_days: null } });
  });

  it("cancels without calling the back end", async () => {
    const calls = mockCommands({});
    const { oncancel } = renderForm();

    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));

    expect(oncancel).toHaveBeenCalled();
    expect(calls).toEqual([]);
  });

  it("offers an API token or email and password, the token first", async () => {
    renderForm();
    const group = screen.getByRole("group", { name: "Sign in with" });
    const token = within(group).getByRole<HTMLInputElement>("radio", { name: "API token" });
    const user = within(group).getByRole<HTMLInputElement>("radio", { name: "Email and password" });
    expect(token.checked).toBe(true);
    expect(screen.queryByLabelText("Email")).toBeNull();

    await fireEvent.click(user);

    expect(screen.queryByLabelText("Token")).toBeNull();
    expect(screen.getByLabelText("Email").getAttribute("type")).toBe("email");
    const password = screen.getByLabelText("Password");
    expect(password.getAttribute("type")).toBe("password");
    expect(password.getAttribute("autocomplete")).toBe("current-password");
    expect(screen.getByText(/used once to sign in and is never stored/)).toBeTruthy();
  });

  it("signs in and saves with email and password, sending no token", async () => {
    const calls = mockCommands({ save_profile: ({ draft }) => ({ ...OPERATOR, name: draft.name }) });
    const { onsaved } = renderForm();
    await fill("Name", "Operator");
    await fill("API base URL", OPERATOR.api_base_url);
    await fill("Token", "typed before switching");
    await fireEvent.click(screen.getByRole("radio", { name: "Email and password" }));
    await fill("Email", "ops@example.com");
    await fill("Password", "correct horse");

    await fireEvent.click(screen.getByRole("button", { name: "Sign in and save" }));

    await vi.waitFor(() => expect(onsaved).toHaveBeenCalled());
    expect(callsTo(calls, "save_profile")[0]?.args).toMatchObject({
      draft: {
        id: null,
        name: "Operator",
        api_base_url: OPERATOR.api_base_url,
        auth_method: "email_password",
        token: null,
        email: "ops@example.com",
        password: "correct horse",
        default_organization_id: null,
      },
    });
  });

  it("tests email and password by signing in", async () => {
    const calls = mockCommands({ test_draft: () => REPORT });
    renderForm();
    await fireEvent.click(screen.getByRole("radio", { name: "Email and password" }));
    await fill("Email", "ops@example.com");
    await fill("Password", "correct horse");

    await fireEvent.click(screen.getByRole("button", { name: "Test connection" }));

    await screen.findByRole("region", { name: "Connection test result" });
    expect(callsTo(calls, "test_draft")[0]?.args).toMatchObject({
      draft: { auth_method: "email_password", email: "ops@example.com", password: "correct horse", token: null },
    });
  });

  it("keeps a signed-in session when editing with the password blank", async () => {
    const calls = mockCommands({ save_profile: ({ draft }) => ({ ...OPERATOR, name: draft.name }) });
    const { onsaved } = renderForm(OPERATOR);
    expect(screen.getByRole<HTMLInputElement>("radio", { name: "Email and password" }).checked).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>("Email").value).toBe("ops@example.com");
    expect(screen.getByText("Leave blank to stay signed in with the current session.")).toBeTruthy();
    await fill("Name", "Operator EU");

    await fireEvent.click(screen.getByRole("button", { name: "Save profile" }));

    await vi.waitFor(() => expect(onsaved).toHaveBeenCalled());
    expect(callsTo(calls, "save_profile")[0]?.args).toMatchObject({
      draft: { id: OPERATOR.id, auth_method: "email_password", email: "ops@example.com", password: null },
    });
  });

  it("says a wrong password beside the form and keeps it open", async () => {
    mockCommands({
      save_profile: () => {
        throw rejection("invalid_input", "the email or password is not right");
      },
    });
    const { onsaved } = renderForm();
    await fireEvent.click(screen.getByRole("radio", { name: "Email and password" }));
    await fill("Email", "ops@example.com");
    await fill("Password", "wrong");

    await fireEvent.click(screen.getByRole("button", { name: "Sign in and save" }));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("the email or password is not right");
    expect(onsaved).not.toHaveBeenCalled();
  });

  it("titles an ended session “Sign in again”", async () => {
    mockCommands({
      test_draft: () => {
        throw rejection("session_expired", "the user session has ended: sign in again");
      },
    });
    renderForm(OPERATOR);

    await fireEvent.click(screen.getByRole("button", { name: "Test connection" }));

    expect((await screen.findByRole("alert")).textContent).toContain("Sign in again");
  });
});
