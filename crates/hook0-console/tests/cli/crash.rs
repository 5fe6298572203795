//! A sync killed with SIGKILL at any point resumes and ends with exactly the cache an
//! uninterrupted sync builds.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::support::{cache_file, fingerprint, run_sync, still_sandbox, sync_killed_after};

const TRIALS: u32 = 20;

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_killed_at_random_points_resumes_to_the_same_cache() -> anyhow::Result<()> {
    let sandbox = still_sandbox(500).await?;

    let reference_dir = tempfile::tempdir()?;
    let output = run_sync(&sandbox, reference_dir.path())?;
    let reports = output.stdout.iter().filter(|b| **b == b'\n').count();
    let reference = fingerprint(&cache_file(reference_dir.path())?)?;
    assert!(
        reports > 20 && reference.len() > 1000,
        "the scenario is big enough to be interrupted ({reports} progress lines)"
    );

    // Kill points are drawn in units of the sync's own progress (a line follows each
    // commit), so they land all along the run however loaded the machine is; the kill
    // itself strikes wherever the process is at that moment, mid-transaction included.
    let mut rng = StdRng::seed_from_u64(20261129);
    let mut killed = 0;
    let mut left_incomplete = 0;
    for trial in 0..TRIALS {
        let dir = tempfile::tempdir()?;
        for _ in 0..rng.random_range(1..=2) {
            if sync_killed_after(&sandbox, dir.path(), rng.random_range(1..reports - 1))? {
                killed += 1;
            }
        }
        if cache_file(dir.path()).is_ok_and(|f| fingerprint(&f).is_ok_and(|f| f != reference)) {
            left_incomplete += 1;
        }
        run_sync(&sandbox, dir.path())?;
        let resumed = fingerprint(&cache_file(dir.path())?)?;
        assert!(
            resumed == reference,
            "trial {trial}: the resumed cache differs from the reference ({} vs {} rows)",
            resumed.len(),
            reference.len()
        );
    }
    assert!(
        killed >= TRIALS,
        "every trial killed a running sync ({killed} kills)"
    );
    assert!(
        left_incomplete >= TRIALS / 2,
        "kills left incomplete caches to resume from ({left_incomplete} of {TRIALS})"
    );
    sandbox.shutdown().await;
    Ok(())
}
