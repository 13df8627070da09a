//! Progress of an estimate: a bar on a terminal, plain log lines otherwise.

use super::stderr::errln;
use cscore::estimate::Aggregate;
use cscore::fmt::duration;
use cscore::store::{RunRecord, RunStatus};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Reports runs as they are committed.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    done_at_start: usize,
    done: usize,
    total: usize,
}

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
        Progress { bar, started: Instant::now(), done_at_start: 0, done: 0, total: 0 }
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
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
