import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { DeliveryDetail } from "../bindings/DeliveryDetail";
import type { ReplayPlanRequest } from "../bindings/ReplayPlanRequest";
import { SUBSCRIPTION_ID, deliveryDetail, deliveryRow, u64 } from "../testing/fixtures";
import { JOB_ID, SHA, plan } from "../testing/replay-fixtures";
import { callsTo, clearMocks, mockCommands, rejection, type CommandHandlers } from "../testing/mock-commands";
import DetailPane from "./DetailPane.svelte";

afterEach(() => {
  clearMocks();
});

const FAILED = deliveryRow(7, {
  status: "failed",
  outcome: "retrying",
  http_status: 503,
  retry_count: 1,
  delivery_attempts: 2,
  latency_ms: u64(2300),
});
const FIRST = deliveryRow(8, { status: "failed", outcome: "retrying", http_status: 500, created_at: "2026-03-04T09:59:00.000Z" });
const SECOND = { ...FAILED, created_at: "2026-03-04T09:59:30.000Z" };

function setUp(detail: DeliveryDetail, handlers: CommandHandlers = {}, words: string[] = []) {
  const calls = mockCommands({ delivery_detail: () => detail, ...handlers });
  const onclose = vi.fn();
  const onopenattempt = vi.fn();
  render(DetailPane, { props: { attemptId: detail.attempt.attempt_id, words, onclose, onopenattempt } });
  return { calls, onclose, onopenattempt };
}

describe("DetailPane", () => {
  it("shows the event, the delivery chain and the response", async () => {
    const { onopenattempt } = setUp(deliveryDetail(SECOND, { chain: [FIRST, SECOND] }));

    const pane = screen.getByRole("complementary", { name: "Delivery details" });
    expect(await within(pane).findByText(SECOND.event_id)).toBeTruthy();
    expect(within(pane).getByText("tenant = acme")).toBeTruthy();

    const chain = within(pane).getByRole("list", { name: "Attempts of this delivery, oldest first" });
    const steps = within(chain).getAllByRole("listitem");
    expect(steps).toHaveLength(2);
    expect(steps[0]?.textContent).toContain("HTTP 500");
    expect(steps[1]?.textContent).toContain("30 s after the previous");
    expect(steps[1]?.textContent).toContain("HTTP 503");
    expect(steps[1]?.textContent).toContain("2.3 s");
    expect(steps[1]?.getAttribute("aria-current")).toBe("step");
    await fireEvent.click(within(steps[0]!).getByRole("button"));
    expect(onopenattempt).toHaveBeenCalledWith(FIRST.attempt_id);

    const response = within(pane).getByRole("heading", { name: "Response" }).closest("section")!;
    expect(within(response).getByText("content-type")).toBeTruthy();
    expect(within(response).getByRole("group", { name: "Response body" }).textContent).toContain('"ok"');
  });

  it("links to the same subscription, event type and cause", async () => {
    setUp(deliveryDetail(FAILED));
    const links = await screen.findByRole("navigation", { name: "Related deliveries" });

    expect(within(links).getByRole("link", { name: "Same subscription" }).getAttribute("href")).toBe(`#/deliveries?sub=${SUBSCRIPTION_ID}`);
    expect(within(links).getByRole("link", { name: "Same event type" }).getAttribute("href")).toBe("#/deliveries?type=billing.invoice.paid");
    expect(within(links).getByRole("link", { name: "Same cause" }).getAttribute("href")).toBe("#/deliveries?status=failed&http=503");
  });

  it("folds JSON, shows it raw, and marks the search words", async () => {
    setUp(deliveryDetail(FAILED), {}, ["refund"]);
    const payload = await screen.findByRole("group", { name: "Payload" });
    const view = screen.getByTestId("payload-view");

    expect(view.querySelector("mark")?.textContent).toBe("refund");
    const invoice = Array.from(view.querySelectorAll("summary")).find((s) => s.textContent?.includes('"invoice"'))!;
    const details = invoice.closest("details")!;
    expect(details.open).toBe(true);
    await fireEvent.click(invoice);
    await waitFor(() => expect(details.open).toBe(false));
    await waitFor(() => expect(invoice.textContent).toBe('"invoice": { 3 keys }'));

    await fireEvent.click(within(payload).getByRole("button", { name: "Raw" }));
    expect(view.querySelector("pre")?.textContent).toContain('"invoice": {\n    "id": "inv_42"');
    expect(within(payload).getByRole("button", { name: "Raw" }).getAttribute("aria-pressed")).toBe("true");
  });

  it("shows a binary body as hex", async () => {
    const detail = deliveryDetail(FAILED);
    detail.response = { ...detail.response!, body: { encoding: "base64", data: btoa(String.fromCharCode(0x89, 0x50, 0x4e, 0x47, 0x00, 0xff)) } };
    setUp(detail);

    const body = await screen.findByRole("group", { name: "Response body" });
    expect(body.textContent).toContain("Binary · 6 bytes, shown in hex");
    expect(screen.getByTestId("response-body-view").textContent).toContain("00000000  89 50 4e 47 00 ff");
  });

  it("fetches a payload and response missing from the cache", async () => {
    const missing = deliveryDetail(FAILED, { event: null, payload_status: "not_cached", response: null, response_status: "not_cached" });
    const { calls } = setUp(missing, { fetch_delivery_content: () => deliveryDetail(FAILED) });

    expect(await screen.findByText("The payload is not in the local cache yet.")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Fetch from Hook0" }));

    expect(await screen.findByRole("group", { name: "Payload" })).toBeTruthy();
    expect(callsTo(calls, "fetch_delivery_content")[0]?.args).toEqual({ attempt_id: FAILED.attempt_id });
    expect(screen.queryByRole("button", { name: "Fetch from Hook0" })).toBeNull();
  });

  it("says plainly when Hook0 no longer has the content, and why a fetch failed", async () => {
    const expired = deliveryDetail(FAILED, { event: null, payload_status: "expired_upstream", response: null, response_status: "not_cached" });
    setUp(expired, {
      fetch_delivery_content: () => {
        throw rejection("unreachable", "app.hook0.com could not be reached");
      },
    });

    const note = await screen.findByText(/Expired upstream/);
    expect(note.getAttribute("data-status")).toBe("expired_upstream");
    await fireEvent.click(screen.getByRole("button", { name: "Fetch from Hook0" }));
    expect((await screen.findByRole("alert")).textContent).toContain("app.hook0.com could not be reached");
  });

  it("replays a failed delivery without a code when the plan needs none, then links to the job", async () => {
    const single = plan({
      step_up_required: false,
      event_count: u64(1),
      events: [{ ...plan().events[0]!, event_id: FAILED.event_id }],
      healthy_duplicates: u64(1),
    });
    const { calls } = setUp(deliveryDetail(FAILED), { replay_plan: () => single, replay_start: () => JOB_ID });

    await fireEvent.click(await screen.findByRole("button", { name: "Replay this delivery" }));

    const confirm = await screen.findByRole("region", { name: "Replay this delivery" });
    expect(callsTo(calls, "replay_plan").map((c) => (c.args as { request: ReplayPlanRequest }).request)).toEqual([
      {
        selection: { kind: "deliveries", value: [{ event_id: FAILED.event_id, subscription_id: SUBSCRIPTION_ID }] },
        options: { include_recovered: false },
      },
    ]);
    const targets = within(confirm).getAllByRole("listitem").map((li) => li.textContent);
    expect(targets).toEqual(["Invoices to ERP", "Audit mirror (did not fail)"]);
    expect(within(confirm).getByRole("alert").textContent).toContain("1 replay will reach subscriptions that did not fail");
    expect(callsTo(calls, "replay_start")).toHaveLength(0);

    await fireEvent.click(within(confirm).getByRole("button", { name: "Replay now" }));

    const link = await screen.findByRole("link", { name: "Open job" });
    expect(link.getAttribute("href")).toBe(`#/replays?job=${JOB_ID}`);
    expect(callsTo(calls, "replay_start").map((c) => c.args)).toEqual([{ request: { manifest_sha256: SHA } }]);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("asks a code for a single replay when the plan needs one", async () => {
    const { calls } = setUp(deliveryDetail(FAILED), {
      replay_plan: () => plan({ event_count: u64(1), events: [plan().events[0]!] }),
      replay_start: () => JOB_ID,
    });
    await fireEvent.click(await screen.findByRole("button", { name: "Replay this delivery" }));
    await fireEvent.click(await screen.findByRole("button", { name: "Replay now" }));

    const dialog = screen.getByRole("dialog", { name: "Approve the replay" });
    await fireEvent.input(within(dialog).getByLabelText("Code"), { target: { value: "123456" } });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Approve and replay" }));

    expect(await screen.findByRole("link", { name: "Open job" })).toBeTruthy();
    expect(callsTo(calls, "replay_start")[0]?.args).toEqual({ request: { manifest_sha256: SHA, code: "123456" } });
  });

  it("offers no replay for a failed attempt whose delivery succeeded since", async () => {
    setUp(deliveryDetail({ ...FAILED, outcome: "delivered" }));
    await screen.findByRole("navigation", { name: "Related deliveries" });
    expect(screen.queryByRole("button", { name: "Replay this delivery" })).toBeNull();
  });

  it("offers no replay for a delivery that did not fail", async () => {
    setUp(deliveryDetail(deliveryRow(3)));
    await screen.findByRole("navigation", { name: "Related deliveries" });
    expect(screen.queryByRole("button", { name: "Replay this delivery" })).toBeNull();
  });

  it("closes with its button", async () => {
    const { onclose } = setUp(deliveryDetail(FAILED));
    await fireEvent.click(screen.getByRole("button", { name: "Close details" }));
    expect(onclose).toHaveBeenCalled();
  });
});
