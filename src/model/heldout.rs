//! Held-out evaluation: the predicted label and the softmax vector of every held-out example of each
//! model, the out-of-sample probabilities label-noise tools (cleanlab and the like) take as input.

use super::{DeviceData, ModelError, Network};
use candle_core::D;

/// Examples per forward pass.
const EVAL_CHUNK: usize = 256;

/// What one model said about the examples it did not train on, in the order of its index set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeldOut {
    /// Predicted label (argmax of the logits) per example.
    pub predictions: Vec<u32>,
    /// Softmax probabilities, one row of `num_classes` per example (row-major).
    pub probs: Vec<f32>,
}

/// Evaluates model `k` of `net` on `index_sets[k]` (all of one length), returning labels and probabilities.
pub fn evaluate_heldout(
    net: &dyn Network,
    data: &DeviceData,
    index_sets: &[Vec<u32>],
) -> Result<Vec<HeldOut>, ModelError> {
    let k = net.num_models();
    let len = index_sets.first().map_or(0, Vec::len);
    if index_sets.len() != k || index_sets.iter().any(|s| s.len() != len) {
        return Err(ModelError::Spec("evaluation needs one equal-length index set per model".into()));
    }
    let c = data.num_classes;
    let mut out: Vec<HeldOut> = (0..k)
        .map(|_| HeldOut { predictions: Vec::with_capacity(len), probs: Vec::with_capacity(len * c) })
        .collect();
    for start in (0..len).step_by(EVAL_CHUNK) {
        let end = (start + EVAL_CHUNK).min(len);
        let idx: Vec<u32> = index_sets.iter().flat_map(|s| s[start..end].iter().copied()).collect();
        let (x, _) = data.gather(k, idx)?;
        let logits = net.logits(&x)?;
        let argmax: Vec<Vec<u32>> = logits.argmax(D::Minus1)?.to_vec2()?;
        let rows: Vec<Vec<Vec<f32>>> = logits.to_vec3()?;
        for ((o, a), rows) in out.iter_mut().zip(argmax).zip(rows) {
            o.predictions.extend(a);
            for row in rows {
                push_softmax(&mut o.probs, &row);
            }
        }
    }
    Ok(out)
}

/// Appends the softmax of one logit row (max-shifted, so large logits do not overflow).
fn push_softmax(out: &mut Vec<f32>, row: &[f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let start = out.len();
    out.extend(row.iter().map(|&v| (v - max).exp()));
    let sum: f32 = out[start..].iter().sum();
    for p in &mut out[start..] {
        *p /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::push_softmax;

    #[test]
    fn softmax_rows_sum_to_one_and_survive_large_logits() {
        let mut out = Vec::new();
        push_softmax(&mut out, &[0.0, 1.0, 2.0]);
        push_softmax(&mut out, &[1000.0, 1000.0, -1000.0]);
        let e = [1.0f32, 1f32.exp(), 2f32.exp()];
        let total: f32 = e.iter().sum();
        for (p, want) in out[..3].iter().zip(e.iter().map(|v| v / total)) {
            assert!((p - want).abs() < 1e-6);
        }
        assert_eq!(&out[3..], &[0.5, 0.5, 0.0]);
    }
}
