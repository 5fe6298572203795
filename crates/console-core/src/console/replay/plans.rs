//! Dry runs: a selection planned from the active profile's cache (synced first when asked),
//! an exported manifest taken back in, and a plan written out as a file. Plans are kept by
//! their manifest's hash, which is all the window ever sends back.

use std::io::Write as _;
use std::sync::Arc;

use chrono::Utc;

use super::record::Step;
use super::state::KeptPlan;
use crate::console::Console;
use crate::error::{ErrorCode, ErrorDto};
use crate::ipc::{ManifestExport, PLAN_PREVIEW_EVENTS, ReplayPlanRequest, ReplayPlanView};
use crate::replay::{Manifest, PlanOptions, ReplayError, ReplayPlan, ensure_unchanged, plan};

impl Console {
    /// The dry run of a selection on the active profile's cache as it is now.
    pub fn replay_plan(&self, request: ReplayPlanRequest) -> Result<ReplayPlanView, ErrorDto> {
        let profile = self.active_profile_id()?;
        let planned = self.plan_on(profile, &request)?;
        self.keep_and_view(profile, planned, None)
    }

    /// The dry run on a freshly synced cache: the active profile's failures are synced first
    /// (other payload downloads go on after), so the plan sees failures and recoveries up to
    /// now, and each failed event's labels. When the API
    /// cannot be reached the plan comes from the cache and says so (`sync_error`).
    pub async fn replay_plan_fresh(
        self: &Arc<Self>,
        request: ReplayPlanRequest,
    ) -> Result<ReplayPlanView, ErrorDto> {
        let freshness = self.sync_failures_now().await?;
        let console = Arc::clone(self);
        let mut view = tokio::task::spawn_blocking(move || console.replay_plan(request))
            .await
            .map_err(|e| ErrorDto::new(ErrorCode::Internal, format!("the plan stopped: {e}")))??;
        if freshness.as_of.is_some() {
            view.cache_synced_at = freshness.as_of;
        }
        view.sync_error = freshness.error;
        Ok(view)
    }

    /// Takes back an exported manifest (from this window or `hook0-console replay plan`):
    /// its structure and hash are checked, then the cache must still plan the same set (the
    /// difference is the error otherwise). The manifest is kept as it is, so its hash — and a
    /// code approving it — stay the same.
    pub fn replay_import_manifest(&self, manifest_json: &str) -> Result<ReplayPlanView, ErrorDto> {
        let profile = self.active_profile_id()?;
        let manifest = Manifest::import(manifest_json).map_err(ReplayError::from)?;
        ensure_unchanged(&self.journal_of(profile)?, &manifest, Utc::now())?;
        let request = ReplayPlanRequest {
            selection: manifest.selection.clone(),
            options: PlanOptions {
                include_recovered: manifest.include_recovered,
            },
        };
        let planned = self.plan_on(profile, &request)?;
        self.keep_and_view(profile, planned, Some(manifest))
    }

    /// Writes a kept plan's manifest (JSON with its SHA-256) under `exports/` in the data
    /// directory, for `hook0-console replay run` or the record.
    pub fn replay_export_manifest(
        &self,
        manifest_sha256: &str,
    ) -> Result<ManifestExport, ErrorDto> {
        self.unlocked()?;
        let kept = self.kept_plan(manifest_sha256)?;
        let text = kept.manifest.export().map_err(ReplayError::from)?;
        let sha256 = kept.manifest.sha256().map_err(ReplayError::from)?;
        let dir = self.data_dir.join("exports");
        std::fs::create_dir_all(&dir).map_err(|e| ErrorDto::unwritable(&dir, &e))?;
        let short = sha256.get(..12).unwrap_or(&sha256);
        let path = dir.join(format!(
            "replay-{short}-{}.json",
            Utc::now().format("%Y%m%dT%H%M%SZ")
        ));
        let mut file = std::fs::File::create(&path).map_err(|e| ErrorDto::unwritable(&path, &e))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| ErrorDto::unwritable(&path, &e))?;
        Ok(ManifestExport {
            path: path.display().to_string(),
            manifest_sha256: sha256,
            events: kept.manifest.events.len() as u64,
        })
    }

    fn plan_on(
        &self,
        profile: uuid::Uuid,
        request: &ReplayPlanRequest,
    ) -> Result<ReplayPlan, ErrorDto> {
        self.with_reader_of(profile, |r| {
            Ok(plan(
                r.conn(),
                &request.selection,
                request.options,
                Utc::now(),
            ))
        })?
        .map_err(ErrorDto::from)
    }

    /// Keeps the plan (under `imported`'s hash when it came from a file) and makes its view.
    fn keep_and_view(
        &self,
        profile: uuid::Uuid,
        planned: ReplayPlan,
        imported: Option<Manifest>,
    ) -> Result<ReplayPlanView, ErrorDto> {
        let step = if imported.is_some() {
            Step::Imported
        } else {
            Step::Planned
        };
        let manifest = imported.unwrap_or(planned.manifest);
        let sha256 = manifest.sha256().map_err(ReplayError::from)?;
        let digest = manifest.action_digest().map_err(ReplayError::from)?;
        let single_waived = self.replay_settings_now()?.single_event_without_step_up;
        let event_count = planned.events.len();
        let mut events = planned.events;
        events.truncate(PLAN_PREVIEW_EVENTS);
        let view = ReplayPlanView {
            manifest_sha256: sha256.clone(),
            action_digest: digest.to_string(),
            created_at: manifest.created_at,
            step_up_required: !(event_count == 1 && single_waived),
            event_count: event_count as u64,
            events,
            subscriptions: planned.subscriptions,
            excluded: planned.excluded,
            deliveries_selected: planned.deliveries_selected,
            healthy_duplicates: planned.healthy_duplicates,
            cache_synced_at: self.last_completed(profile)?,
            sync_error: None,
        };
        if event_count > 0 {
            self.record_step(profile, None, &sha256, step, None)?;
            self.replays()?
                .keep_plan(sha256, KeptPlan { profile, manifest });
        }
        Ok(view)
    }
}
