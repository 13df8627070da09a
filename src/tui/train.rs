//! Training in the background: the same estimator and proxy updates as `cscore estimate`, on a thread
//! of its own with its own workspace connection, reporting into the explorer's inbox. Proxy scores it
//! stores reach the explorer through the workspace follower.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use candle_core::Device;
use tokio::sync::mpsc::UnboundedSender;

use super::event::{Event, WorkerMsg};
use crate::data::Dataset;
use crate::estimate::{EstimateOptions, EstimateReport, Event as EstimateEvent, Plan};
use crate::model::DeviceData;
use crate::pipeline::{estimate_with_proxies, Notice, ProxySetup, INPUT_SPACE_HEAD_START};
use crate::proxy::{ProxyUpdater, Selection};
use crate::store::{RunRecord, Workspace};

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
        heldout_probs: Vec::new(),
        final_loss: r.final_loss,
        epochs: Vec::new(),
    }
}

impl Trainer {
    /// Starts training on a dedicated thread; raising `stop` abandons the runs in flight.
    pub fn spawn(self, tx: UnboundedSender<Event>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            let result = self.train(stop, &tx);
            let _ = tx.send(Event::Worker(WorkerMsg::Finished(result.map_err(|e| e.to_string()))));
        })
    }

    fn train(&self, stop: Arc<AtomicBool>, tx: &UnboundedSender<Event>) -> crate::Result<EstimateReport> {
        let ws = Workspace::open(&self.workspace)?;
        let data = DeviceData::with_inputs(&self.dataset, &self.plan.inputs, &self.settings.device)?;
        let ds = &self.dataset;
        let updater = ProxyUpdater::new(self.settings.proxies.clone(), &ds.labels, ds.num_classes());
        // Proxies are secondary: errors are reported and never stop the estimate; stored scores reach the
        // explorer through the workspace follower.
        let notify = {
            let tx = tx.clone();
            Arc::new(move |n: Notice| {
                if let Notice::Error(e) = n {
                    let _ = tx.send(Event::Worker(WorkerMsg::ProxyError(e)));
                }
            })
        };
        let send = |m: WorkerMsg| {
            let _ = tx.send(Event::Worker(m));
        };
        let (report, _) = estimate_with_proxies(
            &ws,
            &data,
            &self.plan,
            &self.settings.options,
            Some(ProxySetup { updater, notify, wait: INPUT_SPACE_HEAD_START }),
            stop,
            &mut |event, _| match event {
                EstimateEvent::Started { done, total, pending } => {
                    send(WorkerMsg::Started { done, total, pending })
                }
                EstimateEvent::RunCommitted { record } => {
                    send(WorkerMsg::Committed(Box::new(without_epochs(record))))
                }
                EstimateEvent::ProxyFeatures { .. } => {}
            },
        )?;
        Ok(report)
    }
}
