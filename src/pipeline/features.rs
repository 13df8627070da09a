//! The hidden representation of the first proxy run, recomputed by training its model again (training is
//! deterministic on the CPU): for a session resuming a workspace whose proxy run was committed by a
//! process that ended before its hidden-space proxies were stored (the model itself is not kept).

use crate::estimate::{subset, Plan};
use crate::model::{network_features, train_models, DeviceData, Features, TrainJob};
use crate::Result;
use std::sync::atomic::AtomicBool;

/// The features of the plan's first proxy run on every example; `None` when the plan has no proxy run,
/// the run diverges, or `stop` is raised first.
pub fn proxy_run_features(data: &DeviceData, plan: &Plan, stop: &AtomicBool) -> Result<Option<Features>> {
    let Some(spec) = plan.schedule().into_iter().find(|s| s.key.kind_is_proxy) else { return Ok(None) };
    let job = TrainJob {
        seed: spec.seed,
        train_indices: subset(spec.seed, data.len(), spec.subset_ratio),
        track: false,
    };
    let Some((net, outcomes)) = train_models(data, &plan.model, &plan.train, &[job], stop, &mut |_, _| {})?
    else {
        return Ok(None);
    };
    if outcomes.iter().any(|o| o.failure.is_some()) {
        return Ok(None);
    }
    Ok(network_features(net.as_ref(), data)?.into_iter().next())
}
