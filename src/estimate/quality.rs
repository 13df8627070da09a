//! Whether the trained models learned: the mean held-out accuracy of the holdout runs, per subset ratio
//! and over all of them. A C-score from models that learned nothing says nothing about the examples.

use crate::store::{bit_get, RunRecord, RunStatus};
use std::fmt;

/// Mean held-out accuracy of the finished holdout runs (each run's accuracy on the examples it held out).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HoldoutAccuracy {
    /// Per subset ratio (plan order), `None` where no run finished.
    pub per_ratio: Vec<Option<f64>>,
    /// Over every finished run, `None` before the first.
    pub mean: Option<f64>,
    /// Finished runs it averages.
    pub runs: u32,
}

impl HoldoutAccuracy {
    /// From per-ratio `(sum of run accuracies, runs)`.
    pub(super) fn from_sums(sums: &[(f64, u32)]) -> Self {
        let per_ratio = sums.iter().map(|&(s, k)| (k > 0).then(|| s / f64::from(k))).collect();
        let (total, runs) = sums.iter().fold((0.0, 0u32), |(s, k), &(a, b)| (s + a, k + b));
        HoldoutAccuracy { per_ratio, mean: (runs > 0).then(|| total / f64::from(runs)), runs }
    }

    /// One line: `0.912 (0.84 0.88 … 0.95 by ratio)`, or just the mean when `per_ratio` is false.
    pub fn describe(&self, per_ratio: bool) -> String {
        let Some(mean) = self.mean else { return "- (no holdout run has succeeded yet)".into() };
        if !per_ratio || self.per_ratio.len() < 2 {
            return format!("{mean:.3}");
        }
        let cells: Vec<String> =
            self.per_ratio.iter().map(|a| a.map_or_else(|| "-".into(), |a| format!("{a:.2}"))).collect();
        format!("{mean:.3} (by ratio {})", cells.join(" "))
    }
}

/// The mean held-out accuracy of the finished holdout runs among `runs` against `labels` (e.g. the labels
/// before injected noise), per ratio and over all runs, weighed as [`super::Aggregate::holdout_accuracy`]
/// weighs them against the labels the models trained on.
pub fn holdout_accuracy_against(runs: &[RunRecord], labels: &[u32], ratios: usize) -> HoldoutAccuracy {
    let mut sums = vec![(0.0, 0u32); ratios];
    for run in runs {
        let r = run.key.ratio_index as usize;
        if run.key.kind_is_proxy
            || run.status != RunStatus::Done
            || run.num_examples != labels.len()
            || r >= ratios
        {
            continue;
        }
        let held = (0..labels.len()).filter(|&i| bit_get(&run.heldout_mask, i));
        let (mut n, mut right) = (0u32, 0u32);
        for (i, &p) in held.zip(&run.heldout_predictions) {
            n += 1;
            right += u32::from(p == labels[i]);
        }
        if n > 0 {
            sums[r].0 += f64::from(right) / f64::from(n);
            sums[r].1 += 1;
        }
    }
    HoldoutAccuracy::from_sums(&sums)
}

impl fmt::Display for HoldoutAccuracy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe(true))
    }
}

#[cfg(test)]
mod tests {
    use super::HoldoutAccuracy;

    #[test]
    fn means_per_ratio_and_overall_weigh_runs_equally() {
        let acc = HoldoutAccuracy::from_sums(&[(1.5, 2), (0.0, 0), (0.9, 1)]);
        assert_eq!(acc.per_ratio, vec![Some(0.75), None, Some(0.9)]);
        assert!((acc.mean.unwrap_or(0.0) - 0.8).abs() < 1e-12);
        assert_eq!(acc.describe(true), "0.800 (by ratio 0.75 - 0.90)");
        assert_eq!(acc.describe(false), "0.800");
        assert_eq!(
            HoldoutAccuracy::from_sums(&[(0.0, 0)]).describe(true),
            "- (no holdout run has succeeded yet)"
        );
    }
}
