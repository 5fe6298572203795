/** Test data for the Failures page and the notification settings, shaped like the back end's answers. */
import type { AtRiskDelivery } from "../bindings/AtRiskDelivery";
import type { FailureGroup } from "../bindings/FailureGroup";
import type { FilterOptions } from "../bindings/FilterOptions";
import type { SubscriptionHealth } from "../bindings/SubscriptionHealth";

export const APP_BILLING = "b0000000-0000-4000-8000-000000000001";
export const APP_SHIPPING = "b0000000-0000-4000-8000-000000000002";
export const SUB_INVOICES = "c0000000-0000-4000-8000-000000000001";
export const SUB_PARCELS = "c0000000-0000-4000-8000-000000000002";
export const SUB_BARE = "c0000000-0000-4000-8000-000000000003";

/**
 * `u64` counts travel as JSON numbers although ts-rs types them `bigint`: fixtures hold numbers,
 * as the real answers do.
 */
export function u64(value: number): bigint {
  return value as unknown as bigint;
}

export function failureGroup(overrides: Partial<FailureGroup> = {}): FailureGroup {
  return {
    cause: { kind: "http", status: 503 },
    subscription_id: SUB_INVOICES,
    subscription_description: "Invoices to ERP",
    target_url: "https://erp.example.com/hooks/invoices",
    application_id: APP_BILLING,
    failures: u64(42),
    first_seen: "2026-03-03T14:30:00Z",
    last_seen: "2026-03-04T10:30:00Z",
    ...overrides,
  };
}

export function atRiskDelivery(overrides: Partial<AtRiskDelivery> = {}): AtRiskDelivery {
  return {
    event_id: "e0000000-0000-4000-8000-000000000001",
    application_id: APP_BILLING,
    subscription_id: SUB_INVOICES,
    target_url: "https://erp.example.com/hooks/invoices",
    outcome: "gave_up",
    first_failed_at: "2026-02-26T09:00:00Z",
    event_at: "2026-02-26T09:00:00Z",
    expires_at: "2026-03-05T09:00:00Z",
    attempts: 8,
    ...overrides,
  };
}

export function subscriptionHealth(overrides: Partial<SubscriptionHealth> = {}): SubscriptionHealth {
  return {
    subscription_id: SUB_INVOICES,
    description: "Invoices to ERP",
    target_url: "https://erp.example.com/hooks/invoices",
    attempts: u64(200),
    successful: u64(150),
    failed: u64(50),
    success_rate: 0.75,
    p50_ms: u64(240),
    p95_ms: u64(1830),
    p99_ms: u64(2900),
    ...overrides,
  };
}

export function filterOptions(overrides: Partial<FilterOptions> = {}): FilterOptions {
  return {
    profile_id: "7d1c2b9a-1111-4c4c-8f8f-2a2a2a2a2a02",
    applications: [
      { id: APP_BILLING, name: "Billing webhooks" },
      { id: APP_SHIPPING, name: "Shipping events" },
    ],
    subscriptions: [
      { id: SUB_INVOICES, application_id: APP_BILLING, description: "Invoices to ERP", target_url: "https://erp.example.com/hooks/invoices" },
      { id: SUB_PARCELS, application_id: APP_SHIPPING, description: "Parcel tracking", target_url: "https://track.example.net/in" },
      { id: SUB_BARE, application_id: APP_SHIPPING, description: null, target_url: "https://bare.example.org/webhook" },
    ],
    event_types: ["invoice.paid"],
    labels: [],
    attempts: 1200,
    oldest: "2026-02-01T00:00:00Z",
    newest: "2026-03-04T12:00:00Z",
    ...overrides,
  };
}
