//! One training loop for K models at once: per-model subsets and batch orders, per-epoch tracking,
//! divergence detection, and held-out prediction.

use super::{build_network, DeviceData, EpochStats, ModelError, ModelSpec, Network, TrainConfig};
use candle_core::{Tensor, D};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::{AtomicBool, Ordering};

/// Examples per forward pass when evaluating.
const EVAL_CHUNK: usize = 256;

/// One model to train: its seed (initialisation and batch order) and its training subset.
#[derive(Debug, Clone)]
pub struct TrainJob {
    /// Seed of the model's initial weights and batch order.
    pub seed: u64,
    /// Indices of the examples it trains on.
    pub train_indices: Vec<u32>,
    /// Whether to record per-epoch statistics on every example.
    pub track: bool,
}

/// The result of training one model.
#[derive(Debug, Clone, Default)]
pub struct TrainOutcome {
    /// Mean training loss over the last epoch.
    pub final_loss: f64,
    /// Why the run failed, if its loss became NaN or infinite.
    pub failure: Option<String>,
    /// Per-epoch statistics (tracked jobs only).
    pub epochs: Vec<EpochStats>,
}

/// K trained models and what training each of them produced.
pub type Trained = (Box<dyn Network>, Vec<TrainOutcome>);

/// An epoch's mean cross-entropy above which a model has diverged even though its loss is finite (ReLU
/// networks blown up by a huge learning rate often stay finite, with losses of millions): 20 times the
/// loss of guessing every class equally, ln C. A model that is learning never averages that much.
pub fn exploded_loss(classes: usize) -> f64 {
    20.0 * (classes.max(2) as f64).ln()
}

/// Called after each epoch with (epoch, epochs), for progress reporting.
pub type EpochHook<'a> = &'a mut dyn FnMut(usize, usize);

/// Trains `jobs` together (all with the same subset size); `None` when `stop` was raised first.
pub fn train_models(
    data: &DeviceData,
    spec: &ModelSpec,
    cfg: &TrainConfig,
    jobs: &[TrainJob],
    stop: &AtomicBool,
    on_epoch: EpochHook<'_>,
) -> Result<Option<Trained>, ModelError> {
    let k = jobs.len();
    let size = jobs.first().map_or(0, |j| j.train_indices.len());
    if size == 0 || jobs.iter().any(|j| j.train_indices.len() != size) {
        return Err(ModelError::Spec("models trained together need equal, non-empty subsets".into()));
    }
    let seeds: Vec<u64> = jobs.iter().map(|j| j.seed).collect();
    let mut net =
        build_network(spec, &seeds, data.shape, data.num_classes, data.sparse_inputs, data.device())?;
    let mut orders: Vec<Vec<u32>> = jobs.iter().map(|j| j.train_indices.clone()).collect();
    let mut rngs: Vec<ChaCha8Rng> = seeds
        .iter()
        .map(|&s| {
            let mut r = ChaCha8Rng::seed_from_u64(s);
            r.set_stream(2);
            r
        })
        .collect();
    let mut outcomes = vec![TrainOutcome::default(); k];
    for epoch in 1..=cfg.epochs {
        for (order, rng) in orders.iter_mut().zip(rngs.iter_mut()) {
            order.shuffle(rng);
        }
        let mut epoch_loss: Option<Tensor> = None;
        for start in (0..size).step_by(cfg.batch) {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let end = (start + cfg.batch).min(size);
            let idx: Vec<u32> = orders.iter().flat_map(|o| o[start..end].iter().copied()).collect();
            let (x, y) = data.gather(k, idx)?;
            let loss = net.train_step(&x, &y, cfg)?;
            epoch_loss = Some(match epoch_loss {
                Some(acc) => (acc + loss)?,
                None => loss,
            });
        }
        let losses: Vec<f32> = match epoch_loss {
            Some(l) => l.to_vec1()?,
            None => vec![0.0; k],
        };
        let exploded = exploded_loss(data.num_classes);
        for (m, out) in outcomes.iter_mut().enumerate() {
            let mean = losses[m] as f64 / size as f64;
            out.final_loss = mean;
            if out.failure.is_none() {
                if !mean.is_finite() {
                    out.failure = Some(format!(
                        "training loss became {mean} in epoch {epoch} (diverged; try a lower --lr)"
                    ));
                } else if mean > exploded {
                    out.failure = Some(format!(
                        "mean training loss {mean:.4e} in epoch {epoch} is over {exploded:.1}, far worse than \
                         guessing (diverged; try a lower --lr)"
                    ));
                }
            }
        }
        if outcomes.iter().all(|o| o.failure.is_some()) {
            break; // every model diverged: more epochs cannot help
        }
        if jobs.iter().any(|j| j.track) {
            let stats = epoch_stats(net.as_ref(), data, epoch as u32)?;
            for ((job, out), s) in jobs.iter().zip(outcomes.iter_mut()).zip(stats) {
                if job.track {
                    out.epochs.push(s);
                }
            }
        }
        on_epoch(epoch, cfg.epochs);
    }
    Ok(Some((net, outcomes)))
}

/// Predicted labels of K models, model k on `index_sets[k]` (all sets of equal length).
pub fn evaluate(
    net: &dyn Network,
    data: &DeviceData,
    index_sets: &[Vec<u32>],
) -> Result<Vec<Vec<u32>>, ModelError> {
    let k = net.num_models();
    let len = index_sets.first().map_or(0, Vec::len);
    if index_sets.len() != k || index_sets.iter().any(|s| s.len() != len) {
        return Err(ModelError::Spec("evaluation needs one equal-length index set per model".into()));
    }
    let mut preds = vec![Vec::with_capacity(len); k];
    for start in (0..len).step_by(EVAL_CHUNK) {
        let end = (start + EVAL_CHUNK).min(len);
        let idx: Vec<u32> = index_sets.iter().flat_map(|s| s[start..end].iter().copied()).collect();
        let (x, _) = data.gather(k, idx)?;
        let argmax: Vec<Vec<u32>> = net.logits(&x)?.argmax(D::Minus1)?.to_vec2()?;
        for (p, a) in preds.iter_mut().zip(argmax) {
            p.extend(a);
        }
    }
    Ok(preds)
}

/// Given-label probability, prediction and margin of every example under each of the K models.
fn epoch_stats(net: &dyn Network, data: &DeviceData, epoch: u32) -> Result<Vec<EpochStats>, ModelError> {
    let k = net.num_models();
    let n = data.len();
    let c = data.num_classes;
    let mut stats: Vec<EpochStats> = (0..k)
        .map(|_| EpochStats {
            epoch,
            given_prob: Vec::with_capacity(n),
            predicted: Vec::with_capacity(n),
            margin: Vec::with_capacity(n),
        })
        .collect();
    for start in (0..n).step_by(EVAL_CHUNK) {
        let end = (start + EVAL_CHUNK).min(n);
        let idx: Vec<u32> = (0..k).flat_map(|_| start as u32..end as u32).collect();
        let (x, _) = data.gather(k, idx)?;
        let logits: Vec<Vec<Vec<f32>>> = net.logits(&x)?.to_vec3()?;
        for (s, rows) in stats.iter_mut().zip(logits) {
            for (row, i) in rows.iter().zip(start..end) {
                let y = data.labels[i] as usize;
                let (p, pred, margin) = row_stats(row, y.min(c - 1));
                s.given_prob.push(p);
                s.predicted.push(pred);
                s.margin.push(margin);
            }
        }
    }
    Ok(stats)
}

/// (softmax probability of `y`, argmax, logit of `y` minus the largest other logit) of one logit row.
fn row_stats(row: &[f32], y: usize) -> (f32, u32, f32) {
    let mut best = 0usize;
    let mut other = f32::NEG_INFINITY;
    for (j, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = j;
        }
        if j != y && v > other {
            other = v;
        }
    }
    let max = row[best];
    let sum: f32 = row.iter().map(|&v| (v - max).exp()).sum();
    let p = (row[y] - max).exp() / sum;
    (p, best as u32, row[y] - other)
}

#[cfg(test)]
mod tests {
    use super::row_stats;

    #[test]
    fn row_statistics() {
        let (p, pred, m) = row_stats(&[0.0, 2.0, 1.0], 2);
        assert_eq!(pred, 1);
        assert!((m - -1.0).abs() < 1e-6);
        let e = [1.0f32, 2f32.exp(), 1f32.exp()];
        assert!((p - e[2] / e.iter().sum::<f32>()).abs() < 1e-6);
    }
}
