//! The estimate as the explorer follows it: the aggregate, which runs are in, and training progress.

use crate::estimate::{Aggregate, Plan};
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
            n,
            classes,
        }
    }

    /// Starts over under a newly known plan (the runs must be added again).
    pub fn set_plan(&mut self, plan: Plan) {
        let training = self.training.clone();
        let (since, new_runs) = (self.since, self.new_runs);
        *self = EstimateState::new(Some(plan), self.n, self.classes);
        self.training = training;
        self.since = since;
        self.new_runs = new_runs;
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

    /// Planned runs (proxy and holdout).
    pub fn total(&self) -> usize {
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
