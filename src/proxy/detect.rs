//! How well a score finds known-bad examples: AUROC and average precision, with ties handled exactly.

use super::higher_is_regular;
use super::rank::average_ranks;

/// The score turned into suspicion (higher = more likely irregular) by the orientation of `name`;
/// missing values (NaN) become the least suspicious of all.
pub fn suspicion(name: &str, scores: &[f64]) -> Vec<f64> {
    let sign = if higher_is_regular(name) { -1.0 } else { 1.0 };
    scores.iter().map(|&s| if s.is_nan() { f64::NEG_INFINITY } else { sign * s }).collect()
}

/// Area under the ROC curve of `suspicion` for finding the `positive` examples: the probability that a
/// random positive scores above a random negative, ties counting one half. `None` without both classes.
pub fn auroc(suspicion: &[f64], positive: &[bool]) -> Option<f64> {
    let p = positive.iter().filter(|&&b| b).count();
    let n = positive.len() - p;
    if p == 0 || n == 0 || suspicion.len() != positive.len() {
        return None;
    }
    let ranks = average_ranks(suspicion);
    let rank_sum: f64 = ranks.iter().zip(positive).filter(|(_, &b)| b).map(|(r, _)| r).sum();
    let (p, n) = (p as f64, n as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// Average precision of `suspicion` for the `positive` examples: Σ over distinct thresholds of
/// (recall gained) × precision, tied scores entering together. `None` without any positive.
pub fn average_precision(suspicion: &[f64], positive: &[bool]) -> Option<f64> {
    let total = positive.iter().filter(|&&b| b).count();
    if total == 0 || suspicion.len() != positive.len() {
        return None;
    }
    let mut order: Vec<usize> = (0..suspicion.len()).collect();
    order.sort_by(|&a, &b| suspicion[b].total_cmp(&suspicion[a]));
    let (mut tp, mut seen, mut ap) = (0usize, 0usize, 0.0);
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && suspicion[order[end]] == suspicion[order[start]] {
            end += 1;
        }
        let gained = order[start..end].iter().filter(|&&i| positive[i]).count();
        tp += gained;
        seen += end - start;
        ap += gained as f64 / total as f64 * (tp as f64 / seen as f64);
        start = end;
    }
    Some(ap)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn auroc_by_hand() {
        // positives score 0.9 and 0.4; negatives 0.8, 0.4, 0.1: wins 1 + 1 + 1 + 0.5 + 1 over 6 pairs
        let s = [0.9, 0.8, 0.4, 0.4, 0.1];
        let pos = [true, false, true, false, false];
        assert!((auroc(&s, &pos).unwrap() - 4.5 / 6.0).abs() < 1e-12);
        assert_eq!(auroc(&s, &[false; 5]), None);
    }

    #[test]
    fn average_precision_by_hand() {
        // order 0.9(+) 0.8(−) {0.4(+), 0.4(−)} 0.1(−): AP = ½·1 + ½·(2/4)
        let s = [0.9, 0.8, 0.4, 0.4, 0.1];
        let pos = [true, false, true, false, false];
        assert!((average_precision(&s, &pos).unwrap() - 0.75).abs() < 1e-12);
        // a perfect ranking has AP 1
        assert!((average_precision(&[3.0, 2.0, 1.0], &[true, true, false]).unwrap() - 1.0).abs() < 1e-12);
        // all tied: AP is the base rate
        assert!((average_precision(&[1.0; 4], &[true, false, false, false]).unwrap() - 0.25).abs() < 1e-12);
    }

    #[test]
    fn orientation_and_missing_values() {
        // C-score: low means suspicious; NaN is least suspicious.
        let s = suspicion("cscore", &[0.1, 0.9, f64::NAN]);
        assert_eq!(s[..2], [-0.1, -0.9]);
        assert_eq!(s[2], f64::NEG_INFINITY);
        assert_eq!(suspicion("forgetting_events", &[3.0]), vec![3.0]);
    }
}
