//! Turning a trained model's outcome into the workspace's [`RunRecord`].

use super::plan::RunSpec;
use crate::model::{HeldOut, TrainOutcome};
use crate::store::{bit_set, bitset_len, RunRecord, RunStatus};

/// The examples a run did not train on, ascending, given its ascending training subset.
pub fn holdout_indices(n: usize, train: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(n.saturating_sub(train.len()));
    let mut t = train.iter().peekable();
    for i in 0..n as u32 {
        if t.peek() == Some(&&i) {
            t.next();
        } else {
            out.push(i);
        }
    }
    out
}

/// Timing of one run.
pub struct Timing {
    pub train_seconds: f64,
    pub eval_seconds: f64,
}

/// Builds the record of a finished run from its held-out predictions and probabilities.
pub fn build_record(
    spec: &RunSpec,
    labels: &[u32],
    heldout: &[u32],
    held_out: HeldOut,
    outcome: TrainOutcome,
    timing: Timing,
) -> RunRecord {
    let n = labels.len();
    let mut mask = vec![0u8; bitset_len(n)];
    let mut correct = vec![0u8; bitset_len(n)];
    let failed = outcome.failure.is_some();
    if !failed {
        for (&i, &p) in heldout.iter().zip(&held_out.predictions) {
            bit_set(&mut mask, i as usize);
            if labels[i as usize] == p {
                bit_set(&mut correct, i as usize);
            }
        }
    }
    RunRecord {
        key: spec.key,
        subset_ratio: spec.subset_ratio,
        seed: spec.seed,
        status: match outcome.failure {
            Some(reason) => RunStatus::Failed(reason),
            None => RunStatus::Done,
        },
        train_seconds: timing.train_seconds,
        eval_seconds: timing.eval_seconds,
        num_examples: n,
        heldout_mask: mask,
        heldout_correct: correct,
        heldout_predictions: if failed { Vec::new() } else { held_out.predictions },
        heldout_probs: if failed { Vec::new() } else { held_out.probs },
        final_loss: outcome.final_loss,
        epochs: outcome.epochs,
    }
}

#[cfg(test)]
mod tests {
    use super::holdout_indices;

    #[test]
    fn complement() {
        assert_eq!(holdout_indices(6, &[0, 2, 3]), vec![1, 4, 5]);
        assert_eq!(holdout_indices(3, &[]), vec![0, 1, 2]);
        assert!(holdout_indices(2, &[0, 1]).is_empty());
    }
}
