//! A sync killed with SIGKILL at any point resumes and ends with exactly the cache an
//! uninterrupted sync builds.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::support::{attempts_in, cache_file, fingerprint, run_sync, spawn_sync, still_sandbox};

const TRIALS: u32 = 20;

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_killed_at_random_points_resumes_to_the_same_cache() -> anyhow::Result<()> {
    let sandbox = still_sandbox(500).await?;

    let reference_dir = tempfile::tempdir()?;
    let clock = Instant::now();
    run_sync(&sandbox, reference_dir.path())?;
    let full = clock.elapsed();
    let reference = fingerprint(&cache_file(reference_dir.path())?)?;
    eprintln!(
        "a full sync takes {full:?}; {} facts stored",
        reference.len()
    );
    assert!(
        reference.len() > 500,
        "the scenario is big enough to be interrupted"
    );

    let mut rng = StdRng::seed_from_u64(20261129);
    let reference_attempts = attempts_in(&cache_file(reference_dir.path())?)?;
    let mut killed_midway = 0;
    let mut partial_caches = 0;
    for trial in 0..TRIALS {
        let dir = tempfile::tempdir()?;
        // Up to two kills per trial, each at a random moment of a full sync's duration.
        for _ in 0..rng.random_range(1..=2) {
            let mut child = spawn_sync(&sandbox, dir.path())?;
            let at = full.mul_f64(rng.random_range(0.05..0.95));
            std::thread::sleep(at);
            if child.try_wait()?.is_none() {
                child.kill()?;
                killed_midway += 1;
            }
            child.wait()?;
        }
        // What the killed run left: often a partly filled cache, sometimes nothing yet.
        if let Ok(file) = cache_file(dir.path())
            && let Ok(stored) = attempts_in(&file)
            && stored > 0
            && stored < reference_attempts
        {
            partial_caches += 1;
        }
        run_sync(&sandbox, dir.path())?;
        let resumed = fingerprint(&cache_file(dir.path())?)?;
        assert!(
            resumed == reference,
            "trial {trial}: the resumed cache differs from the reference \
             ({} vs {} rows)",
            resumed.len(),
            reference.len()
        );
    }
    assert!(
        killed_midway >= TRIALS,
        "most kills must land while the sync runs ({killed_midway} did; a full sync takes {full:?})"
    );
    assert!(
        partial_caches >= 5,
        "kills must often leave a half-synced cache to resume from ({partial_caches} did)"
    );
    sandbox.shutdown().await;
    Ok(())
}
