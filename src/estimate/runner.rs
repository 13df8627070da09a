//! Worker threads train planned runs; the calling thread commits each finished run in its own transaction.

use super::build_record::{build_record, holdout_indices, Timing};
use super::gate::Gate;
use super::learning::{give_up_message, learning_failure, GIVE_UP_AFTER};
use super::others::{drop_stored_by_others, LOOK_FOR_OTHERS};
use super::plan::{Plan, RunSpec};
use super::seeds::subset;
use crate::model::{evaluate_heldout, network_features, train_models, DeviceData, Features, TrainJob};
use crate::store::{RunKey, RunRecord, Workspace};
use crate::{Error, Result};
use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// How to execute a plan.
#[derive(Debug, Clone)]
pub struct EstimateOptions {
    /// Worker threads, each training its own models.
    pub workers: usize,
    /// Models of one ratio a worker trains together in one batched step (K).
    pub models_per_step: usize,
    /// Stop (abandoning runs in flight) after this long.
    pub time_limit: Option<Duration>,
    /// Only these runs (a shard); `None` for all.
    pub only: Option<HashSet<RunKey>>,
    /// Hand the hidden representation of each proxy-run model to the caller ([`Event::ProxyFeatures`]);
    /// off by default (it costs a forward pass over all examples and N × H floats per proxy run).
    pub proxy_features: bool,
    /// Holdout runs wait for this gate to open (proxy runs do not); `None`: no waiting.
    pub holdout_gate: Option<Arc<Gate>>,
    /// Mark runs that learned nothing as failed ([`learning_failure`]) and stop when the first holdout
    /// runs all did (on by default; `--no-learning-check` turns it off).
    pub learning_check: bool,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            workers: default_workers(),
            models_per_step: 1,
            time_limit: None,
            only: None,
            proxy_features: false,
            holdout_gate: None,
            learning_check: true,
        }
    }
}

/// One worker per core.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// What happened, for progress display.
#[derive(Debug)]
pub enum Event<'a> {
    /// The plan is loaded: `done` of `total` runs already in the workspace, `pending` to train now.
    Started { done: usize, total: usize, pending: usize },
    /// A run finished (or failed) and is committed.
    RunCommitted { record: &'a RunRecord },
    /// A proxy run is about to be committed: its model's penultimate-layer activations on every example
    /// (N × `dim`, row-major), for the hidden-space proxies: handed over, not copied (at a million
    /// examples they are over a GB). Sent before the commit, so that a process
    /// killed in between trains the run again on resume instead of losing the features (the model is
    /// not stored). Only with `EstimateOptions::proxy_features`.
    ProxyFeatures { key: RunKey, features: std::sync::Arc<Features> },
}

/// How an estimate session ended.
#[derive(Debug, Clone, Default)]
pub struct EstimateReport {
    /// Runs committed in this session.
    pub committed: usize,
    /// Of those, runs that failed.
    pub failed: usize,
    /// Planned runs still missing.
    pub remaining: usize,
    /// Planned runs that another process committed to the workspace during this session.
    pub by_others: usize,
    /// True when the time limit or a stop request ended the session early.
    pub stopped_early: bool,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// A finished run, and for a proxy run its model's hidden features.
type Finished = (RunRecord, Option<Features>);
type WorkerResult = std::result::Result<Finished, Error>;

/// Trains every planned run missing from `ws` and commits each as it finishes.
///
/// Raising `stop` (e.g. on Ctrl-C) abandons runs in flight; finished runs are never lost. After the
/// request, each worker commits at most the one group it already finished.
pub fn run_estimate(
    ws: &Workspace,
    data: &DeviceData,
    plan: &Plan,
    opts: &EstimateOptions,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<EstimateReport> {
    plan.validate()?;
    let started = Instant::now();
    let stored = ws.run_keys()?;
    let existing: HashSet<RunKey> = stored.iter().map(|(k, _)| *k).collect();
    // The learning check gives up when the first holdout runs all learned nothing (none ever did).
    let mut learned = stored.iter().any(|(k, done)| !k.kind_is_proxy && *done);
    // Holdout runs an earlier session stored as failed (learned nothing, or diverged) count too: a
    // resumed estimate that never learned gives up at once instead of spending the plan three failures
    // at a time.
    let mut not_learned: Vec<String> = if learned || !opts.learning_check {
        Vec::new()
    } else {
        ws.failures()?.into_iter().filter(|(k, _)| !k.kind_is_proxy).map(|(_, why)| why).collect()
    };
    let schedule: Vec<RunSpec> = plan
        .schedule()
        .into_iter()
        .filter(|s| opts.only.as_ref().is_none_or(|o| o.contains(&s.key)))
        .collect();
    let total = schedule.len();
    let planned: HashSet<RunKey> = schedule.iter().map(|s| s.key).collect();
    let queue: VecDeque<RunSpec> = schedule.into_iter().filter(|s| !existing.contains(&s.key)).collect();
    let pending = queue.len();
    let give_up_after = planned.iter().filter(|k| !k.kind_is_proxy).count().min(GIVE_UP_AFTER);
    on_event(Event::Started { done: total - pending, total, pending });
    let mut report = EstimateReport { remaining: pending, ..Default::default() };
    // Checked even with nothing left to train: a plan whose holdout runs all failed is no estimate.
    if opts.learning_check && give_up_after > 0 && not_learned.len() >= give_up_after {
        return Err(Error::NotLearning(give_up_message(&not_learned, plan, (data.shape.1, data.shape.2))));
    }
    if pending == 0 {
        return Ok(report);
    }
    let workers = opts.workers.clamp(1, pending);
    let k = opts.models_per_step.clamp(1, pending);
    crate::model::check_ensemble_fits(
        data,
        &plan.model,
        plan.train.batch,
        k,
        workers.min(pending.div_ceil(k)),
    )?;
    set_math_threads(workers);
    let queue = Mutex::new(queue);
    // A rendezvous channel: a worker hands over its finished run only when this thread takes it, so
    // no worker races ahead of the commits; after a stop request at most one run per worker still lands.
    let (tx, rx) = mpsc::sync_channel::<WorkerResult>(0);
    let deadline = opts.time_limit.map(|t| started + t);
    let mut first_error = None;
    let mut looked = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let queue = &queue;
            scope.spawn(move || worker(data, plan, opts, queue, stop, &tx));
        }
        drop(tx);
        // Should `on_event` panic, the unwinding drops `rx` (so a worker blocked handing over a run
        // gets an error instead of waiting forever) and raises `stop`: the panic reaches the caller
        // instead of the scope waiting on workers that can never finish.
        let rx = rx;
        let _stop_on_panic = StopOnPanic(stop);
        loop {
            if deadline.is_some_and(|d| Instant::now() >= d) && !stop.load(Ordering::Relaxed) {
                stop.store(true, Ordering::Relaxed);
                report.stopped_early = true;
            }
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(Ok((record, features))) => {
                    if let Some(f) = features {
                        on_event(Event::ProxyFeatures { key: record.key, features: std::sync::Arc::new(f) });
                    }
                    match ws.insert_run(&record) {
                        Ok(inserted) => {
                            if !inserted {
                                // Another process wrote this run: look for its other runs now.
                                looked = Instant::now().checked_sub(LOOK_FOR_OTHERS).unwrap_or(looked);
                            }
                            if inserted {
                                report.committed += 1;
                                report.remaining -= 1;
                                if matches!(record.status, crate::store::RunStatus::Failed(_)) {
                                    report.failed += 1;
                                }
                                on_event(Event::RunCommitted { record: &record });
                                if !record.key.kind_is_proxy {
                                    match &record.status {
                                        crate::store::RunStatus::Done => learned = true,
                                        crate::store::RunStatus::Failed(why) => not_learned.push(why.clone()),
                                    }
                                }
                                if !learned
                                    && opts.learning_check
                                    && give_up_after > 0
                                    && not_learned.len() >= give_up_after
                                    && first_error.is_none()
                                {
                                    let why = give_up_message(
                                        &not_learned[..give_up_after],
                                        plan,
                                        (data.shape.1, data.shape.2),
                                    );
                                    first_error.get_or_insert(Error::NotLearning(why));
                                    stop.store(true, Ordering::Relaxed);
                                }
                            }
                        }
                        Err(e) => {
                            first_error.get_or_insert(Error::from(e));
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                }
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                    stop.store(true, Ordering::Relaxed);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if looked.elapsed() >= LOOK_FOR_OTHERS {
                looked = Instant::now();
                drop_stored_by_others(ws, &queue);
            }
        }
    });
    if let Some(e) = first_error {
        return Err(e);
    }
    // Another process writing to the same workspace (a second estimate, the explorer, a worker started
    // twice) may have committed planned runs this one did not: count what is missing now.
    let stored: HashSet<RunKey> = ws.run_keys()?.into_iter().map(|(k, _)| k).collect();
    report.remaining = planned.difference(&stored).count();
    report.by_others = (planned.intersection(&stored).count())
        .saturating_sub(existing.intersection(&planned).count() + report.committed);
    report.stopped_early |= report.remaining > 0;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Raises the stop flag if dropped while panicking.
struct StopOnPanic<'a>(&'a AtomicBool);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

/// Small matmuls lose when split across threads: give each worker an equal share of the cores
/// (candle's CPU matmul reads `RAYON_NUM_THREADS` on every call).
fn set_math_threads(workers: usize) {
    std::env::set_var("RAYON_NUM_THREADS", math_threads(workers).to_string());
}

/// Math threads of each of `workers` workers: an equal share of the cores.
pub fn math_threads(workers: usize) -> usize {
    (default_workers() / workers.max(1)).max(1)
}

/// Takes the next run and up to `k - 1` more pending runs of the same kind and ratio.
fn next_group(queue: &Mutex<VecDeque<RunSpec>>, k: usize) -> Vec<RunSpec> {
    let Ok(mut q) = queue.lock() else { return Vec::new() };
    let Some(first) = q.pop_front() else { return Vec::new() };
    let mut group = vec![first];
    let mut i = 0;
    while group.len() < k && i < q.len() {
        let same =
            q[i].key.kind_is_proxy == first.key.kind_is_proxy && q[i].subset_ratio == first.subset_ratio;
        match (same, q.remove(i)) {
            (true, Some(s)) => group.push(s),
            (false, Some(s)) => {
                q.insert(i, s);
                i += 1;
            }
            (_, None) => break,
        }
    }
    group
}

fn worker(
    data: &DeviceData,
    plan: &Plan,
    opts: &EstimateOptions,
    queue: &Mutex<VecDeque<RunSpec>>,
    stop: &AtomicBool,
    tx: &mpsc::SyncSender<WorkerResult>,
) {
    while !stop.load(Ordering::Relaxed) {
        let group = next_group(queue, opts.models_per_step.max(1));
        if group.is_empty() {
            return;
        }
        if let Some(gate) = opts.holdout_gate.as_deref().filter(|_| !group[0].key.kind_is_proxy) {
            gate.wait(stop);
            if stop.load(Ordering::Relaxed) {
                return;
            }
        }
        match train_group(data, plan, &group, opts, stop) {
            Ok(Some(records)) => {
                for r in records {
                    if tx.send(Ok(r)).is_err() {
                        return;
                    }
                }
            }
            Ok(None) => return,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}

/// Trains and evaluates one group of runs (with the hidden features of proxy-run models when
/// `opts.proxy_features`, and the learning check when `opts.learning_check`); `None` if stopped.
fn train_group(
    data: &DeviceData,
    plan: &Plan,
    group: &[RunSpec],
    opts: &EstimateOptions,
    stop: &AtomicBool,
) -> Result<Option<Vec<Finished>>> {
    let n = data.len();
    let jobs: Vec<TrainJob> = group
        .iter()
        .map(|s| TrainJob { seed: s.seed, train_indices: subset(s.seed, n, s.subset_ratio), track: s.track })
        .collect();
    if jobs.iter().any(|j| j.train_indices.is_empty()) {
        return Err(Error::Config(format!(
            "subset ratio {} of {n} examples leaves nothing to train on",
            group[0].subset_ratio
        )));
    }
    let t0 = Instant::now();
    let Some((net, outcomes)) = train_models(data, &plan.model, &plan.train, &jobs, stop, &mut |_, _| {})?
    else {
        return Ok(None);
    };
    let train_seconds = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let heldout: Vec<Vec<u32>> = jobs.iter().map(|j| holdout_indices(n, &j.train_indices)).collect();
    let predictions = evaluate_heldout(net.as_ref(), data, &heldout)?;
    let eval_seconds = t1.elapsed().as_secs_f64();
    let features = hidden_features_of(net.as_ref(), data, group, opts.proxy_features);
    let train_size = jobs[0].train_indices.len();
    let records = group
        .iter()
        .zip(heldout)
        .zip(predictions)
        .zip(outcomes)
        .map(|(((spec, held), preds), mut outcome)| {
            if opts.learning_check && outcome.failure.is_none() {
                let steps = plan.train.epochs * train_size.div_ceil(plan.train.batch.max(1));
                let (labels, predicted) = (&data.labels, Some(preds.predictions.as_slice()));
                outcome.failure =
                    learning_failure(outcome.final_loss, steps, data.num_classes, labels, &held, predicted);
            }
            let timing = Timing { train_seconds, eval_seconds };
            build_record(spec, &data.labels, &held, preds, outcome, timing)
        })
        .zip(features)
        .map(|(r, f)| {
            let done = matches!(r.status, crate::store::RunStatus::Done);
            (r, f.filter(|_| done))
        })
        .collect();
    Ok(Some(records))
}

/// The hidden features of each model of a group of proxy runs (one entry per model, `None` for holdout
/// runs, when not wanted, or when the forward pass failed: the proxies are optional, the run is not).
fn hidden_features_of(
    net: &dyn crate::model::Network,
    data: &DeviceData,
    group: &[RunSpec],
    want: bool,
) -> Vec<Option<Features>> {
    let mut out: Vec<Option<Features>> = Vec::new();
    if want && group.iter().all(|s| s.key.kind_is_proxy) {
        match network_features(net, data) {
            Ok(f) => out.extend(f.into_iter().map(Some)),
            Err(e) => tracing::warn!("hidden features of the proxy run: {e}"),
        }
    }
    out.resize(group.len(), None);
    out
}
