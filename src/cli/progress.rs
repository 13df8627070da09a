//! Progress of an estimate: a bar on a terminal, plain log lines otherwise.

use super::stderr::errln;
use cscore::estimate::Aggregate;
use cscore::fmt::duration;
use cscore::store::{RunRecord, RunStatus};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Reports runs as they are committed.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    done_at_start: usize,
    done: usize,
    total: usize,
    /// Log mode: what the heartbeat reads (runs in, of how many, when the last line was printed).
    beat: Option<Arc<Mutex<Beat>>>,
}

/// The state a log's heartbeat line is made from; `None` in `last` once the session is over.
struct Beat {
    done: usize,
    total: usize,
    last: Option<Instant>,
}

/// In a log (no bar), a line is printed when no run has landed for this long, so that a log of runs
/// that take many minutes each (a CNN on a large dataset) shows the job is alive.
const HEARTBEAT: Duration = Duration::from_secs(120);

impl Progress {
    /// A bar when stderr is a terminal that can draw one (and `plain` is false), else log lines: indicatif
    /// hides its bar, and every line printed through it, on a `TERM=dumb` terminal.
    pub fn new(plain: bool) -> Self {
        let target = ProgressDrawTarget::stderr();
        let drawn = std::io::stderr().is_terminal() && !target.is_hidden();
        let bar = (!plain && drawn).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), target);
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} runs  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let beat = bar.is_none().then(|| Arc::new(Mutex::new(Beat { done: 0, total: 0, last: None })));
        if let Some(beat) = beat.clone() {
            std::thread::spawn(move || heartbeat(&beat, Instant::now()));
        }
        Progress { bar, started: Instant::now(), done_at_start: 0, done: 0, total: 0, beat }
    }

    /// Records that a line was printed now (with `done` of `total` runs in).
    fn touch(&self) {
        if let Some(mut b) = self.beat.as_ref().and_then(|b| b.lock().ok()) {
            *b = Beat { done: self.done, total: self.total, last: Some(Instant::now()) };
        }
    }

    /// Prints a line from any thread, above the bar when there is one.
    pub fn printer(&self) -> impl Fn(String) + Send + Sync + 'static {
        let bar = self.bar.clone();
        move |line: String| match &bar {
            Some(bar) => bar.println(line),
            None => errln!("{line}"),
        }
    }

    /// The plan is known.
    pub fn start(&mut self, done: usize, total: usize, pending: usize, workers: usize) {
        self.done_at_start = done;
        self.done = done;
        self.total = total;
        self.started = Instant::now();
        let line = format!("{done} of {total} planned runs already in the workspace; training {pending} on {workers} worker(s)");
        match &self.bar {
            Some(bar) => {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                bar.println(line);
            }
            None => errln!("{line}"),
        }
        self.touch();
    }

    /// A run was committed.
    pub fn run_committed(&mut self, record: &RunRecord, agg: &Aggregate) {
        self.done += 1;
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-9);
        let new = (self.done - self.done_at_start) as f64;
        let per_hour = new / elapsed * 3600.0;
        let eta = (self.total - self.done) as f64 / (new / elapsed);
        let width = agg.median_interval_width().map_or_else(|| "-".into(), |w| format!("{w:.3}"));
        let msg = format!("{per_hour:.0} models/h · ETA {} · median interval width {width}", duration(eta));
        let what = if record.key.kind_is_proxy {
            format!("proxy run {}", record.key.run_index)
        } else {
            format!("ratio {} run {}", record.subset_ratio, record.key.run_index)
        };
        let status = match &record.status {
            RunStatus::Done => format!(
                "done in {:.1}s, loss {:.4}",
                record.train_seconds + record.eval_seconds,
                record.final_loss
            ),
            RunStatus::Failed(why) => format!("FAILED: {why}"),
        };
        match &self.bar {
            Some(bar) => {
                if let RunStatus::Failed(_) = record.status {
                    bar.println(format!("{what}: {status}"));
                }
                bar.set_position(self.done as u64);
                bar.set_message(msg);
            }
            None => errln!("[{}/{}] {what}: {status} · {msg}", self.done, self.total),
        }
        self.touch();
    }

    /// Removes the bar (stops the heartbeat).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if let Some(mut b) = self.beat.as_ref().and_then(|b| b.lock().ok()) {
            b.last = None;
        }
    }
}

/// Prints the [`heartbeat_line`] whenever there is one, until the session is over (checked every few
/// seconds; the thread ends with the session or the process).
fn heartbeat(beat: &Mutex<Beat>, started: Instant) {
    loop {
        std::thread::sleep(Duration::from_secs(5));
        let Ok(mut b) = beat.lock() else { return };
        if b.last.is_none() && b.total > 0 {
            return; // finished
        }
        if let Some(line) = heartbeat_line(&b, started, HEARTBEAT) {
            errln!("{line}");
            b.last = Some(Instant::now());
        }
    }
}

/// `[done/total] still training · …` when `every` has passed since the last line, else `None`.
fn heartbeat_line(b: &Beat, started: Instant, every: Duration) -> Option<String> {
    let quiet = b.last?.elapsed();
    (quiet >= every).then(|| {
        format!(
            "[{}/{}] still training · no run has landed for {} · {} elapsed",
            b.done,
            b.total,
            duration(quiet.as_secs_f64()),
            duration(started.elapsed().as_secs_f64())
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_log_gets_a_heartbeat_line() {
        let started = Instant::now();
        let fresh = Beat { done: 3, total: 40, last: Some(Instant::now()) };
        assert_eq!(heartbeat_line(&fresh, started, Duration::from_secs(120)), None);
        let quiet = Beat { last: Instant::now().checked_sub(Duration::from_secs(130)), ..fresh };
        let line = heartbeat_line(&quiet, started, Duration::from_secs(120)).unwrap_or_default();
        assert!(line.starts_with("[3/40] still training · no run has landed for 2m1"), "{line}");
        assert_eq!(heartbeat_line(&Beat { last: None, ..quiet }, started, Duration::ZERO), None);
    }
}
