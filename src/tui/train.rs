//! Training in the background: the same estimator and proxy updates as `cscore estimate`, on a thread
//! of its own with its own workspace connection, reporting into the explorer's inbox. Proxy scores it
//! stores reach the explorer through the workspace follower.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use candle_core::Device;
use tokio::sync::mpsc::UnboundedSender;

use super::event::{Event, WorkerMsg};
use crate::data::Dataset;
use crate::estimate::{
    aggregate_workspace, run_estimate, EstimateOptions, EstimateReport, Event as EstimateEvent, Plan,
};
use crate::model::DeviceData;
use crate::proxy::{ProxyUpdater, Selection, HIDDEN_PROXIES};
use crate::store::{RunRecord, Workspace};

/// The fused estimate is recomputed at most this often while runs arrive (and once at the end).
const FUSE_EVERY: Duration = Duration::from_secs(5);

/// How to train, as the command line asks.
pub struct TrainSettings {
    /// Workers, ensemble, time limit.
    pub options: EstimateOptions,
    /// Where to train.
    pub device: Device,
    /// The device as the status bar names it.
    pub device_label: String,
    /// Proxy scores to compute and store along the way.
    pub proxies: Selection,
}

/// Everything the background estimate needs.
pub struct Trainer {
    /// The dataset (shared with the explorer's preview).
    pub dataset: Arc<Dataset>,
    /// The plan (already stored in the workspace).
    pub plan: Plan,
    /// How to train.
    pub settings: TrainSettings,
    /// The workspace file (the trainer opens its own connection).
    pub workspace: PathBuf,
}

/// A committed run without its per-epoch statistics (those are read from the workspace when needed).
fn without_epochs(r: &RunRecord) -> RunRecord {
    RunRecord {
        key: r.key,
        subset_ratio: r.subset_ratio,
        seed: r.seed,
        status: r.status.clone(),
        train_seconds: r.train_seconds,
        eval_seconds: r.eval_seconds,
        num_examples: r.num_examples,
        heldout_mask: r.heldout_mask.clone(),
        heldout_correct: r.heldout_correct.clone(),
        heldout_predictions: r.heldout_predictions.clone(),
        final_loss: r.final_loss,
        epochs: Vec::new(),
    }
}

impl Trainer {
    /// Starts training on a dedicated thread; raising `stop` abandons the runs in flight.
    pub fn spawn(self, tx: UnboundedSender<Event>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            let send = |m: WorkerMsg| {
                let _ = tx.send(Event::Worker(m));
            };
            let result = self.train(&stop, &send);
            send(WorkerMsg::Finished(result.map_err(|e| e.to_string())));
        })
    }

    fn train(&self, stop: &AtomicBool, send: &dyn Fn(WorkerMsg)) -> crate::Result<EstimateReport> {
        let ws = Workspace::open(&self.workspace)?;
        let data = DeviceData::new(&self.dataset, &self.settings.device)?;
        let ds = &self.dataset;
        let updater = ProxyUpdater::new(self.settings.proxies.clone(), &ds.labels, ds.num_classes());
        // Proxies are secondary: the first failure is reported and never stops the estimate.
        let mut proxy_error: Option<String> = None;
        let mut keep = |r: crate::Result<()>| {
            if let (Err(e), None) = (r, &proxy_error) {
                send(WorkerMsg::ProxyError(e.to_string()));
                proxy_error = Some(e.to_string());
            }
        };
        let mut options = self.settings.options.clone();
        options.proxy_features = !self.settings.proxies.among(&HIDDEN_PROXIES).is_empty();
        if !self.settings.proxies.is_empty() {
            keep(updater.input_space(&ws, &data.x).map(drop));
            keep(updater.training(&ws).map(drop));
        }
        let mut agg = aggregate_workspace(&ws)?;
        let mut last_fused: Option<Instant> = None;
        let report = run_estimate(&ws, &data, &self.plan, &options, stop, &mut |event| match event {
            EstimateEvent::Started { done, total, pending } => {
                send(WorkerMsg::Started { done, total, pending })
            }
            EstimateEvent::RunCommitted { record } => {
                send(WorkerMsg::Committed(Box::new(without_epochs(record))));
                agg.add(record);
                if record.key.kind_is_proxy {
                    keep(updater.training(&ws).map(drop));
                }
                if last_fused.is_none_or(|t| t.elapsed() >= FUSE_EVERY) {
                    keep(updater.fused(&ws, &agg).map(drop));
                    last_fused = Some(Instant::now());
                }
            }
            EstimateEvent::ProxyFeatures { features, dim, .. } => {
                keep(updater.hidden_space(&ws, features, dim, data.device()).map(drop));
            }
        })?;
        keep(updater.fused(&ws, &agg).map(drop));
        Ok(report)
    }
}
