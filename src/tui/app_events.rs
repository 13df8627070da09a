//! What the background reports: runs from the in-process estimator, changes another connection made,
//! committed label writes, recomputed figures, the dataset's pixels.

use std::sync::Arc;

use crate::data::Dataset;

use super::app::{shown_proxy, App, Request, View};
use super::data::ProxyScores;
use super::estimate_state::Training;
use super::event::{StoreChange, WorkerMsg};
use super::labels::{Saved, WriteKind};
use super::order::SortColumn;
use super::recompute::Derived;

impl App {
    /// The pixels of a dataset opened labels first: they replace the dataset the list was shown from
    /// when its labels are the same ones.
    pub(super) fn pixels_loaded(&mut self, loaded: Result<Dataset, String>) {
        self.dirty = true;
        match loaded {
            Ok(ds) if ds.labels == self.data.dataset.labels && ds.has_pixels() => {
                self.data.dataset = Arc::new(ds);
                self.images_missing = None;
            }
            Ok(_) => {
                self.images_missing = Some("no images (see the message)".into());
                self.error("the dataset's labels changed while it was read: reopen the explorer");
            }
            Err(e) => {
                self.images_missing = Some("no images (see the message)".into());
                self.error(format!("reading the images: {e}"));
                if matches!(self.est.training, Training::Running { .. }) {
                    self.est.training = Training::Failed(format!("the dataset could not be read: {e}"));
                }
            }
        }
    }

    pub(super) fn worker(&mut self, msg: WorkerMsg) {
        match msg {
            WorkerMsg::Started { pending: 0, .. } => {
                self.est.training = Training::Finished { remaining: 0 };
            }
            WorkerMsg::Started { .. } => {}
            WorkerMsg::Committed(run) => self.add_run(&run),
            WorkerMsg::ProxyError(e) => self.error(format!("proxy scores: {e} (the estimate goes on)")),
            WorkerMsg::Finished(Ok(report)) => {
                self.est.training = Training::Finished { remaining: report.remaining };
            }
            WorkerMsg::Finished(Err(e)) => {
                self.error(stopped_line(&e));
                self.est.training = Training::Failed(e);
            }
        }
    }

    fn add_run(&mut self, run: &crate::store::RunRecord) {
        if self.est.add(run, true) {
            self.scores_stale = true;
            let tracked = run.key.kind_is_proxy
                || self.est.plan.as_ref().is_some_and(|p| (run.key.run_index as usize) < p.track_runs);
            if tracked && !self.requests.iter().any(|r| matches!(r, Request::LoadDynamics)) {
                self.requests.push(Request::LoadDynamics);
            }
        }
    }

    pub(super) fn store_change(&mut self, change: StoreChange) {
        if let Some(plan) = change.plan {
            self.est.set_plan(*plan);
            self.scores_stale = true;
        }
        for run in &change.runs {
            self.add_run(run);
        }
        if let Some(proxies) = change.proxies {
            if !self.has_proxies(&proxies) {
                self.set_proxies(proxies);
            }
        }
        if let Some(rows) = change.tags {
            // The workspace thread reads in order with this session's writes, so no snapshot is older
            // than a write already shown; the merge keeps that true whoever sends snapshots.
            self.tags.merge_snapshot(rows, change.writes_seen);
            if self.list.filter.tag.is_some() || self.list.sort.column == SortColumn::Tag {
                self.reorder();
            }
        }
        if let Some(e) = change.error {
            self.error(format!("reading the workspace: {e}"));
        }
    }

    /// Asks for a fresh comparison when the compare view is open.
    pub(super) fn comparison_requested_for_view(&mut self) {
        if self.view == View::Compare && !self.data.proxies.is_empty() {
            let cscore = self.scores.cscore.iter().map(|&c| f64::from(c)).collect();
            self.requests.retain(|r| !matches!(r, Request::Compare { .. }));
            self.requests.push(Request::Compare { cscore });
        }
    }

    /// Whether the app already shows exactly `proxies` (same names, same values, NaN included).
    fn has_proxies(&self, proxies: &[ProxyScores]) -> bool {
        let same = |a: &[f32], b: &[f32]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
        };
        proxies.len() == self.data.proxies.len()
            && proxies
                .iter()
                .zip(self.data.proxies.iter())
                .all(|(p, q)| p.name == q.name && same(&p.scores, &q.scores))
    }

    /// Replaces the proxies (recomputed elsewhere); the list shows the wanted one, else the default,
    /// as soon as it exists (the first to arrive only holds the place).
    fn set_proxies(&mut self, proxies: Vec<ProxyScores>) {
        self.data.proxies = Arc::new(proxies);
        self.proxies_version += 1;
        self.proxy = shown_proxy(&self.data.proxies, self.proxy_wanted.as_deref());
        self.comparison = None;
        self.comparison_requested_for_view();
        self.reorder();
    }

    /// Figures recomputed on a job thread; the order is taken when it is still for what the list shows.
    pub(super) fn install(&mut self, d: Derived) {
        self.recomputing = false;
        self.scores = d.scores;
        self.bin_curves = d.bin_curves;
        self.gallery.set_rows(d.gallery);
        if d.order_key == self.order_key() {
            self.list.set_order(d.order);
        } else {
            self.reorder();
        }
        self.comparison_requested_for_view();
    }

    /// A label write was committed (or failed, writing nothing): only now does it show.
    pub(super) fn saved(&mut self, s: Saved) {
        self.saving = self.saving.saturating_sub(1);
        match (&s.error, s.kind) {
            (Some(e), kind) => {
                self.error(format!("not saved: {e}"));
                match kind {
                    WriteKind::Undo => self.history.cancel_undo(),
                    WriteKind::Redo => self.history.cancel_redo(),
                    WriteKind::New => {}
                }
            }
            (None, kind) => {
                s.applied.iter().for_each(|c| self.tags.apply(c, s.id));
                if kind == WriteKind::New {
                    self.info(s.done);
                    self.history.record(s.applied);
                } else {
                    let n = s.applied.len();
                    let note = if s.skipped > 0 {
                        format!(" ({} skipped: changed by someone else since)", s.skipped)
                    } else {
                        String::new()
                    };
                    self.info(format!("{}: {n} example{}{note}", s.done, if n == 1 { "" } else { "s" }));
                }
            }
        }
        self.reorder();
        if self.saving == 0 {
            for c in std::mem::take(&mut self.deferred) {
                self.command(c);
            }
        }
    }
}

/// The bottom line for training that ended with `why` (whose own "stopped: " is not said twice).
pub(super) fn stopped_line(why: &str) -> String {
    format!("training stopped: {}", why.strip_prefix("stopped: ").unwrap_or(why))
}

#[cfg(test)]
mod tests {
    #[test]
    fn stopped_is_said_once() {
        let why = "stopped: the first 3 holdout runs learned nothing (held-out accuracy 0.866)";
        assert_eq!(
            super::stopped_line(why),
            "training stopped: the first 3 holdout runs learned nothing (held-out accuracy 0.866)"
        );
        assert_eq!(super::stopped_line("disk full"), "training stopped: disk full");
    }
}
