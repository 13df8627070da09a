//! An estimate with its proxies: the runner trains and commits runs while the proxy pipeline keeps the
//! workspace's proxies current beside it, never holding up a commit. What `cscore estimate`,
//! `cscore worker` and the explorer's background training all run.

use super::features::proxy_run_features;
use super::proxy_lanes::{Notice, PipelineInputs, ProxyNotify, ProxyPipeline, RecoverFeatures};
use crate::estimate::{
    aggregate_workspace, run_estimate, Aggregate, EstimateOptions, EstimateReport, Event, Gate, OpenOnDrop,
    Plan,
};
use crate::model::DeviceData;
use crate::proxy::{refresh_density, ProxyUpdater, HIDDEN_PROXIES};
use crate::store::Workspace;
use crate::Result;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// The longest holdout runs wait for the input-space proxies by default (exact on MNIST: ≈ 45 s on two
/// cores).
pub const INPUT_SPACE_HEAD_START: std::time::Duration = std::time::Duration::from_secs(60);

/// The proxies of a session and where their notices go.
pub struct ProxySetup {
    /// Which proxies, and how.
    pub updater: ProxyUpdater,
    /// Receives what the pipeline stored or failed at.
    pub notify: ProxyNotify,
    /// The longest holdout runs wait for the input-space proxies ([`INPUT_SPACE_HEAD_START`] by default).
    pub wait: std::time::Duration,
}

/// Trains what `plan` still lacks in `ws` (as [`run_estimate`]) and, with `proxies`, computes them on the
/// side (the proxy lanes, with the gate that holds holdout runs back until the input-space pass is done).
/// `on_event` sees every estimate event with the holdout evidence so far. Returns the report and
/// the final evidence.
pub fn estimate_with_proxies(
    ws: &Workspace,
    data: &DeviceData,
    plan: &Plan,
    options: &EstimateOptions,
    proxies: Option<ProxySetup>,
    stop: Arc<AtomicBool>,
    on_event: &mut dyn FnMut(Event<'_>, &Aggregate),
) -> Result<(EstimateReport, Aggregate)> {
    let mut agg = aggregate_workspace(ws)?;
    let mut options = options.clone();
    let pipeline = match proxies {
        Some(ProxySetup { updater, notify, wait }) if !updater.selection.is_empty() => {
            // Values of an older bandwidth rule go first, so that the lanes below compute them again.
            let outdated = refresh_density(ws)?;
            if !outdated.is_empty() {
                notify(Notice::Outdated { proxies: outdated.proxies, parts: outdated.parts });
            }
            let hidden = !updater.selection.among(&HIDDEN_PROXIES).is_empty();
            options.proxy_features = hidden;
            // Holdout runs wait for the input-space pass, at most `wait` (a minute): it and the proxy
            // run get the cores first, so the first minute's ranking rests on every quick proxy (a few
            // holdout runs add little); on large data the pass goes on beside training after that.
            let input_space_done = if updater.missing_input(ws)?.is_empty() {
                None
            } else {
                let gate = Gate::closed_for(wait);
                options.holdout_gate = Some(gate.clone());
                Some(OpenOnDrop(gate))
            };
            // The features are recovered by training the first proxy run again, only if it learned.
            let proxy_run_done =
                ws.run_keys()?.iter().any(|(k, done)| k.kind_is_proxy && k.run_index == 0 && *done);
            let recover_features = (hidden && proxy_run_done).then(|| {
                let (data, plan) = (data.clone(), plan.clone());
                Box::new(move |stop: &AtomicBool| proxy_run_features(&data, &plan, stop)) as RecoverFeatures
            });
            let inputs = PipelineInputs {
                workspace: ws.path().to_path_buf(),
                updater,
                inputs: data.clone(),
                device: data.device().clone(),
                recover_features,
                input_space_done,
            };
            Some(ProxyPipeline::spawn(inputs, &agg, stop.clone(), notify))
        }
        _ => None,
    };
    let report = run_estimate(ws, data, plan, &options, &stop, &mut |event| {
        match &event {
            Event::RunCommitted { record } => {
                agg.add(record);
                if let Some(p) = &pipeline {
                    if record.key.kind_is_proxy {
                        p.proxy_run_committed();
                    }
                    p.evidence(&agg);
                }
            }
            Event::ProxyFeatures { features, .. } => {
                if let Some(p) = &pipeline {
                    p.features(features.clone());
                }
            }
            Event::Started { .. } => {}
        }
        on_event(event, &agg);
    });
    if let Some(p) = pipeline {
        p.finish();
    }
    Ok((report?, agg))
}
