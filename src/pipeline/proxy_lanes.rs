//! The proxy work of a running estimate, on threads of its own so that training never waits for it:
//! a slow lane for the all-pairs passes (input space at the start, hidden space when the proxy run's
//! features arrive) and a quick lane for the training-statistics proxies and the fused estimate
//! (coalesced: at most one recomputation every few seconds, always one at the end). Each lane has its own
//! workspace connection. A stop request abandons the all-pairs passes; the final fused estimate is still
//! computed.

use super::fused::update_fused;
use crate::estimate::{Aggregate, OpenOnDrop};
use crate::model::{DeviceData, Features};
use crate::proxy::{ProxyUpdater, HIDDEN_PROXIES};
use crate::store::Workspace;
use crate::{Error, Result};
use candle_core::Device;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The fused estimate is recomputed at most this often while runs arrive.
const FUSE_EVERY: Duration = Duration::from_secs(5);

/// What the pipeline reports, from its own threads.
#[derive(Debug, Clone)]
pub enum Notice {
    /// The input-space pass begins, for these proxies (holdout runs wait for it, at most a minute).
    Computing { names: Vec<&'static str> },
    /// These proxies were computed and stored, taking this long.
    Stored { names: Vec<&'static str>, seconds: f64 },
    /// Density values computed with an older kernel-bandwidth rule were dropped, to be computed again:
    /// these proxies, and this many blocks of a shard's input-space statistics.
    Outdated { proxies: Vec<String>, parts: usize },
    /// A proxy computation failed (proxies are secondary: the estimate goes on).
    Error(String),
}

/// Recomputes lost hidden features (see [`super::proxy_run_features`]).
pub type RecoverFeatures = Box<dyn FnOnce(&AtomicBool) -> Result<Option<Features>> + Send>;

/// What the pipeline works from.
pub struct PipelineInputs {
    /// The workspace file (each lane opens its own connection).
    pub workspace: PathBuf,
    /// Which proxies and how.
    pub updater: ProxyUpdater,
    /// The dataset on `device` (bytes); the input-space pass reads it as inputs block by block.
    pub inputs: DeviceData,
    /// Where the all-pairs passes run.
    pub device: Device,
    /// Called when hidden-space proxies are wanted but their proxy run was committed in an earlier
    /// session: trains it again for its features.
    pub recover_features: Option<RecoverFeatures>,
    /// Dropped (opening its gate) when the input-space pass is over, whatever its outcome.
    pub input_space_done: Option<OpenOnDrop>,
}

enum Quick {
    Training,
    Fused(Box<Aggregate>),
    Refresh,
}

/// Handle to the running pipeline; [`ProxyPipeline::finish`] waits for it.
pub struct ProxyPipeline {
    quick: mpsc::Sender<Quick>,
    slow: mpsc::Sender<Arc<Features>>,
    lanes: Vec<JoinHandle<()>>,
}

/// Receives the pipeline's notices, from its threads.
pub type ProxyNotify = Arc<dyn Fn(Notice) + Send + Sync>;

impl ProxyPipeline {
    /// Starts both lanes: the slow one begins with the input-space proxies, the quick one with the
    /// training-statistics proxies already computable and the fused estimate of `agg`.
    pub fn spawn(
        inputs: PipelineInputs,
        agg: &Aggregate,
        stop: Arc<AtomicBool>,
        notify: ProxyNotify,
    ) -> Self {
        let (quick_tx, quick_rx) = mpsc::channel();
        let (slow_tx, slow_rx) = mpsc::channel();
        let _ = quick_tx.send(Quick::Training);
        let _ = quick_tx.send(Quick::Fused(Box::new(agg.clone())));
        let PipelineInputs { workspace, updater, inputs, device, recover_features, input_space_done } =
            inputs;
        let mut slow_updater = updater.clone();
        slow_updater.neighbours.stop = Some(stop.clone());
        let lanes = vec![
            {
                let (path, notify, refresh) = (workspace.clone(), notify.clone(), quick_tx.clone());
                std::thread::spawn(move || {
                    slow_lane(
                        &path,
                        &slow_updater,
                        &inputs,
                        &device,
                        recover_features,
                        input_space_done,
                        slow_rx,
                        &refresh,
                        &*notify,
                    )
                })
            },
            std::thread::spawn(move || quick_lane(&workspace, &updater, quick_rx, &*notify)),
        ];
        ProxyPipeline { quick: quick_tx, slow: slow_tx, lanes }
    }

    /// A proxy run was committed: recompute the training-statistics proxies.
    pub fn proxy_run_committed(&self) {
        let _ = self.quick.send(Quick::Training);
    }

    /// A proxy run's model features, for the hidden-space proxies.
    pub fn features(&self, f: Arc<Features>) {
        let _ = self.slow.send(f);
    }

    /// The holdout evidence changed: the fused estimate is due (coalesced).
    pub fn evidence(&self, agg: &Aggregate) {
        let _ = self.quick.send(Quick::Fused(Box::new(agg.clone())));
    }

    /// Lets the lanes finish what is queued (the all-pairs passes are abandoned if `stop` was raised) and
    /// computes the fused estimate one last time.
    pub fn finish(self) {
        let ProxyPipeline { quick, slow, lanes } = self;
        drop(slow);
        drop(quick);
        for lane in lanes {
            let _ = lane.join();
        }
    }
}

/// Runs `f`, reports what it stored (or its error; an interruption is silent).
fn report(notify: &dyn Fn(Notice), f: impl FnOnce() -> Result<Vec<&'static str>>) -> bool {
    let t = Instant::now();
    match f() {
        Ok(names) if names.is_empty() => false,
        Ok(names) => {
            notify(Notice::Stored { names, seconds: t.elapsed().as_secs_f64() });
            true
        }
        Err(Error::Interrupted) => false,
        Err(e) => {
            notify(Notice::Error(e.to_string()));
            false
        }
    }
}

/// The input-space pass (then `input_space_done` is dropped, opening its gate), a recovery of lost hidden
/// features if needed, then the hidden-space pass for each proxy run's `features` as they arrive.
#[allow(clippy::too_many_arguments)]
fn slow_lane(
    path: &std::path::Path,
    updater: &ProxyUpdater,
    inputs: &DeviceData,
    device: &Device,
    recover: Option<RecoverFeatures>,
    input_space_done: Option<OpenOnDrop>,
    features: mpsc::Receiver<Arc<Features>>,
    refresh: &mpsc::Sender<Quick>,
    notify: &dyn Fn(Notice),
) {
    let ws = match Workspace::open(path) {
        Ok(ws) => ws,
        Err(e) => return notify(Notice::Error(e.to_string())),
    };
    let stop = updater.neighbours.stop.clone().unwrap_or_default();
    match updater.missing_input(&ws) {
        Ok(names) if !names.is_empty() => notify(Notice::Computing { names }),
        _ => {}
    }
    let rows = |start, len| inputs.inputs(start, len).map_err(Error::Model);
    if report(notify, || updater.input_space(&ws, &rows)) {
        let _ = refresh.send(Quick::Refresh);
    }
    drop(input_space_done);
    let wants_hidden = || updater.missing(&ws, &HIDDEN_PROXIES).is_ok_and(|m| !m.is_empty());
    if let Some(recover) = recover.filter(|_| wants_hidden() && !stop.load(Ordering::Relaxed)) {
        let stored = report(notify, || match recover(&stop)? {
            Some(f) => updater.hidden_space(&ws, &f.values, f.dim, device),
            None => Ok(Vec::new()),
        });
        if stored {
            let _ = refresh.send(Quick::Refresh);
        }
    }
    for f in features {
        if stop.load(Ordering::Relaxed) || !wants_hidden() {
            continue;
        }
        if report(notify, || updater.hidden_space(&ws, &f.values, f.dim, device)) {
            let _ = refresh.send(Quick::Refresh);
        }
    }
}

fn quick_lane(
    path: &std::path::Path,
    updater: &ProxyUpdater,
    jobs: mpsc::Receiver<Quick>,
    notify: &dyn Fn(Notice),
) {
    let ws = match Workspace::open(path) {
        Ok(ws) => ws,
        Err(e) => return notify(Notice::Error(e.to_string())),
    };
    let mut agg: Option<Box<Aggregate>> = None;
    let (mut due, mut last_fused): (bool, Option<Instant>) = (false, None);
    let fuse = |agg: &Aggregate| {
        if let Err(e) = update_fused(updater, &ws, agg) {
            notify(Notice::Error(e.to_string()));
        }
    };
    loop {
        let wait = match (due, last_fused) {
            (true, Some(t)) => FUSE_EVERY.saturating_sub(t.elapsed()),
            (true, None) => Duration::ZERO,
            (false, _) => Duration::from_secs(3600),
        };
        match jobs.recv_timeout(wait) {
            Ok(Quick::Training) => {
                if report(notify, || updater.training(&ws)) {
                    due = true;
                }
            }
            Ok(Quick::Fused(a)) => {
                agg = Some(a);
                due = true;
            }
            Ok(Quick::Refresh) => due = true,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Some(a) = agg.as_deref() {
                    fuse(a);
                }
                (due, last_fused) = (false, Some(Instant::now()));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    if let Some(a) = agg.as_deref() {
        fuse(a);
    }
}
