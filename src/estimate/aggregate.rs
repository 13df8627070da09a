//! Per-example held-out hits and trials per subset ratio, folded into C-scores and intervals.

use super::interval::wilson_interval_eff;
use super::quality::HoldoutAccuracy;
use crate::store::{bit_get, RunRecord, RunStatus};

/// Running totals over every finished holdout run.
#[derive(Debug, Clone)]
pub struct Aggregate {
    n: usize,
    ratios: usize,
    classes: usize,
    hits: Vec<u32>,
    trials: Vec<u32>,
    predictions: Vec<u32>,
    /// Per ratio: the sum of the finished runs' held-out accuracies, and how many runs.
    run_accuracy: Vec<(f64, u32)>,
    runs_done: usize,
    runs_failed: usize,
}

impl Aggregate {
    /// Empty totals for `n` examples, `ratios` subset ratios and `classes` labels.
    pub fn new(n: usize, ratios: usize, classes: usize) -> Self {
        Aggregate {
            n,
            ratios,
            classes,
            hits: vec![0; n * ratios],
            trials: vec![0; n * ratios],
            predictions: vec![0; n * classes],
            run_accuracy: vec![(0.0, 0); ratios],
            runs_done: 0,
            runs_failed: 0,
        }
    }

    /// Adds one run; proxy runs (nothing held out) and runs of unknown ratios are ignored.
    pub fn add(&mut self, run: &RunRecord) {
        if run.key.kind_is_proxy || run.num_examples != self.n {
            return;
        }
        if let RunStatus::Failed(_) = run.status {
            self.runs_failed += 1;
            return;
        }
        let r = run.key.ratio_index as usize;
        if r >= self.ratios {
            return;
        }
        let mut preds = run.heldout_predictions.iter();
        let (mut held, mut right) = (0u32, 0u32);
        for i in 0..self.n {
            if !bit_get(&run.heldout_mask, i) {
                continue;
            }
            let at = i * self.ratios + r;
            self.trials[at] += 1;
            held += 1;
            if bit_get(&run.heldout_correct, i) {
                self.hits[at] += 1;
                right += 1;
            }
            if let Some(&p) = preds.next() {
                if (p as usize) < self.classes {
                    self.predictions[i * self.classes + p as usize] += 1;
                }
            }
        }
        if held > 0 {
            let acc = &mut self.run_accuracy[r];
            acc.0 += f64::from(right) / f64::from(held);
            acc.1 += 1;
        }
        self.runs_done += 1;
    }

    /// How well the trained models did: their mean held-out accuracy, per ratio and over all runs.
    pub fn holdout_accuracy(&self) -> HoldoutAccuracy {
        HoldoutAccuracy::from_sums(&self.run_accuracy)
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True when there is no example.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Holdout runs folded in, and failed runs seen.
    pub fn runs(&self) -> (usize, usize) {
        (self.runs_done, self.runs_failed)
    }

    /// Held-out accuracy of example `i` at each ratio (`None` where it was never held out).
    pub fn profile(&self, i: usize) -> Vec<Option<f64>> {
        (0..self.ratios)
            .map(|r| {
                let t = self.trials[i * self.ratios + r];
                (t > 0).then(|| f64::from(self.hits[i * self.ratios + r]) / f64::from(t))
            })
            .collect()
    }

    /// The C-score of example `i`: the mean over ratios of its held-out accuracy, skipping ratios at which
    /// it was never held out; `None` before any held-out evaluation.
    pub fn cscore(&self, i: usize) -> Option<f64> {
        // As the mean of `profile(i)`, without allocating it (a million calls per filter or export).
        let at = i * self.ratios..(i + 1) * self.ratios;
        let (sum, count) = self.trials[at.clone()]
            .iter()
            .zip(&self.hits[at])
            .filter(|(&t, _)| t > 0)
            .fold((0.0, 0usize), |(s, c), (&t, &h)| (s + f64::from(h) / f64::from(t), c + 1));
        (count > 0).then(|| tidy(sum / count as f64))
    }

    /// Number of held-out evaluations of example `i`, over all ratios.
    pub fn holdout_evals(&self, i: usize) -> u32 {
        self.trials[i * self.ratios..(i + 1) * self.ratios].iter().sum()
    }

    /// 95% interval of the C-score: Wilson's, with the effective number of evaluations of a mean over
    /// ratios (see [`Aggregate::effective_evals`]); the whole of [0, 1] before any evaluation.
    pub fn interval(&self, i: usize) -> (f64, f64) {
        match self.cscore(i) {
            Some(c) => {
                // Rounding can leave Wilson's end a hair inside a score of exactly 0 or 1.
                let (lo, hi) = wilson_interval_eff(c, self.effective_evals(i));
                (lo.min(c).max(0.0), hi.max(c).min(1.0))
            }
            None => (0.0, 1.0),
        }
    }

    /// The number of Bernoulli trials whose mean would vary as much as the C-score of example `i`, a mean
    /// over R ratios of accuracies from n_r evaluations each: Var = (1/R²) Σ_r p_r(1 − p_r)/n_r, with each
    /// p_r smoothed to (hits + ½)/(n_r + 1) so that perfect scores keep a variance. Equal to the pooled
    /// count when every ratio has as many evaluations; smaller when a few ratios have most of them.
    pub fn effective_evals(&self, i: usize) -> f64 {
        let (mut var, mut mean, mut used) = (0.0, 0.0, 0usize);
        for at in i * self.ratios..(i + 1) * self.ratios {
            let t = f64::from(self.trials[at]);
            if t > 0.0 {
                let p = (f64::from(self.hits[at]) + 0.5) / (t + 1.0);
                var += p * (1.0 - p) / t;
                mean += p;
                used += 1;
            }
        }
        if used == 0 {
            return 0.0;
        }
        let r = used as f64;
        let (var, mean) = (var / (r * r), mean / r);
        mean * (1.0 - mean) / var
    }

    /// How many times example `i` was predicted as each class when held out.
    pub fn votes(&self, i: usize) -> &[u32] {
        &self.predictions[i * self.classes..(i + 1) * self.classes]
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.classes
    }

    /// The label most often predicted for example `i` when held out (ties: the smallest label).
    pub fn heldout_prediction(&self, i: usize) -> Option<u32> {
        let row = &self.predictions[i * self.classes..(i + 1) * self.classes];
        let (best, &count) = row.iter().enumerate().rev().max_by_key(|(_, &c)| c)?;
        (count > 0).then_some(best as u32)
    }

    /// C-scores of all examples (NaN where not yet estimated).
    pub fn cscores(&self) -> Vec<f64> {
        (0..self.n).map(|i| self.cscore(i).unwrap_or(f64::NAN)).collect()
    }

    /// Median width of the C-score intervals of examples evaluated at least once.
    pub fn median_interval_width(&self) -> Option<f64> {
        let mut w: Vec<f64> = (0..self.n)
            .filter(|&i| self.holdout_evals(i) > 0)
            .map(|i| {
                let (lo, hi) = self.interval(i);
                hi - lo
            })
            .collect();
        if w.is_empty() {
            return None;
        }
        w.sort_by(f64::total_cmp);
        Some(w[w.len() / 2])
    }
}

/// A mean of held-out accuracies summed in floating point, with the rounding noise of the sum removed: the
/// same mean reached by different sums (5/6 as (1 + 2/3)/2 or as (1/2 + 1 + 1)/3) must be the same number,
/// or equal C-scores rank apart and tie groups split; and (1/2 + 2/6 + 1/6 + …)/7, exactly ½, sums to
/// 0.49999999999999994, which would count below 0.5 in one place and print as 0.500 in another. Rounded
/// to 9 decimals (the noise is below 10⁻¹⁵; a C-score's interval is wider than 10⁻³), two sums of one mean
/// fall on different sides of a rounding point with a chance of about 10⁻⁷.
fn tidy(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::{bit_set, RunKey};

    /// A holdout run at `ratio_index` that held out and predicted `held` (example, prediction).
    pub(crate) fn run(ratio_index: u32, held: &[(usize, u32)], labels: &[u32]) -> RunRecord {
        let n = labels.len();
        let mut mask = vec![0u8; n.div_ceil(8)];
        let mut correct = mask.clone();
        let mut preds = vec![];
        for &(i, p) in held {
            bit_set(&mut mask, i);
            if labels[i] == p {
                bit_set(&mut correct, i);
            }
            preds.push(p);
        }
        RunRecord {
            key: RunKey { kind_is_proxy: false, ratio_index, run_index: 0 },
            subset_ratio: 0.5,
            seed: 0,
            status: RunStatus::Done,
            train_seconds: 0.0,
            eval_seconds: 0.0,
            num_examples: n,
            heldout_mask: mask,
            heldout_correct: correct,
            heldout_predictions: preds,
            heldout_probs: Vec::new(),
            final_loss: 0.0,
            epochs: vec![],
        }
    }

    #[test]
    fn per_ratio_means_and_skipped_ratios() {
        let labels = [0, 1, 2];
        let mut agg = Aggregate::new(3, 3, 3);
        // ratio 0: example 0 right twice, wrong once (2/3); example 1 wrong once.
        agg.add(&run(0, &[(0, 0), (1, 2)], &labels));
        agg.add(&run(0, &[(0, 0)], &labels));
        agg.add(&run(0, &[(0, 1)], &labels));
        // ratio 2: example 0 right once (1/1); ratio 1 never holds example 0 out.
        agg.add(&run(2, &[(0, 0), (1, 1)], &labels));
        assert_eq!(agg.profile(0), vec![Some(2.0 / 3.0), None, Some(1.0)]);
        let c0 = agg.cscore(0).unwrap_or(f64::NAN);
        assert!((c0 - (2.0 / 3.0 + 1.0) / 2.0).abs() <= 5e-10, "the mean, to the 9 decimals kept");
        assert_eq!(agg.cscore(1), Some(0.5));
        assert_eq!(agg.cscore(2), None);
        assert_eq!(agg.holdout_evals(0), 4);
        assert_eq!(agg.heldout_prediction(0), Some(0));
        // example 1 predicted 2 once and 1 once: tie → smallest label
        assert_eq!(agg.heldout_prediction(1), Some(1));
        assert_eq!(agg.heldout_prediction(2), None);
        let (lo, hi) = agg.interval(2);
        assert_eq!((lo, hi), (0.0, 1.0));
        // Example 0: p̃ = 2.5/4 at ratio 0 (3 evaluations), 1.5/2 at ratio 2 (1): Var = (0.625·0.375/3 +
        // 0.75·0.25/1)/4 = 0.06640625, mean p̃ 0.6875, so n_eff = 0.21484375/0.06640625 = 3.235… (4 pooled,
        // but most of the C-score's variance comes from the ratio seen once): a wider interval.
        assert!((agg.effective_evals(0) - 0.21484375 / 0.06640625).abs() < 1e-12);
        let (lo, hi) = agg.interval(0);
        let (plo, phi) = crate::estimate::wilson_interval(c0, 4);
        assert!(lo < plo && hi >= phi, "({lo}, {hi}) vs pooled ({plo}, {phi})");
        assert_eq!(agg.runs(), (4, 0));
        // The models: ratio 0 runs scored 1/2, 1/1 and 0/1; the ratio 2 run 2/2.
        let acc = agg.holdout_accuracy();
        assert_eq!(acc.per_ratio, vec![Some(0.5), None, Some(1.0)]);
        assert_eq!(acc.mean, Some(0.625));
        assert_eq!(acc.runs, 4);
    }

    /// Evaluations spread evenly over ratios with equal accuracies count as the pooled evaluations.
    #[test]
    fn even_coverage_gives_the_pooled_count() {
        let labels = [0];
        let mut agg = Aggregate::new(1, 2, 2);
        for r in 0..2 {
            for p in [0, 0, 1, 1] {
                agg.add(&run(r, &[(0, p)], &labels));
            }
        }
        assert!((agg.effective_evals(0) - 8.0).abs() < 1e-9, "{}", agg.effective_evals(0));
    }

    #[test]
    fn failed_and_proxy_runs_do_not_count() {
        let labels = [0, 1];
        let mut agg = Aggregate::new(2, 1, 2);
        let mut failed = run(0, &[(0, 1)], &labels);
        failed.status = RunStatus::Failed("loss became NaN".into());
        agg.add(&failed);
        let mut proxy = run(0, &[(0, 1)], &labels);
        proxy.key.kind_is_proxy = true;
        agg.add(&proxy);
        assert_eq!(agg.cscore(0), None);
        assert_eq!(agg.runs(), (0, 1));
    }

    #[test]
    fn means_that_are_short_decimals_come_out_exact() {
        // hits/trials per ratio whose mean is exactly 1/2 but sums to 0.49999999999999994 in f64.
        let (hits, trials) = ([0u32, 0, 6, 4, 2, 1, 2], [5u32, 5, 6, 6, 3, 6, 2]);
        let naive: f64 =
            hits.iter().zip(&trials).map(|(&h, &t)| f64::from(h) / f64::from(t)).sum::<f64>() / 7.0;
        assert_ne!(naive, 0.5, "the case still shows the rounding");
        let agg = Aggregate {
            n: 1,
            ratios: 7,
            hits: hits.to_vec(),
            trials: trials.to_vec(),
            ..Aggregate::new(1, 7, 2)
        };
        assert_eq!(agg.cscore(0), Some(0.5));
        assert_eq!(tidy(0.1 + 0.2), 0.3);
        assert!((tidy(1.0 / 3.0) - 1.0 / 3.0).abs() < 1e-9);
        // One mean reached by different sums is one number: 5/6 over 2 ratios and over 3.
        let five_sixths = |hits: &[u32], trials: &[u32]| {
            let r = hits.len();
            Aggregate {
                n: 1,
                ratios: r,
                hits: hits.to_vec(),
                trials: trials.to_vec(),
                ..Aggregate::new(1, r, 2)
            }
            .cscore(0)
        };
        let a = five_sixths(&[3, 2], &[3, 3]);
        assert_eq!(a, five_sixths(&[1, 4, 4], &[2, 4, 4]));
        assert_eq!(a, five_sixths(&[5, 10, 10, 10, 5, 5], &[6, 12, 12, 12, 6, 6]));
        assert_eq!(a, five_sixths(&[1; 9], &[1, 1, 1, 1, 1, 1, 2, 2, 2]));
        // A perfect score lies inside its own interval.
        let perfect = Aggregate {
            n: 1,
            ratios: 3,
            hits: vec![7, 3, 9],
            trials: vec![7, 3, 9],
            ..Aggregate::new(1, 3, 2)
        };
        let (lo, hi) = perfect.interval(0);
        assert!(lo < 1.0 && hi == 1.0, "{lo} {hi}");
    }
}
