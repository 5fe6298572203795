//! The templates shipped with the console, embedded from `templates/incidents/`. They are
//! parsed like any other template, so a mistake in one fails the tests, not an operator.

use super::{Template, TemplateError};

const SHIPPED: [(&str, &str); 4] = [
    (
        "delivery-outage",
        include_str!("../../../templates/incidents/delivery-outage.toml"),
    ),
    (
        "leaked-secret",
        include_str!("../../../templates/incidents/leaked-secret.toml"),
    ),
    (
        "compromised-endpoint",
        include_str!("../../../templates/incidents/compromised-endpoint.toml"),
    ),
    (
        "data-exposure",
        include_str!("../../../templates/incidents/data-exposure.toml"),
    ),
];

/// Whether `id` belongs to a shipped template (which custom ones may not take).
pub fn is_shipped(id: &str) -> bool {
    SHIPPED.iter().any(|(shipped, _)| *shipped == id)
}

/// Every shipped template, parsed.
pub fn shipped() -> Result<Vec<Template>, TemplateError> {
    SHIPPED
        .iter()
        .map(|(_, text)| Template::from_toml(text))
        .collect()
}

/// The shipped template `id`, if there is one.
pub fn shipped_template(id: &str) -> Option<Result<Template, TemplateError>> {
    SHIPPED
        .iter()
        .find(|(shipped, _)| *shipped == id)
        .map(|(_, text)| Template::from_toml(text))
}
