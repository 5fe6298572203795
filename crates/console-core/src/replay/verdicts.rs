//! Verdicts kept in the journal: a job's verification is stored when it is made, so its
//! outcome reads the same after a restart or from the command line.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension as _;
use uuid::Uuid;

use super::error::ReplayError;
use super::journal::{Journal, blob, time_of};
use super::verify::Verification;
use crate::cache::micros;

impl Journal {
    /// Stores the verification of `verification.job_id` (replacing an earlier one).
    pub fn save_verification(
        &self,
        verification: &Verification,
        at: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        let report = serde_json::to_string(verification)
            .map_err(|e| ReplayError::Corrupt(format!("verification: {e}")))?;
        let cache = self.lock();
        let stored = cache.conn().execute(
            "INSERT INTO replay_verification (job_id, verified_at, report)
             SELECT id, ?2, ?3 FROM replay_job WHERE uuid = ?1
             ON CONFLICT (job_id) DO UPDATE
                 SET verified_at = excluded.verified_at, report = excluded.report",
            rusqlite::params![blob(verification.job_id), micros(&at), report],
        )?;
        if stored == 0 {
            return Err(ReplayError::UnknownJob(verification.job_id));
        }
        Ok(())
    }

    /// The last verification of `job` and when it was made, if it was verified.
    pub fn verification(
        &self,
        job: Uuid,
    ) -> Result<Option<(Verification, DateTime<Utc>)>, ReplayError> {
        let cache = self.lock();
        let row = cache
            .conn()
            .prepare_cached(
                "SELECT v.report, v.verified_at FROM replay_verification v
                 JOIN replay_job j ON j.id = v.job_id WHERE j.uuid = ?1",
            )?
            .query_row([blob(job)], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .optional()?;
        row.map(|(report, at)| {
            let verification: Verification = serde_json::from_str(&report)
                .map_err(|e| ReplayError::Corrupt(format!("job {job}: verification: {e}")))?;
            if verification.job_id != job {
                return Err(ReplayError::Corrupt(format!(
                    "job {job}: the stored verification names job {}",
                    verification.job_id
                )));
            }
            Ok((verification, time_of(at)?))
        })
        .transpose()
    }
}
