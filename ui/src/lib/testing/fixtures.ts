/** Test data shaped like the Rust side's answers. */
import type { AppStatus } from "../bindings/AppStatus";
import type { AuditIntegrity } from "../bindings/AuditIntegrity";
import type { AuditRecord } from "../bindings/AuditRecord";
import type { ConnectionReport } from "../bindings/ConnectionReport";
import type { DeliveryDetail } from "../bindings/DeliveryDetail";
import type { DeliveryRow } from "../bindings/DeliveryRow";
import type { EnrollmentOffer } from "../bindings/EnrollmentOffer";
import type { FilterOptions } from "../bindings/FilterOptions";
import type { GateStatus } from "../bindings/GateStatus";
import type { PassphraseStrength } from "../bindings/PassphraseStrength";
import type { Profile } from "../bindings/Profile";
import type { RecoveryCodes } from "../bindings/RecoveryCodes";
import type { SecuritySettings } from "../bindings/SecuritySettings";
import type { SyncStatus } from "../bindings/SyncStatus";

export const SANDBOX: Profile = {
  id: "0b8f4c3e-5d0e-4a43-9a0f-6f1f1f5e0a01",
  name: "Sandbox (simulated Hook0)",
  kind: "sandbox",
  api_base_url: "http://127.0.0.1:40123/api/v1/",
  default_organization_id: null,
  token_present: true,
  cache_retention_days: null,
  auth_method: "api_token",
  sign_in_email: null,
  auto_sync_minutes: null,
  notifications_muted: false,
  muted_subscriptions: [],
};

export const PRODUCTION: Profile = {
  id: "7d1c2b9a-1111-4c4c-8f8f-2a2a2a2a2a02",
  name: "Production",
  kind: "remote",
  api_base_url: "https://app.hook0.com/api/v1/",
  default_organization_id: null,
  token_present: true,
  cache_retention_days: null,
  auth_method: "api_token",
  sign_in_email: null,
  auto_sync_minutes: null,
  notifications_muted: false,
  muted_subscriptions: [],
};

/** A profile that signs in with email and password, signed in. */
export const OPERATOR: Profile = {
  id: "5e5e5e5e-2222-4d4d-9e9e-3b3b3b3b3b03",
  name: "Operator",
  kind: "remote",
  api_base_url: "https://hook0.example.com/api/v1/",
  default_organization_id: null,
  token_present: true,
  auth_method: "email_password",
  sign_in_email: "ops@example.com",
  cache_retention_days: null,
  auto_sync_minutes: null,
  notifications_muted: false,
  muted_subscriptions: [],
};

export function status(overrides: Partial<AppStatus> = {}): AppStatus {
  return {
    active_profile: SANDBOX,
    connection: { state: "untested" },
    lock: "unlocked",
    last_sync_at: null,
    data_dir: "/home/op/.local/share/hook0-console",
    version: "0.1.0",
    ...overrides,
  };
}

export const REPORT: ConnectionReport = {
  api_base_url: "https://app.hook0.com/api/v1/",
  organizations: [
    {
      id: "a0000000-0000-4000-8000-000000000001",
      name: "Acme",
      role: "editor",
      applications: [
        { id: "b0000000-0000-4000-8000-000000000001", name: "Billing webhooks" },
        { id: "b0000000-0000-4000-8000-000000000002", name: "Shipping events" },
      ],
    },
    {
      id: "a0000000-0000-4000-8000-000000000002",
      name: "Globex",
      role: "viewer",
      applications: [],
    },
  ],
};

export function gateStatus(overrides: Partial<GateStatus> = {}): GateStatus {
  return {
    lock: "unlocked",
    throttled_until: null,
    consecutive_failures: 0,
    recovery_code_required: false,
    keyring: { store: null, enabled: false, notice: "No system keyring: the passphrase is needed at every unlock." },
    idle_lock_minutes: 15,
    locks_at: null,
    audit: null,
    ...overrides,
  };
}

export function strength(overrides: Partial<PassphraseStrength> = {}): PassphraseStrength {
  return {
    score: 4,
    acceptable: true,
    warning: null,
    suggestions: [],
    crack_time: "centuries",
    ...overrides,
  };
}

export const OFFER: EnrollmentOffer = {
  otpauth_uri: "otpauth://totp/Hook0%20Console:operator?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Hook0%20Console",
  secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
  qr_png_data_url: "data:image/png;base64,iVBORw0KGgo=",
  account: "operator",
};

export const RECOVERY: RecoveryCodes = {
  codes: Array.from({ length: 10 }, (_, i) => `rc${i}-abcd-efgh`),
  generated_at: "2026-03-04T09:15:00Z",
};

export function securitySettings(overrides: Partial<SecuritySettings> = {}): SecuritySettings {
  return {
    idle_lock_minutes: 15,
    max_idle_lock_minutes: 240,
    absolute_lock_hours: 12,
    keyring: { store: "Secret Service", enabled: false, notice: null },
    recovery_codes_left: 10,
    enrolled_at: "2026-03-01T08:00:00Z",
    ...overrides,
  };
}

export function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    seq: 1,
    at: "2026-03-04T09:15:03.000000Z",
    actor: "operator",
    action: "unlock_succeeded",
    targets: [],
    params_hash: null,
    outcome: "succeeded",
    sealed_later: false,
    ...overrides,
  };
}

export function auditIntegrity(overrides: Partial<AuditIntegrity> = {}): AuditIntegrity {
  return {
    intact: true,
    records: 42,
    problem: null,
    checked_at: new Date().toISOString(),
    ...overrides,
  };
}

/**
 * A 64-bit count as the web view receives it: ts-rs types Rust's `u64` as `bigint`, but the
 * JSON answer carries a plain number.
 */
export function u64(value: number): bigint {
  return value as unknown as bigint;
}

export const APP_ID = "b0000000-0000-4000-8000-000000000001";
export const SUBSCRIPTION_ID = "c0000000-0000-4000-8000-000000000001";

/** Attempt `n` of a made-up history: ids and times follow `n`, newest first. */
export function deliveryRow(n: number, overrides: Partial<DeliveryRow> = {}): DeliveryRow {
  const id = String(n).padStart(12, "0");
  return {
    attempt_id: `a1000000-0000-4000-8000-${id}`,
    application_id: APP_ID,
    application_name: "Billing webhooks",
    event_id: `e1000000-0000-4000-8000-${id}`,
    event_type: "billing.invoice.paid",
    subscription_id: SUBSCRIPTION_ID,
    subscription_description: "Invoices to ERP",
    target_url: "https://erp.example.com/hooks/invoices",
    created_at: new Date(Date.UTC(2026, 2, 4, 10, 0, 0) - n * 1000).toISOString(),
    status: "successful",
    outcome: "delivered",
    retry_count: 0,
    http_status: 200,
    error_kind: null,
    latency_ms: u64(120),
    delay_until: null,
    response_id: `f1000000-0000-4000-8000-${id}`,
    payload_cached: true,
    response_cached: true,
    delivery_attempts: 1,
    ...overrides,
  };
}

/** A delivery's detail with everything cached. */
export function deliveryDetail(row: DeliveryRow, overrides: Partial<DeliveryDetail> = {}): DeliveryDetail {
  return {
    attempt: row,
    chain: [row],
    event: {
      content_type: "application/json",
      payload: { encoding: "text", data: '{"invoice":{"id":"inv_42","lines":[{"sku":"A1","amount":1200}],"note":"refund requested"}}' },
      labels: [["tenant", "acme"]],
      metadata: null,
    },
    payload_status: "cached",
    response: {
      http_code: row.http_status,
      headers: '{"content-type":"application/json"}',
      body: { encoding: "text", data: '{"ok":true}' },
      elapsed_ms: row.latency_ms,
      error_name: null,
    },
    response_status: "cached",
    ...overrides,
  };
}

export function syncStatus(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    profile_id: SANDBOX.id,
    sync: { state: "idle" },
    last_synced_at: "2026-03-04T09:00:00Z",
    last_error: null,
    offline: false,
    auto_sync_minutes: null,
    ...overrides,
  };
}

export function filterOptions(overrides: Partial<FilterOptions> = {}): FilterOptions {
  return {
    profile_id: SANDBOX.id,
    applications: [{ id: APP_ID, name: "Billing webhooks" }],
    subscriptions: [
      { id: SUBSCRIPTION_ID, application_id: APP_ID, description: "Invoices to ERP", target_url: "https://erp.example.com/hooks/invoices" },
    ],
    event_types: ["billing.invoice.paid", "billing.invoice.voided"],
    labels: [{ key: "tenant", values: ["acme", "globex"] }],
    attempts: 1000,
    oldest: "2026-02-01T00:00:00Z",
    newest: "2026-03-04T10:00:00Z",
    ...overrides,
  };
}
