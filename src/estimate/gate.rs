//! A gate that holds holdout runs back until it is opened: the runner's workers wait on it, and a
//! session (`pipeline::estimate_with_proxies`) opens it when the input-space proxies are stored, so that
//! they (and the proxy run) have the cores first and the ranking of the first minute is built on them
//! rather than on a few holdout runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Open or closed, shared by the workers that wait and the thread that opens it.
#[derive(Debug, Default)]
pub struct Gate {
    open: Mutex<bool>,
    changed: Condvar,
    /// When set, the gate counts as open from then on even if nobody opened it.
    deadline: Option<Instant>,
}

impl Gate {
    /// A closed gate.
    pub fn closed() -> Arc<Gate> {
        Arc::new(Gate::default())
    }

    /// A closed gate that opens by itself after `at_most`: what waits behind it is delayed by no more.
    pub fn closed_for(at_most: Duration) -> Arc<Gate> {
        Arc::new(Gate { deadline: Some(Instant::now() + at_most), ..Gate::default() })
    }

    fn expired(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Opens the gate for good, waking every waiting worker.
    pub fn open(&self) {
        if let Ok(mut open) = self.open.lock() {
            *open = true;
        }
        self.changed.notify_all();
    }

    /// True once opened (or past its deadline).
    pub fn is_open(&self) -> bool {
        self.expired() || self.open.lock().map_or(true, |o| *o)
    }

    /// Waits until the gate is open (or past its deadline) or `stop` is raised (checked every 100 ms).
    pub fn wait(&self, stop: &AtomicBool) {
        let Ok(mut open) = self.open.lock() else { return };
        while !*open && !self.expired() && !stop.load(Ordering::Relaxed) {
            match self.changed.wait_timeout(open, Duration::from_millis(100)) {
                Ok((guard, _)) => open = guard,
                Err(_) => return,
            }
        }
    }
}

/// Opens its gate when dropped: whatever happens to the work the gate waits for (done, failed,
/// interrupted, panicked), the runs behind it go on.
#[derive(Debug)]
pub struct OpenOnDrop(pub Arc<Gate>);

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.0.open();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn waiters_go_on_when_opened_or_stopped() {
        let gate = Gate::closed();
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            let waiter = s.spawn(|| gate.wait(&stop));
            std::thread::sleep(Duration::from_millis(50));
            assert!(!waiter.is_finished());
            drop(OpenOnDrop(gate.clone()));
            waiter.join().unwrap();
        });
        assert!(gate.is_open());
        let closed = Gate::closed();
        stop.store(true, Ordering::Relaxed);
        closed.wait(&stop);
        assert!(!closed.is_open());
    }

    #[test]
    fn a_gate_with_a_deadline_opens_by_itself() {
        let gate = Gate::closed_for(Duration::from_millis(150));
        assert!(!gate.is_open());
        let started = Instant::now();
        gate.wait(&AtomicBool::new(false));
        assert!(started.elapsed() >= Duration::from_millis(100), "waited only {:?}", started.elapsed());
        assert!(gate.is_open());
    }
}
