//! The background worker task: sleeps until the next job is due (or until woken), then runs
//! every due job. Runs in small batches so HTTP readers are never starved of the store lock.

use crate::lifecycle::process_due;
use crate::state::Shared;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::watch;

const BATCH: usize = 2_000;
const MAX_SLEEP: Duration = Duration::from_secs(1);

pub async fn run(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        if shared.paused.load(Ordering::SeqCst) {
            tokio::select! {
                () = tokio::time::sleep(MAX_SLEEP) => {}
                () = shared.wake.notified() => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
            continue;
        }
        let now = shared.clock.now();
        let (ran, next) = {
            let mut store = shared.store.write();
            let ran = process_due(&mut store, now, BATCH);
            (ran, store.next_due())
        };
        if ran == BATCH {
            tokio::task::yield_now().await;
            continue;
        }
        let wait = next.map_or(MAX_SLEEP, |due| shared.clock.until(due).min(MAX_SLEEP));
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = shared.wake.notified() => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}
