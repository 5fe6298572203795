//! The report as Markdown. Operator text is escaped where Markdown would read it as markup
//! (raw HTML, table cell breaks), so a wiki that renders the file shows it as written.

use std::fmt::Write as _;

use super::{
    IncidentReport, audience, duration, entry_kind, item_state, metric_rows, milestone_rows,
    phase_title, scope_line, when,
};

/// The report as one Markdown document.
pub fn to_markdown(report: &IncidentReport) -> String {
    let mut md = String::new();
    let s = &report.summary;
    let _ = writeln!(md, "# Incident report: {}\n", inline(&s.title));
    let _ = writeln!(md, "Generated {}.\n", when(Some(report.generated_at)));

    md.push_str("## Summary\n\n| Field | Value |\n|---|---|\n");
    for (field, value) in [
        ("Incident", s.incident_id.to_string()),
        ("Kind", s.kind.as_str().to_owned()),
        ("Severity", s.severity.as_str().to_uppercase()),
        ("Status", s.status.as_str().to_owned()),
        ("Scope", scope_line(&s.scope)),
        ("Template", s.template.clone()),
    ] {
        let _ = writeln!(md, "| {field} | {} |", cell(&value));
    }

    md.push_str("\n## Roles\n\n| Role | Who |\n|---|---|\n");
    let r = &report.roles;
    for (role, who) in [
        ("Commander", &r.commander),
        ("Scribe", &r.scribe),
        ("Communications", &r.communications),
    ] {
        let _ = writeln!(md, "| {role} | {} |", cell(who.as_deref().unwrap_or("—")));
    }

    md.push_str("\n## Phase timestamps\n\n| Milestone | When |\n|---|---|\n");
    for (label, at) in milestone_rows(&report.milestones) {
        let _ = writeln!(md, "| {label} | {} |", when(at));
    }

    md.push_str("\n## Metrics\n\n| Figure | Value |\n|---|---|\n");
    for (label, seconds) in metric_rows(&report.metrics) {
        let _ = writeln!(md, "| {label} | {} |", duration(seconds));
    }

    md.push_str("\n## Checklist\n");
    for phase in &report.checklist {
        let _ = writeln!(md, "\n### {}\n", phase_title(phase.phase));
        if phase.items.is_empty() {
            md.push_str("No items.\n");
        }
        for item in &phase.items {
            let mark = if item.done_at.is_some() { "x" } else { " " };
            let required = if item.required { " (required)" } else { "" };
            let _ = writeln!(
                md,
                "- [{mark}] {}{required} — {}",
                inline(&item.text),
                inline(&item_state(item))
            );
            if let Some(note) = &item.note {
                let _ = writeln!(md, "  - Note: {}", inline(note));
            }
        }
    }

    md.push_str("\n## Timeline\n\n| When | Kind | Author | What |\n|---|---|---|---|\n");
    for e in &report.timeline {
        let backdated = if e.backdated { " (back-dated)" } else { "" };
        let _ = writeln!(
            md,
            "| {}{backdated} | {} | {} | {} |",
            when(Some(e.at)),
            entry_kind(e.kind),
            cell(&e.author),
            cell(&e.text)
        );
    }

    md.push_str("\n## Evidence\n\n");
    if report.evidence.is_empty() {
        md.push_str("No evidence attached.\n");
    } else {
        md.push_str(
            "| Id | Kind | Label | Rows | SHA-256 of the snapshot | Captured | Added by |\n\
             |---|---|---|---|---|---|---|\n",
        );
        for ev in &report.evidence {
            let truncated = if ev.truncated {
                " (snapshot truncated)"
            } else {
                ""
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {}{truncated} | `{}` | {} | {} |",
                ev.id,
                ev.kind.as_str(),
                cell(&ev.label),
                ev.rows,
                cell(&ev.sha256),
                when(Some(ev.captured_at)),
                cell(&ev.added_by)
            );
        }
    }

    md.push_str("\n## Communications\n\n");
    if report.communications.is_empty() {
        md.push_str("No status update logged as sent.\n");
    }
    for c in &report.communications {
        let audience = audience(c);
        let _ = writeln!(
            md,
            "### {} — {} (by {})\n",
            when(Some(c.at)),
            inline(audience),
            inline(&c.author)
        );
        for line in c.text.lines() {
            let _ = writeln!(md, "> {}", inline(line));
        }
        md.push('\n');
    }

    md.push_str("\n## Lessons learned\n\n");
    let l = &report.lessons_learned;
    let _ = writeln!(md, "Phase entered: {}.\n", when(l.entered_at));
    for item in &l.items {
        let _ = writeln!(
            md,
            "- {} — {}",
            inline(&item.text),
            inline(&item_state(item))
        );
        if let Some(note) = &item.note {
            let _ = writeln!(md, "  - Note: {}", inline(note));
        }
    }
    for n in &l.notes {
        let _ = writeln!(
            md,
            "- {} {} ({}): {}",
            when(Some(n.at)),
            entry_kind(n.kind),
            inline(&n.author),
            inline(&n.text)
        );
    }
    md
}

/// Text on one line, with what Markdown would take for HTML escaped.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text for a table cell: also no cell break.
fn cell(text: &str) -> String {
    inline(text).replace('|', "\\|")
}
