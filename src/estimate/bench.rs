//! The throughput benchmark behind `cscore bench`: the reference protocol trained through the real engine
//! (plan, workers, a temporary workspace), timed from the outside.

use super::{math_threads, run_estimate, EstimateOptions, Plan};
use crate::data::Dataset;
use crate::model::{DeviceData, ModelSpec, TrainConfig};
use crate::project::{dataset_info, peak_rss_bytes};
use crate::store::{bit_get, RunStatus, Workspace};
use crate::Result;
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// What to benchmark.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// Subset ratio of every model.
    pub ratio: f64,
    /// Models to train.
    pub runs: usize,
    /// Models trained at once.
    pub workers: usize,
    /// Models per batched step (K).
    pub models_per_step: usize,
    /// Architecture.
    pub model: ModelSpec,
    /// Epochs, batch size, learning rate and momentum.
    pub train: TrainConfig,
}

/// The figures of one benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Subset ratio.
    pub ratio: f64,
    /// Training examples per model.
    pub train_examples: usize,
    /// Models trained (and not failed).
    pub models: usize,
    /// Models whose training failed (diverged); their time counts in `seconds_per_model`.
    pub failed: usize,
    /// Models trained at once.
    pub workers: usize,
    /// Threads doing arithmetic in all (workers × math threads each).
    pub threads: usize,
    /// Wall-clock seconds of the whole run divided by the models: what a full estimate gets.
    pub seconds_per_model: f64,
    /// 3600 / `seconds_per_model`.
    pub models_per_hour: f64,
    /// Mean training time of one model, as its worker saw it.
    pub train_seconds: f64,
    /// Mean held-out evaluation time of one model.
    pub eval_seconds: f64,
    /// Mean accuracy of the models on their held-out examples.
    pub heldout_accuracy: f64,
    /// Each model's held-out accuracy, by run index (one outlier can move the mean of a few).
    pub heldout_accuracy_per_model: Vec<f64>,
    /// Peak resident memory of this process so far.
    pub peak_rss_bytes: u64,
}

/// Trains `cfg.runs` models of `cfg.model` at `cfg.ratio` on `data` in a temporary workspace under `dir`.
pub fn run_bench(ds: &Dataset, data: &DeviceData, cfg: &BenchConfig, dir: &Path) -> Result<BenchReport> {
    let ws_path = dir.join(format!("bench-{}.cscore", cfg.ratio));
    let ws = Workspace::create(&ws_path, &dataset_info(ds))?;
    let mut plan =
        Plan { ratios: vec![cfg.ratio], runs: cfg.runs, track_runs: 0, proxy_runs: 0, ..Plan::default() };
    plan.model = cfg.model.clone();
    plan.train = cfg.train.clone();
    plan.validate()?;
    let workers = cfg.workers.max(1);
    // Every model counts, one that learned nothing too (its accuracy shows by model): a benchmark measures
    // the time models take, and the learning check would leave it out of the count but not of the clock.
    let opts = EstimateOptions {
        workers,
        models_per_step: cfg.models_per_step,
        learning_check: false,
        ..EstimateOptions::default()
    };
    let report = run_estimate(&ws, data, &plan, &opts, &AtomicBool::new(false), &mut |_| {})?;
    let runs = ws.load_runs(false)?;
    let done: Vec<_> = runs.iter().filter(|r| r.status == RunStatus::Done).collect();
    let n = done.len().max(1) as f64;
    let mean = |f: &dyn Fn(&crate::store::RunRecord) -> f64| done.iter().map(|r| f(r)).sum::<f64>() / n;
    let accuracy_of = |r: &crate::store::RunRecord| {
        let held = (0..r.num_examples).filter(|&i| bit_get(&r.heldout_mask, i)).count();
        let hit = (0..r.num_examples).filter(|&i| bit_get(&r.heldout_correct, i)).count();
        hit as f64 / held.max(1) as f64
    };
    let mut by_run: Vec<_> = done.iter().map(|r| (r.key.run_index, accuracy_of(r))).collect();
    by_run.sort_by_key(|&(i, _)| i);
    let accuracy = by_run.iter().map(|&(_, a)| a).sum::<f64>() / n;
    let failed = runs.len() - done.len();
    let seconds_per_model = report.seconds / runs.len().max(1) as f64;
    Ok(BenchReport {
        ratio: cfg.ratio,
        train_examples: super::seeds::subset_size(ds.len(), cfg.ratio),
        models: done.len(),
        failed,
        workers,
        threads: workers.min(report.committed.max(1)) * math_threads(workers),
        seconds_per_model,
        models_per_hour: 3600.0 / seconds_per_model,
        train_seconds: mean(&|r| r.train_seconds),
        eval_seconds: mean(&|r| r.eval_seconds),
        heldout_accuracy: accuracy,
        heldout_accuracy_per_model: by_run.into_iter().map(|(_, a)| a).collect(),
        peak_rss_bytes: peak_rss_bytes().unwrap_or(0),
    })
}
