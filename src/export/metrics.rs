//! Rank statistics with exact tie handling: AUROC (Mann–Whitney with midranks), average precision (as
//! scikit-learn computes it, one step per distinct score), Spearman's ρ (Pearson on midranks) and Kendall's
//! τ-b (Knight's O(n log n) algorithm, as SciPy computes it). Inputs must be free of NaN.

/// 1-based ranks of `values`, tied values sharing the mean of their ranks.
pub fn midranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks start+1 ..= end share their mean.
        let mean = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = mean;
        }
        start = end;
    }
    ranks
}

/// Area under the ROC curve of `scores` (higher = more likely positive): the probability that a random
/// positive scores above a random negative, ties counting one half. `None` without both classes.
pub fn auroc(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let n_pos = positive.iter().filter(|&&p| p).count();
    let n_neg = positive.len() - n_pos;
    if scores.len() != positive.len() || n_pos == 0 || n_neg == 0 {
        return None;
    }
    let ranks = midranks(scores);
    let rank_sum: f64 = ranks.iter().zip(positive).filter(|(_, &p)| p).map(|(r, _)| r).sum();
    let u = rank_sum - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Some(u / (n_pos as f64 * n_neg as f64))
}

/// Average precision of `scores` (higher = more likely positive): Σ over distinct score thresholds, from
/// the highest, of (recall gained) × (precision at that threshold). `None` without positives.
pub fn average_precision(scores: &[f64], positive: &[bool]) -> Option<f64> {
    let n_pos = positive.iter().filter(|&&p| p).count();
    if scores.len() != positive.len() || n_pos == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (mut tp, mut seen, mut ap) = (0usize, 0usize, 0.0);
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        let mut gained = 0;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            gained += usize::from(positive[order[end]]);
            end += 1;
        }
        tp += gained;
        seen += end - start;
        ap += (gained as f64 / n_pos as f64) * (tp as f64 / seen as f64);
        start = end;
    }
    Some(ap)
}

/// Pearson correlation; `None` for fewer than two pairs or a constant side.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 || y.len() != n {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Spearman's rank correlation ρ (Pearson correlation of midranks).
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    pearson(&midranks(x), &midranks(y))
}

/// Kendall's τ-b: (concordant − discordant) / √((n₀ − n₁)(n₀ − n₂)), where n₁ and n₂ count the pairs tied
/// in x and in y. `None` for fewer than two pairs or a constant side.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 || y.len() != n {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    let xs: Vec<f64> = order.iter().map(|&i| x[i]).collect();
    let mut ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
    let pairs = |run: usize| (run * run.saturating_sub(1) / 2) as f64;
    let (mut x_ties, mut joint_ties) = (0.0, 0.0);
    let (mut run_x, mut run_xy) = (1, 1);
    for i in 1..=n {
        let same_x = i < n && xs[i] == xs[i - 1];
        let same_xy = same_x && ys[i] == ys[i - 1];
        if same_x {
            run_x += 1;
        } else {
            x_ties += pairs(run_x);
            run_x = 1;
        }
        if same_xy {
            run_xy += 1;
        } else {
            joint_ties += pairs(run_xy);
            run_xy = 1;
        }
    }
    // Pairs ordered by x (ties in x ordered by y) whose y values are strictly inverted are discordant.
    let discordant = merge_count(&mut ys) as f64;
    let mut y_ties = 0.0;
    let mut run = 1;
    for i in 1..=n {
        if i < n && ys[i] == ys[i - 1] {
            run += 1;
        } else {
            y_ties += pairs(run);
            run = 1;
        }
    }
    let total = pairs(n);
    let (dx, dy) = (total - x_ties, total - y_ties);
    if dx <= 0.0 || dy <= 0.0 {
        return None;
    }
    let concordant_minus_discordant = total - x_ties - y_ties + joint_ties - 2.0 * discordant;
    Some((concordant_minus_discordant / dx.sqrt() / dy.sqrt()).clamp(-1.0, 1.0))
}

/// Sorts `v` ascending (merge sort) and returns the number of pairs i < j with v[i] > v[j].
fn merge_count(v: &mut [f64]) -> u64 {
    let n = v.len();
    let mut buf = v.to_vec();
    let mut swaps = 0u64;
    let mut width = 1;
    while width < n {
        for lo in (0..n).step_by(2 * width) {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j, mut k) = (lo, mid, lo);
            while i < mid && j < hi {
                if v[j] < v[i] {
                    swaps += (mid - i) as u64;
                    buf[k] = v[j];
                    j += 1;
                } else {
                    buf[k] = v[i];
                    i += 1;
                }
                k += 1;
            }
            buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
            let k = k + mid - i;
            buf[k..k + hi - j].copy_from_slice(&v[j..hi]);
        }
        v.copy_from_slice(&buf);
        width *= 2;
    }
    swaps
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
