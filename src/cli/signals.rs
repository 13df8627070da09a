//! Stopping an estimate cleanly on a signal: SIGINT (Ctrl-C), SIGTERM (what Slurm sends at a job's time
//! limit or `scancel`, and Kubernetes before evicting a pod, some seconds before SIGKILL) and SIGHUP (the
//! terminal or SSH session closed). The first raises the stop flag (finished runs are committed already; a
//! run whose training is done finishes its held-out evaluation), the second exits at once. A session stopped
//! so with planned runs left exits with 128 + the signal's number once its summary is out, as shells report
//! a program a signal ended, so that `cscore estimate … && next-step` does not go on with a partial estimate.

use super::stderr::errln;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;

/// The signal that asked the session to stop, or 0 while none has.
#[derive(Debug, Clone, Default)]
pub struct StopSignal(Arc<AtomicI32>);

impl StopSignal {
    /// The signal's number, when one arrived.
    pub fn received(&self) -> Option<i32> {
        Some(self.0.load(Ordering::SeqCst)).filter(|&s| s != 0)
    }

    /// The exit status for a session this signal stopped early (128 + its number).
    pub fn exit_status(&self) -> Option<i32> {
        self.received().map(|s| 128 + s)
    }

    /// Records `signal`; true when one had arrived before.
    fn record(&self, signal: i32) -> bool {
        self.0.swap(signal, Ordering::SeqCst) != 0
    }
}

/// The signal's name as `kill -l` prints it.
fn name(signal: i32) -> &'static str {
    match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

/// Raises `stop` on the first SIGINT, SIGTERM or SIGHUP and exits on the second; returns what arrived.
pub fn install(stop: Arc<AtomicBool>) -> StopSignal {
    let got = StopSignal::default();
    let seen = got.clone();
    let on_signal = move |signal: i32| {
        if seen.record(signal) {
            std::process::exit(128 + signal);
        }
        stop.store(true, Ordering::SeqCst);
        errln!(
            "\nstopping ({}): runs still training are abandoned; a run already trained finishes its held-out \
             evaluation first (a second signal, e.g. Ctrl-C again, exits at once)",
            name(signal)
        );
    };
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            Ok(mut signals) => {
                std::thread::spawn(move || signals.forever().for_each(on_signal));
            }
            Err(e) => tracing::warn!("cannot catch SIGINT, SIGTERM and SIGHUP: {e}"),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrlc::set_handler(move || on_signal(2));
    }
    got
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_signal_is_kept_and_gives_the_exit_status() {
        let got = StopSignal::default();
        assert_eq!((got.received(), got.exit_status()), (None, None));
        assert!(!got.record(15));
        assert_eq!((got.received(), got.exit_status()), (Some(15), Some(143)));
        assert!(got.record(2), "a second signal is the one that exits at once");
        assert_eq!(name(15), "SIGTERM");
    }
}
