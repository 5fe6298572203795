//! The report as one self-contained HTML file: the style inline, no script, no image, no
//! font, no link to fetch — it opens the same offline, in a mail client or an archive years
//! later. Every string from the records goes through [`esc`], attribute values included.

use std::fmt::Write as _;

use super::{
    IncidentReport, audience, duration, entry_kind, item_state, metric_rows, milestone_rows,
    phase_title, scope_line, when,
};

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;color:#1d2330;max-width:60rem;\
margin:2rem auto;padding:0 1rem}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;\
border-bottom:1px solid #d5d9e0}h3{font-size:1rem}table{border-collapse:collapse;width:100%}\
th,td{border:1px solid #d5d9e0;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f2f4f7}code{font-size:.85em;word-break:break-all}.muted{color:#5b6475}\
blockquote{margin:.5rem 0;padding:.3rem .8rem;border-left:3px solid #8792a8;white-space:pre-wrap}\
.done{color:#17683a}.open{color:#9a3412}";

/// The report as one HTML document.
pub fn to_html(report: &IncidentReport) -> String {
    let mut h = String::new();
    let s = &report.summary;
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\
         <title>Incident report: {}</title><style>{STYLE}</style></head><body>\n",
        esc(&s.title)
    );
    let _ = writeln!(h, "<h1>Incident report: {}</h1>", esc(&s.title));
    let _ = writeln!(
        h,
        "<p class=\"muted\">Generated {}.</p>",
        esc(&when(Some(report.generated_at)))
    );

    h.push_str("<h2>Summary</h2>\n<table>\n");
    for (field, value) in [
        ("Incident", s.incident_id.to_string()),
        ("Kind", s.kind.as_str().to_owned()),
        ("Severity", s.severity.as_str().to_uppercase()),
        ("Status", s.status.as_str().to_owned()),
        ("Scope", scope_line(&s.scope)),
        ("Template", s.template.clone()),
    ] {
        row(&mut h, &[field, &value]);
    }
    h.push_str("</table>\n<h2>Roles</h2>\n<table>\n");
    let r = &report.roles;
    for (role, who) in [
        ("Commander", &r.commander),
        ("Scribe", &r.scribe),
        ("Communications", &r.communications),
    ] {
        row(&mut h, &[role, who.as_deref().unwrap_or("—")]);
    }
    h.push_str("</table>\n<h2>Phase timestamps</h2>\n<table>\n");
    for (label, at) in milestone_rows(&report.milestones) {
        row(&mut h, &[label, &when(at)]);
    }
    h.push_str("</table>\n<h2>Metrics</h2>\n<table>\n");
    for (label, seconds) in metric_rows(&report.metrics) {
        row(&mut h, &[label, &duration(seconds)]);
    }
    h.push_str("</table>\n<h2>Checklist</h2>\n");
    for phase in &report.checklist {
        let _ = writeln!(h, "<h3>{}</h3>", esc(phase_title(phase.phase)));
        if phase.items.is_empty() {
            h.push_str("<p class=\"muted\">No items.</p>\n");
            continue;
        }
        h.push_str("<table>\n<tr><th>Item</th><th>State</th><th>Note</th></tr>\n");
        for item in &phase.items {
            let class = if item.done_at.is_some() {
                "done"
            } else {
                "open"
            };
            let required = if item.required { " (required)" } else { "" };
            let _ = writeln!(
                h,
                "<tr><td>{}{required}</td><td class=\"{class}\">{}</td><td>{}</td></tr>",
                esc(&item.text),
                esc(&item_state(item)),
                esc(item.note.as_deref().unwrap_or(""))
            );
        }
        h.push_str("</table>\n");
    }

    h.push_str(
        "<h2>Timeline</h2>\n<table>\n<tr><th>When</th><th>Kind</th><th>Author</th>\
         <th>What</th></tr>\n",
    );
    for e in &report.timeline {
        let backdated = if e.backdated { " (back-dated)" } else { "" };
        row(
            &mut h,
            &[
                &format!("{}{backdated}", when(Some(e.at))),
                entry_kind(e.kind),
                &e.author,
                &e.text,
            ],
        );
    }
    h.push_str("</table>\n<h2>Evidence</h2>\n");
    if report.evidence.is_empty() {
        h.push_str("<p class=\"muted\">No evidence attached.</p>\n");
    } else {
        h.push_str(
            "<table>\n<tr><th>Id</th><th>Kind</th><th>Label</th><th>Rows</th>\
             <th>SHA-256 of the snapshot</th><th>Captured</th><th>Added by</th></tr>\n",
        );
        for ev in &report.evidence {
            let truncated = if ev.truncated {
                " (snapshot truncated)"
            } else {
                ""
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}{truncated}</td>\
                 <td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                ev.id,
                esc(ev.kind.as_str()),
                esc(&ev.label),
                ev.rows,
                esc(&ev.sha256),
                esc(&when(Some(ev.captured_at))),
                esc(&ev.added_by)
            );
        }
        h.push_str("</table>\n");
    }

    h.push_str("<h2>Communications</h2>\n");
    if report.communications.is_empty() {
        h.push_str("<p class=\"muted\">No status update logged as sent.</p>\n");
    }
    for c in &report.communications {
        let audience = audience(c);
        let _ = writeln!(
            h,
            "<h3>{} — {} (by {})</h3>\n<blockquote>{}</blockquote>",
            esc(&when(Some(c.at))),
            esc(audience),
            esc(&c.author),
            esc(&c.text)
        );
    }

    h.push_str("<h2>Lessons learned</h2>\n");
    let l = &report.lessons_learned;
    let _ = writeln!(
        h,
        "<p class=\"muted\">Phase entered: {}.</p>\n<ul>",
        esc(&when(l.entered_at))
    );
    for item in &l.items {
        let note = item
            .note
            .as_deref()
            .map(|n| format!(" — {}", esc(n)))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<li>{} — {}{note}</li>",
            esc(&item.text),
            esc(&item_state(item))
        );
    }
    for n in &l.notes {
        let _ = writeln!(
            h,
            "<li>{} {} ({}): {}</li>",
            esc(&when(Some(n.at))),
            esc(entry_kind(n.kind)),
            esc(&n.author),
            esc(&n.text)
        );
    }
    h.push_str("</ul>\n</body></html>\n");
    h
}

fn row(h: &mut String, cells: &[&str]) {
    h.push_str("<tr>");
    for (i, c) in cells.iter().enumerate() {
        let tag = if i == 0 && cells.len() == 2 {
            "th"
        } else {
            "td"
        };
        let _ = write!(h, "<{tag}>{}</{tag}>", esc(c));
    }
    h.push_str("</tr>\n");
}

/// Text made safe for HTML element content and quoted attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn every_markup_character_is_escaped() {
        assert_eq!(
            esc(r#"<script>alert("x&'y")</script>"#),
            "&lt;script&gt;alert(&quot;x&amp;&#39;y&quot;)&lt;/script&gt;"
        );
    }
}
