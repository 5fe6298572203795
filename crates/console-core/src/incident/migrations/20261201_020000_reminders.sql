-- Reminders already shown (incident/reminder): one row per checklist item and threshold, so a
-- reminder is shown once, across restarts. Kept with the incident records (not the delivery
-- cache) because it describes them; rows go with nothing, as incidents are never deleted.

CREATE TABLE reminder_sent (
    incident_id BLOB NOT NULL REFERENCES incident (id),
    phase       TEXT NOT NULL CHECK (phase IN ('identification', 'containment',
                    'eradication', 'recovery', 'lessons_learned')),
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('overdue', 'deadline_24h', 'deadline_2h',
                    'deadline_passed')),
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (incident_id, phase, position, kind)
) STRICT, WITHOUT ROWID;
