//! The dry run: from a selection, the exact set a replay job will send, and who receives it.
//!
//! Hook0's replay re-sends an event to every subscription that matches *at the moment of the
//! replay*: enabled, of the event's application, listening to its event type, and whose every
//! label the event carries (API_NOTES, "Replay"; the sandbox's `fan_out`). So the plan lists,
//! per event, every such subscription from the cached configuration — the failed ones and the
//! healthy ones that will get a duplicate — and counts them per subscription.
//!
//! Selection is set-based: one statement collects the deliveries (chains) the filter's
//! attempts belong to, de-duplicated by SQLite, joined to their events; subscriptions and
//! event types are small tables read whole. Labels are read per selected event only when some
//! candidate subscription has labels. Events whose payload is not cached have unknown labels:
//! subscriptions that need labels are then listed as *possible* targets.

mod report;
mod select;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use uuid::Uuid;

pub use report::{
    ExcludedEvent, Exclusion, PlanOptions, PlannedEvent, ReplayPlan, SubscriptionImpact,
};
use select::{Sub, names, pick_by_filter, pick_listed, subscriptions, uuid_of};

use super::error::ReplayError;
use super::manifest::{Manifest, ManifestEvent, Selection, SetDiff};
use crate::cache::ChainOutcome;

/// Plans a replay of `selection` from the cache.
pub fn plan(
    conn: &Connection,
    selection: &Selection,
    options: PlanOptions,
    now: DateTime<Utc>,
) -> Result<ReplayPlan, ReplayError> {
    let picked = match selection {
        Selection::Filter(filter) => pick_by_filter(conn, filter)?,
        Selection::Deliveries(list) if list.is_empty() => {
            return Err(ReplayError::InvalidSelection("no delivery selected".into()));
        }
        Selection::Deliveries(list) => pick_listed(conn, list)?,
    };
    let subs = subscriptions(conn)?;
    let apps = names(conn, "SELECT id, uuid FROM application")?;
    let mut type_names: HashMap<i64, String> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached("SELECT id, name FROM event_type")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))? {
            let (id, name) = row?;
            type_names.insert(id, name);
        }
    }
    let deliveries_selected = picked.len() as u64;

    // Group the selected deliveries by event.
    struct Group {
        uuid: Uuid,
        application: i64,
        event_type: Option<i64>,
        labels_known: bool,
        first_seen: i64,
        failed: Vec<i64>,
        recovered: bool,
    }
    let mut groups: HashMap<i64, Group> = HashMap::new();
    for p in picked {
        let g = groups.entry(p.event).or_insert_with(|| Group {
            uuid: p.event_uuid,
            application: p.application,
            event_type: p.event_type,
            labels_known: p.labels_known,
            first_seen: p.first_seen,
            failed: Vec::new(),
            recovered: false,
        });
        let outcome = ChainOutcome::from_code(p.outcome);
        match outcome {
            Some(ChainOutcome::Retrying | ChainOutcome::GaveUp) => g.failed.push(p.subscription),
            Some(ChainOutcome::Delivered) => {
                g.recovered = true;
                if options.include_recovered {
                    g.failed.push(p.subscription);
                }
            }
            Some(ChainOutcome::Pending) | None => {}
        }
    }
    let mut ordered: Vec<(i64, Group)> = groups.into_iter().collect();
    ordered.sort_by_key(|a| (a.1.first_seen, a.1.uuid));

    // Candidate receivers per (application, event type), before labels.
    let mut candidates: HashMap<(i64, Option<i64>), Vec<i64>> = HashMap::new();
    let mut label_stmt =
        conn.prepare_cached("SELECT key, value FROM event_label WHERE event_id = ?1")?;
    let mut impact: BTreeMap<i64, SubscriptionImpact> = BTreeMap::new();
    let mut events = Vec::new();
    let mut excluded = Vec::new();
    let mut manifest_events = Vec::new();
    let mut healthy_duplicates = 0u64;
    for (event_row, g) in ordered {
        let application_id = apps
            .get(&g.application)
            .map(|b| uuid_of(b))
            .transpose()?
            .unwrap_or_default();
        let exclude = |reason| ExcludedEvent {
            event_id: g.uuid,
            application_id,
            reason,
        };
        if g.failed.is_empty() {
            excluded.push(exclude(if g.recovered {
                Exclusion::AlreadyDelivered
            } else {
                Exclusion::NotFailed
            }));
            continue;
        }
        let type_name = g.event_type.and_then(|t| type_names.get(&t));
        let cands = candidates
            .entry((g.application, g.event_type))
            .or_insert_with(|| {
                let mut v: Vec<i64> = subs
                    .iter()
                    .filter(|(_, s)| {
                        s.enabled
                            && s.application == g.application
                            && type_name.is_some_and(|n| s.event_types.contains(n))
                    })
                    .map(|(&id, _)| id)
                    .collect();
                v.sort_unstable();
                v
            })
            .clone();
        let needs_labels = cands
            .iter()
            .any(|id| subs.get(id).is_some_and(|s| !s.labels.is_empty()));
        let labels: Option<HashMap<String, String>> = if needs_labels && g.labels_known {
            Some(
                label_stmt
                    .query_map([event_row], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()?,
            )
        } else {
            None
        };
        let mut targets = Vec::new();
        let mut possible = Vec::new();
        for id in &cands {
            let Some(sub) = subs.get(id) else { continue };
            if sub.labels.is_empty() {
                targets.push(*id);
            } else if !g.labels_known {
                possible.push(*id);
            } else if labels
                .as_ref()
                .is_some_and(|l| sub.labels.iter().all(|(k, v)| l.get(k) == Some(v)))
            {
                targets.push(*id);
            }
        }
        if targets.is_empty() && possible.is_empty() {
            excluded.push(exclude(Exclusion::NoMatchingSubscription));
            continue;
        }
        let mut failed = g.failed.clone();
        failed.sort_unstable();
        failed.dedup();
        for &id in &targets {
            let entry = impact_entry(&mut impact, id, &subs, &apps);
            entry.replays += 1;
            if !failed.contains(&id) {
                entry.healthy_duplicates += 1;
                healthy_duplicates += 1;
            }
        }
        for &id in &possible {
            impact_entry(&mut impact, id, &subs, &apps).possible += 1;
        }
        for &id in &failed {
            let entry = impact_entry(&mut impact, id, &subs, &apps);
            entry.failed += 1;
            if !targets.contains(&id) && !possible.contains(&id) {
                entry.failed_not_reached += 1;
            }
        }
        let to_uuids = |ids: &[i64]| {
            let mut v: Vec<Uuid> = ids
                .iter()
                .filter_map(|id| subs.get(id).map(|s| s.uuid))
                .collect();
            v.sort_unstable();
            v
        };
        let failed_subscriptions = to_uuids(&failed);
        manifest_events.push(ManifestEvent {
            event_id: g.uuid,
            application_id,
            failed_subscriptions: failed_subscriptions.clone(),
        });
        events.push(PlannedEvent {
            event_id: g.uuid,
            application_id,
            event_type: type_name.cloned(),
            failed_subscriptions,
            targets: to_uuids(&targets),
            possible_targets: to_uuids(&possible),
        });
    }
    let manifest = Manifest::new(
        selection.clone(),
        options.include_recovered,
        manifest_events,
        now,
    );
    let mut subscriptions: Vec<SubscriptionImpact> = impact.into_values().collect();
    subscriptions.sort_by(|a, b| {
        (a.application_id, a.subscription_id).cmp(&(b.application_id, b.subscription_id))
    });
    Ok(ReplayPlan {
        sha256: manifest.sha256()?,
        manifest,
        events,
        subscriptions,
        excluded,
        deliveries_selected,
        healthy_duplicates,
    })
}

fn impact_entry<'a>(
    impact: &'a mut BTreeMap<i64, SubscriptionImpact>,
    id: i64,
    subs: &HashMap<i64, Sub>,
    apps: &HashMap<i64, Vec<u8>>,
) -> &'a mut SubscriptionImpact {
    impact.entry(id).or_insert_with(|| {
        let sub = subs.get(&id);
        SubscriptionImpact {
            subscription_id: sub.map_or_else(Uuid::nil, |s| s.uuid),
            application_id: sub
                .and_then(|s| apps.get(&s.application))
                .and_then(|b| Uuid::from_slice(b).ok())
                .unwrap_or_default(),
            description: sub.and_then(|s| s.description.clone()),
            is_enabled: sub.is_some_and(|s| s.enabled),
            replays: 0,
            possible: 0,
            failed: 0,
            healthy_duplicates: 0,
            failed_not_reached: 0,
        }
    })
}

/// Plans `approved`'s selection again and compares: an empty diff means the approval still
/// covers what a run would send.
pub fn check_unchanged(
    conn: &Connection,
    approved: &Manifest,
    now: DateTime<Utc>,
) -> Result<SetDiff, ReplayError> {
    let fresh = plan(
        conn,
        &approved.selection,
        PlanOptions {
            include_recovered: approved.include_recovered,
        },
        now,
    )?;
    Ok(SetDiff::between(approved, &fresh.manifest))
}

/// First attempts (retry 0) of each manifest event known to the cache: the journal keeps
/// them so that the attempts a replay creates — first attempts too — can be told apart.
pub fn baselines(
    conn: &Connection,
    manifest: &Manifest,
) -> Result<HashMap<Uuid, Vec<Uuid>>, ReplayError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.uuid FROM attempt a JOIN event e ON e.id = a.event_id
         WHERE e.uuid = ?1 AND a.retry_count = 0",
    )?;
    let mut out = HashMap::with_capacity(manifest.events.len());
    for event in &manifest.events {
        let ids = stmt
            .query_map([event.event_id.as_bytes().to_vec()], |r| {
                r.get::<_, Vec<u8>>(0)
            })?
            .map(|b| b.map_err(ReplayError::from).and_then(|b| uuid_of(&b)))
            .collect::<Result<Vec<_>, _>>()?;
        out.insert(event.event_id, ids);
    }
    Ok(out)
}
