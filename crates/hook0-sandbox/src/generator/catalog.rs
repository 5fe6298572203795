//! Names that make the generated scenario read like a real organization's.

/// An application and the event types it emits.
pub struct Domain {
    pub name: &'static str,
    pub event_types: &'static [&'static str],
}

pub const DOMAINS: &[Domain] = &[
    Domain {
        name: "Billing API",
        event_types: &[
            "billing.invoice.created",
            "billing.invoice.paid",
            "billing.invoice.failed",
            "billing.payment.refunded",
            "billing.subscription.renewed",
            "billing.subscription.cancelled",
            "user.account.created",
        ],
    },
    Domain {
        name: "Checkout Webhooks",
        event_types: &[
            "order.checkout.completed",
            "order.checkout.abandoned",
            "order.payment.captured",
            "order.shipment.dispatched",
            "order.shipment.delivered",
            "order.refund.issued",
        ],
    },
    Domain {
        name: "User Accounts",
        event_types: &[
            "user.account.created",
            "user.account.updated",
            "user.account.deleted",
            "user.session.started",
            "user.password.reset",
            "user.email.verified",
        ],
    },
    Domain {
        name: "Inventory Sync",
        event_types: &[
            "inventory.item.created",
            "inventory.item.updated",
            "inventory.stock.low",
            "inventory.stock.replenished",
            "inventory.item.discontinued",
        ],
    },
    Domain {
        name: "Shipping Notifications",
        event_types: &[
            "shipping.label.created",
            "shipping.parcel.in_transit",
            "shipping.parcel.delivered",
            "shipping.parcel.returned",
            "shipping.parcel.lost",
        ],
    },
    Domain {
        name: "Support Desk",
        event_types: &[
            "support.ticket.opened",
            "support.ticket.escalated",
            "support.ticket.resolved",
            "support.message.received",
        ],
    },
    Domain {
        name: "Marketing Events",
        event_types: &[
            "marketing.campaign.sent",
            "marketing.email.opened",
            "marketing.email.bounced",
            "marketing.contact.unsubscribed",
        ],
    },
    Domain {
        name: "Partner Integrations",
        event_types: &[
            "partner.account.linked",
            "partner.sync.completed",
            "partner.sync.failed",
            "partner.token.revoked",
        ],
    },
];

/// Subscription targets: description, URL, method.
pub const TARGETS: &[(&str, &str, &str)] = &[
    (
        "Accounting ledger sync",
        "https://ledger.northwind.example/webhooks/hook0",
        "POST",
    ),
    (
        "CRM contact updates",
        "https://crm.acme-corp.example/api/hooks/contacts",
        "POST",
    ),
    (
        "Data warehouse ingestion",
        "https://ingest.datalake.example/v2/events",
        "POST",
    ),
    (
        "Slack #ops notifications",
        "https://hooks.chat.example/services/T000/B000/ops",
        "POST",
    ),
    (
        "Fulfilment partner",
        "https://api.fastship.example/webhooks/orders",
        "PUT",
    ),
    (
        "Fraud screening",
        "https://risk.sentinel.example/hook0/inbound",
        "POST",
    ),
    (
        "Legacy ERP bridge",
        "http://erp-bridge.internal.example:8080/hook",
        "POST",
    ),
    (
        "Email automation",
        "https://automation.mailer.example/triggers/hook0",
        "POST",
    ),
    (
        "Customer portal cache",
        "https://portal.acme-corp.example/internal/cache-bust",
        "POST",
    ),
    (
        "Analytics pipeline",
        "https://collector.metrics.example/webhook",
        "POST",
    ),
    (
        "Mobile push gateway",
        "https://push.gateway.example/v1/notify",
        "POST",
    ),
    (
        "Audit archive",
        "https://archive.compliance.example/hooks/events",
        "PUT",
    ),
];

pub const TENANTS: u32 = 120;

pub const SERVERS: &[&str] = &[
    "nginx/1.25.3",
    "cloudflare",
    "envoy",
    "gunicorn",
    "Microsoft-IIS/10.0",
    "AmazonS3",
    "Apache/2.4.58 (Debian)",
];

pub const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Grace",
    "Linus",
    "Margaret",
    "Alan",
    "Barbara",
    "Dennis",
    "Frances",
    "Ken",
    "Radia",
    "Tim",
    "Hedy",
    "Joan",
    "Katherine",
    "Edsger",
    "Donald",
];

pub const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Turing",
    "Liskov",
    "Ritchie",
    "Allen",
    "Thompson",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Clarke",
    "Johnson",
    "Dijkstra",
    "Knuth",
];

pub const CURRENCIES: &[&str] = &["EUR", "USD", "GBP", "CHF", "JPY"];

pub const IPS: &[&str] = &[
    "10.12.0.7",
    "10.12.0.8",
    "10.40.3.21",
    "172.18.0.4",
    "192.168.10.15",
    "127.0.0.1",
];
