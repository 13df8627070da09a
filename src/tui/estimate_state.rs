//! The estimate as the explorer follows it: the aggregate, which runs are in, and training progress.

use crate::estimate::{shard_runs, Aggregate, Plan, Shard};
use crate::store::{RunKey, RunRecord, RunStatus};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

/// Who is filling the workspace.
#[derive(Debug, Clone, PartialEq)]
pub enum Training {
    /// Nothing trains in this process; another process may (the explorer follows the file).
    Following,
    /// The estimator runs in this process.
    Running {
        /// The device it trains on.
        device: String,
    },
    /// The in-process estimator ended; `remaining` planned runs are still missing.
    Finished {
        /// Runs still missing.
        remaining: usize,
    },
    /// The in-process estimator stopped on an error.
    Failed(String),
}

/// Aggregate and progress of the estimate.
#[derive(Debug, Clone)]
pub struct EstimateState {
    /// Held-out hits and trials of every run folded in (shared with a recomputing job; copied only when a
    /// run arrives while the job still holds it).
    pub agg: Arc<Aggregate>,
    /// The workspace's plan, once known.
    pub plan: Option<Plan>,
    seen: HashSet<RunKey>,
    /// Finished holdout runs per ratio.
    pub done_per_ratio: Vec<usize>,
    /// Finished proxy runs.
    pub proxy_done: usize,
    /// Failed runs.
    pub failed: usize,
    /// Who trains.
    pub training: Training,
    /// When the explorer started following.
    pub since: Instant,
    /// Runs committed since then.
    pub new_runs: usize,
    /// The shard whose workspace this is, and how many of the plan's runs are its own.
    pub shard: Option<(Shard, usize)>,
    n: usize,
    classes: usize,
}

impl EstimateState {
    /// An empty estimate of `n` examples and `classes` labels under `plan`.
    pub fn new(plan: Option<Plan>, n: usize, classes: usize) -> Self {
        let ratios = plan.as_ref().map_or(0, |p| p.ratios.len());
        EstimateState {
            agg: Arc::new(Aggregate::new(n, ratios, classes)),
            plan,
            seen: HashSet::new(),
            done_per_ratio: vec![0; ratios],
            proxy_done: 0,
            failed: 0,
            training: Training::Following,
            since: Instant::now(),
            new_runs: 0,
            shard: None,
            n,
            classes,
        }
    }

    /// Starts over under a newly known plan (the runs must be added again).
    pub fn set_plan(&mut self, plan: Plan) {
        let training = self.training.clone();
        let (since, new_runs, shard) = (self.since, self.new_runs, self.shard);
        *self = EstimateState::new(Some(plan), self.n, self.classes);
        self.training = training;
        self.since = since;
        self.new_runs = new_runs;
        if let Some((shard, _)) = shard {
            self.set_shard(shard);
        }
    }

    /// Counts only `shard`'s runs as planned: a shard's workspace holds its share of the plan.
    pub fn set_shard(&mut self, shard: Shard) {
        let runs = self.plan.as_ref().map_or(0, |p| shard_runs(p, shard).len());
        self.shard = Some((shard, runs));
    }

    /// Folds in a run; `false` when it was already in (the worker and the follower may both report it).
    pub fn add(&mut self, run: &RunRecord, live: bool) -> bool {
        if !self.seen.insert(run.key) {
            return false;
        }
        Arc::make_mut(&mut self.agg).add(run);
        match (&run.status, run.key.kind_is_proxy) {
            (RunStatus::Failed(_), _) => self.failed += 1,
            (RunStatus::Done, true) => self.proxy_done += 1,
            (RunStatus::Done, false) => {
                if let Some(d) = self.done_per_ratio.get_mut(run.key.ratio_index as usize) {
                    *d += 1;
                }
            }
        }
        if live {
            self.new_runs += 1;
        }
        true
    }

    /// Planned runs (proxy and holdout; a shard's own).
    pub fn total(&self) -> usize {
        if let Some((_, runs)) = self.shard {
            return runs;
        }
        self.plan.as_ref().map_or(0, |p| p.proxy_runs + p.holdout_total())
    }

    /// Planned runs finished (failed runs are not retried, so they count as done).
    pub fn done(&self) -> usize {
        let planned = |d: usize| self.plan.as_ref().map_or(d, |p| d.min(p.runs));
        self.proxy_done + self.done_per_ratio.iter().map(|&d| planned(d)).sum::<usize>() + self.failed
    }

    /// Models finished per hour since the explorer started.
    pub fn models_per_hour(&self) -> Option<f64> {
        let secs = self.since.elapsed().as_secs_f64();
        (self.new_runs > 0 && secs > 0.0).then(|| self.new_runs as f64 / secs * 3600.0)
    }

    /// Seconds until every planned run is in, at the current rate.
    pub fn eta_seconds(&self) -> Option<f64> {
        let left = self.total().saturating_sub(self.done());
        self.models_per_hour().map(|r| left as f64 / r * 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_counts_its_own_runs_as_planned() {
        let plan = Plan { runs: 10, ..Plan::default() };
        let whole = EstimateState::new(Some(plan.clone()), 100, 10);
        let mut est = EstimateState::new(Some(plan.clone()), 100, 10);
        let shard = Shard { index: 1, count: 3 };
        est.set_shard(shard);
        let own = shard_runs(&plan, shard).len();
        assert!(own > 0 && own < whole.total(), "{own} of {}", whole.total());
        assert_eq!(est.total(), own);
        // a plan learned later (the follower) is counted for the shard too
        est.set_plan(Plan { runs: 20, ..plan.clone() });
        assert_eq!(est.total(), shard_runs(&Plan { runs: 20, ..plan }, shard).len());
    }
}
