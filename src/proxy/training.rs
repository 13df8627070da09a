//! Training-statistics proxies from the per-epoch statistics of tracked runs: learning speed, cumulative
//! accuracy, forgetting events, AUM, data-map confidence and variability, and EL2N.

use crate::model::EpochStats;

/// Names of the training-statistics proxies, in the order [`training_proxies`] returns them.
pub const TRAINING_PROXIES: [&str; 7] = [
    "learning_speed",
    "cumulative_accuracy",
    "forgetting_events",
    "aum",
    "datamap_confidence",
    "datamap_variability",
    "el2n",
];

/// The epoch (1-based) whose statistics give EL2N: early in training, a fifth of the way (epoch 2 of 10).
pub fn el2n_epoch(epochs: usize) -> usize {
    ((epochs as f64 / 5.0).round() as usize).clamp(1, epochs.max(1))
}

/// Every training-statistics proxy, each averaged over `runs` (the per-epoch statistics of each tracked
/// run, epochs in order, all over the `labels.len()` examples). Runs of another length are skipped; with
/// no usable run the result is empty.
pub fn training_proxies(
    runs: &[Vec<EpochStats>],
    labels: &[u32],
    num_classes: usize,
) -> Vec<(&'static str, Vec<f32>)> {
    let n = labels.len();
    let usable: Vec<&Vec<EpochStats>> = runs
        .iter()
        .filter(|r| {
            !r.is_empty()
                && r.iter().all(|e| e.given_prob.len() == n && e.predicted.len() == n && e.margin.len() == n)
        })
        .collect();
    if usable.is_empty() {
        return Vec::new();
    }
    let mut sums = vec![vec![0f64; n]; TRAINING_PROXIES.len()];
    for run in &usable {
        for (i, &y) in labels.iter().enumerate() {
            for (sum, v) in sums.iter_mut().zip(example_proxies(run, i, y, num_classes)) {
                sum[i] += v;
            }
        }
    }
    let r = usable.len() as f64;
    TRAINING_PROXIES
        .iter()
        .zip(sums)
        .map(|(&name, s)| (name, s.iter().map(|v| (v / r) as f32).collect()))
        .collect()
}

/// The seven proxies of example `i` (given label `y`) under one run.
fn example_proxies(run: &[EpochStats], i: usize, y: u32, num_classes: usize) -> [f64; 7] {
    let e = run.len() as f64;
    let (mut prob, mut prob2, mut correct, mut margin) = (0.0, 0.0, 0.0, 0.0);
    let (mut forgotten, mut ever_correct, mut was_correct) = (0.0, false, false);
    for epoch in run {
        let p = f64::from(epoch.given_prob[i]);
        prob += p;
        prob2 += p * p;
        margin += f64::from(epoch.margin[i]);
        let ok = epoch.predicted[i] == y;
        if ok {
            correct += 1.0;
        } else if was_correct {
            forgotten += 1.0;
        }
        ever_correct |= ok;
        was_correct = ok;
    }
    let mean = prob / e;
    let variability = (prob2 / e - mean * mean).max(0.0).sqrt();
    // Never learned: Toneva et al. count these as forgotten infinitely often; E exceeds any real count.
    let forgetting = if ever_correct { forgotten } else { e };
    let early = &run[el2n_epoch(run.len()) - 1];
    let el2n = el2n_from_stats(f64::from(early.given_prob[i]), f64::from(early.margin[i]), num_classes);
    [mean, correct / e, forgetting, margin / e, mean, variability, el2n]
}

/// ‖softmax − one-hot‖₂ from the given-label probability p and the margin m alone. The two largest error
/// terms are exact: (1 − p)² and q² for the largest other probability q = p·e^(−m); the remaining mass
/// r = 1 − p − q, spread over C − 2 classes, contributes at least r²/(C − 2) (equality when it is spread
/// evenly), so this is a lower bound that is exact for up to three classes.
pub fn el2n_from_stats(p: f64, margin: f64, num_classes: usize) -> f64 {
    let p = p.clamp(0.0, 1.0);
    let q = (p * (-margin).exp()).clamp(0.0, 1.0 - p);
    let r = (1.0 - p - q).max(0.0);
    let rest = if num_classes > 2 { r * r / (num_classes - 2) as f64 } else { 0.0 };
    ((1.0 - p).powi(2) + q * q + rest).sqrt()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn stats(epoch: u32, p: &[f32], pred: &[u32], m: &[f32]) -> EpochStats {
        EpochStats { epoch, given_prob: p.to_vec(), predicted: pred.to_vec(), margin: m.to_vec() }
    }

    #[test]
    fn proxies_by_hand() {
        // Two examples (labels 0 and 1), three epochs.
        let run = vec![
            stats(1, &[0.2, 0.9], &[1, 1], &[-1.0, 2.0]),
            stats(2, &[0.6, 0.3], &[0, 0], &[0.5, -0.5]),
            stats(3, &[0.4, 0.9], &[1, 1], &[-0.2, 3.0]),
        ];
        let out = training_proxies(&[run], &[0, 1], 3);
        let get = |name: &str| out.iter().find(|(n, _)| *n == name).unwrap().1.clone();
        let close = |a: f32, b: f64| (f64::from(a) - b).abs() < 1e-6;
        assert!(close(get("learning_speed")[0], 0.4) && close(get("learning_speed")[1], 0.7));
        assert!(close(get("cumulative_accuracy")[0], 1.0 / 3.0));
        assert!(close(get("cumulative_accuracy")[1], 2.0 / 3.0));
        // example 0: wrong, right, wrong → 1 forgetting; example 1: right, wrong, right → 1
        assert_eq!(get("forgetting_events"), vec![1.0, 1.0]);
        assert!(close(get("aum")[0], -0.7 / 3.0) && close(get("aum")[1], 1.5));
        assert_eq!(get("datamap_confidence"), get("learning_speed"));
        let var0 = ((0.04 + 0.36 + 0.16) / 3.0 - 0.16f64).sqrt();
        assert!(close(get("datamap_variability")[0], var0));
        // EL2N from epoch 1 (3 epochs → a fifth rounds to 1), three classes: exact
        let q = 0.2 * 1f64.exp();
        let expected = (0.64 + q * q + (0.8 - q).powi(2)).sqrt();
        assert!(close(get("el2n")[0], expected), "{} vs {expected}", get("el2n")[0]);
    }

    #[test]
    fn never_learned_counts_as_forgotten_every_epoch() {
        let run = vec![stats(1, &[0.1], &[1], &[-2.0]), stats(2, &[0.1], &[1], &[-2.0])];
        let out = training_proxies(&[run], &[0], 2);
        assert_eq!(out[2], ("forgetting_events", vec![2.0]));
    }

    #[test]
    fn averages_over_runs_and_skips_ragged_ones() {
        let a = vec![stats(1, &[0.2], &[0], &[1.0])];
        let b = vec![stats(1, &[0.6], &[0], &[1.0])];
        let ragged = vec![stats(1, &[0.6, 0.1], &[0, 0], &[1.0, 1.0])];
        let out = training_proxies(&[a, b, ragged], &[0], 10);
        assert!((out[0].1[0] - 0.4).abs() < 1e-6);
        assert!(training_proxies(&[], &[0], 10).is_empty());
    }

    #[test]
    fn el2n_bound_matches_the_full_softmax() {
        // logits (2, 1, 0, 0, 0), given label 1: the other probabilities after the largest are equal,
        // so the bound is exact.
        let z = [2.0f64, 1.0, 0.0, 0.0, 0.0];
        let s: f64 = z.iter().map(|v| v.exp()).sum();
        let probs: Vec<f64> = z.iter().map(|v| v.exp() / s).collect();
        let full: f64 =
            probs.iter().enumerate().map(|(j, p)| (p - f64::from(j == 1)).powi(2)).sum::<f64>().sqrt();
        assert!((el2n_from_stats(probs[1], -1.0, 5) - full).abs() < 1e-12);
        assert_eq!(el2n_epoch(10), 2);
        assert_eq!(el2n_epoch(1), 1);
    }
}
