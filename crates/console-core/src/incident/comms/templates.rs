//! The shipped status-update templates, one per audience, and how they are filled.
//!
//! Short and factual, written for webhook delivery incidents. A placeholder is a name in
//! braces (`{affected_events}`); [`PLACEHOLDERS`] lists every name [`fill`] knows, and a test
//! proves the shipped texts use no other. Customers never see the internal title, the
//! severity or people's names: the title may name a customer or a cause not yet confirmed.

use chrono::{DateTime, Utc};

use super::{Audience, LiveNumbers};
use crate::incident::model::{Incident, IncidentStatus};

const CUSTOMERS: &str = "\
Webhook delivery update — {computed_at}

We are {customer_status}.
Since {since}, {affected_events} event(s) could not be delivered to {affected_subscriptions} \
webhook endpoint(s) on the first try; the first failure was at {first_failure}. \
Over the last hour, {failure_rate} of delivery attempts failed.
{replay_sentence}
We will post the next update when the situation changes.";

const INTERNAL: &str = "\
[{severity}] {title} — {status}

Impact since {since}: {affected_events} event(s) and {affected_subscriptions} subscription(s) \
with failed deliveries; {still_failing} delivery(ies) still retrying or given up. \
First failure: {first_failure}.
Failure rate, last hour: {failure_rate} ({failed_last_hour} of {ended_last_hour} ended attempts).
Replays: {replay_line}
Commander: {commander}. Communications: {communications}.
Figures from the local delivery cache at {computed_at}.";

const EXECUTIVES: &str = "\
{severity} incident: {title}
Status: {status}.
Customer impact: {affected_events} event(s) to {affected_subscriptions} endpoint(s) affected \
since {since}; failure rate over the last hour {failure_rate}.
Recovery: {replay_line}
Next update when the status changes. (Figures at {computed_at}.)";

/// Every placeholder [`fill`] replaces.
pub const PLACEHOLDERS: &[&str] = &[
    "title",
    "severity",
    "status",
    "customer_status",
    "since",
    "computed_at",
    "affected_events",
    "affected_subscriptions",
    "still_failing",
    "first_failure",
    "failure_rate",
    "failed_last_hour",
    "ended_last_hour",
    "replay_sentence",
    "replay_line",
    "commander",
    "communications",
];

/// The shipped template for `audience`.
pub fn template_of(audience: Audience) -> &'static str {
    match audience {
        Audience::Customers => CUSTOMERS,
        Audience::Internal => INTERNAL,
        Audience::Executives => EXECUTIVES,
    }
}

/// `template` with every known placeholder replaced by its value for `incident` and
/// `numbers`. Unknown names are left as they are (an operator sees them while editing).
pub fn fill(template: &str, incident: &Incident, numbers: &LiveNumbers) -> String {
    let d = &numbers.deliveries;
    let r = &numbers.replay;
    let person = |p: &Option<String>| p.clone().unwrap_or_else(|| "not assigned".to_owned());
    let rate = d.failure_rate_last_hour.map_or_else(
        || "n/a (no attempt ended)".to_owned(),
        |rate| format!("{:.1} %", rate * 100.0),
    );
    let replay_line = if r.jobs == 0 {
        "no replay started yet.".to_owned()
    } else {
        format!(
            "{} of {} event(s) sent again in {} job(s); {} refused, {} pending.",
            r.sent, r.events, r.jobs, r.failed, r.pending
        )
    };
    let replay_sentence = if r.jobs == 0 {
        "Events that could not be delivered will be sent again once the cause is fixed.".to_owned()
    } else {
        format!(
            "{} of {} affected event(s) have been sent again so far.",
            r.sent, r.events
        )
    };
    let values: Vec<(&str, String)> = vec![
        ("title", incident.title.clone()),
        ("severity", incident.severity.as_str().to_uppercase()),
        ("status", status_words(numbers.status).to_owned()),
        ("customer_status", customer_words(numbers.status).to_owned()),
        ("since", at(numbers.since)),
        ("computed_at", at(numbers.computed_at)),
        ("affected_events", d.affected_events.to_string()),
        (
            "affected_subscriptions",
            d.affected_subscriptions.to_string(),
        ),
        ("still_failing", d.still_failing.to_string()),
        (
            "first_failure",
            d.first_failure_at
                .map_or_else(|| "none recorded".to_owned(), at),
        ),
        ("failure_rate", rate),
        ("failed_last_hour", d.failed_last_hour.to_string()),
        ("ended_last_hour", d.ended_last_hour.to_string()),
        ("replay_sentence", replay_sentence),
        ("replay_line", replay_line),
        ("commander", person(&incident.roles.commander)),
        ("communications", person(&incident.roles.communications)),
    ];
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), &value);
    }
    out
}

fn at(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn status_words(status: IncidentStatus) -> &'static str {
    match status {
        IncidentStatus::Identification => "investigating",
        IncidentStatus::Containment => "containing",
        IncidentStatus::Eradication => "fixing the cause",
        IncidentStatus::Recovery => "recovering",
        IncidentStatus::LessonsLearned => "resolved, review in progress",
        IncidentStatus::Closed => "resolved and closed",
    }
}

fn customer_words(status: IncidentStatus) -> &'static str {
    match status {
        IncidentStatus::Identification => "investigating failed webhook deliveries",
        IncidentStatus::Containment => {
            "working to contain an issue that affects webhook deliveries"
        }
        IncidentStatus::Eradication => "fixing the cause of failed webhook deliveries",
        IncidentStatus::Recovery => {
            "recovering: deliveries are resuming and failed events are being sent again"
        }
        IncidentStatus::LessonsLearned | IncidentStatus::Closed => {
            "resolved: webhook deliveries are back to normal"
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn shipped_templates_use_only_known_placeholders() {
        for audience in Audience::ALL {
            let text = template_of(audience);
            for piece in text.split('{').skip(1) {
                let name = piece.split('}').next().unwrap();
                assert!(
                    PLACEHOLDERS.contains(&name),
                    "{audience:?} uses an unknown placeholder {name:?}"
                );
            }
        }
    }

    #[test]
    fn the_customer_template_names_no_internal_detail() {
        for name in ["{title}", "{severity}", "{commander}", "{communications}"] {
            assert!(!CUSTOMERS.contains(name), "customers must not see {name}");
        }
    }
}
