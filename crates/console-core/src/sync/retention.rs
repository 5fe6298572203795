//! Last stage: the profile's cache retention, applied after every sync that finished.
//!
//! Why here: a cache only grows while syncing, so trimming it right after keeps it at the
//! size the operator chose without a scheduler. The purge runs in its own transaction, after
//! every stage has committed, so a failure here never undoes synced data; FTS rows and
//! derived rows go with the events (see [`crate::cache::Ingest::purge_older_than`]).

use chrono::Utc;

use super::{Run, Stage, SyncError};

pub(super) fn apply(run: &mut Run<'_>) -> Result<(), SyncError> {
    let Some(days) = run.options.retention_days else {
        return Ok(());
    };
    run.cancel.check()?;
    run.meter.enter(Stage::Retention, None);
    let mut ingest = run.cache.ingest()?;
    let erased = ingest.purge_older_than(Utc::now(), days)?;
    ingest.commit()?;
    if erased.events > 0 {
        // Erased text must also leave the full-text segments, not only the tables.
        run.cache.compact()?;
    }
    run.emit(erased.events, Some(erased.events), None);
    Ok(())
}
