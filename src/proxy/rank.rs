//! Rank correlations with ties handled exactly: Spearman's ρ (Pearson on average ranks) and Kendall's τ-b
//! (Knight's O(N log N) algorithm). Pairs where either value is NaN are left out.

/// Average ranks (1-based): tied values share the mean of the ranks they span. `x` must hold no NaN.
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    // (value, index) pairs sorted in place: the order within ties does not matter (they share a rank)
    let mut order: Vec<(f64, usize)> = x.iter().copied().zip(0..).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks = vec![0.0; x.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && order[end].0 == order[start].0 {
            end += 1;
        }
        // positions start..end hold ranks start+1 ..= end
        let rank = (start + end + 1) as f64 / 2.0;
        for &(_, i) in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

/// The pairs of `x` and `y` where both are finite.
pub fn finite_pairs(x: &[f64], y: &[f64]) -> (Vec<f64>, Vec<f64>) {
    x.iter().zip(y).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(&a, &b)| (a, b)).unzip()
}

/// Spearman's rank correlation with average ranks for ties; `None` with fewer than two finite pairs or
/// when either side is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    let (x, y) = finite_pairs(x, y);
    if x.len() < 2 {
        return None;
    }
    pearson(&average_ranks(&x), &average_ranks(&y))
}

/// Pearson correlation; `None` when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Kendall's τ-b, (n_c − n_d) / √((n₀ − n₁)(n₀ − n₂)), by Knight's algorithm; `None` with fewer than two
/// finite pairs or when either side is constant.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<f64> {
    let (x, y) = finite_pairs(x, y);
    let n = x.len();
    if n < 2 {
        return None;
    }
    // The pairs sorted by x, then y (pairs equal in both are interchangeable, so the sort need not be
    // stable), in place rather than through an index (a million pairs per comparison in `cscore eval`).
    let mut xy: Vec<(f64, f64)> = x.into_iter().zip(y).collect();
    xy.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let sorted: Vec<usize> = (0..n).collect();
    let n0 = pairs(n as u64);
    let n1 = tied_pairs(&sorted, |a, b| xy[a].0 == xy[b].0);
    let n3 = tied_pairs(&sorted, |a, b| xy[a] == xy[b]);
    // Inversions of y in x-order are the discordant pairs (ties in x are sorted by y, so never inverted).
    let mut ys: Vec<f64> = xy.iter().map(|p| p.1).collect();
    drop(xy);
    let mut buf = vec![0.0; n];
    let swaps = merge_count(&mut ys, &mut buf);
    let n2 = tied_pairs(&sorted, |a, b| ys[a] == ys[b]);
    let denom = ((n0 - n1) as f64 * (n0 - n2) as f64).sqrt();
    if denom == 0.0 {
        return None;
    }
    let num = n0 as f64 - n1 as f64 - n2 as f64 + n3 as f64 - 2.0 * swaps as f64;
    Some((num / denom).clamp(-1.0, 1.0))
}

fn pairs(t: u64) -> u64 {
    t * t.saturating_sub(1) / 2
}

/// Σ t(t−1)/2 over runs of consecutive equal elements of `order`.
fn tied_pairs(order: &[usize], same: impl Fn(usize, usize) -> bool) -> u64 {
    let mut total = 0;
    let mut run = 1u64;
    for w in order.windows(2) {
        if same(w[0], w[1]) {
            run += 1;
        } else {
            total += pairs(run);
            run = 1;
        }
    }
    total + pairs(run)
}

/// Sorts `v` ascending (stable merge sort) and returns the number of inversions (i < j, v[i] > v[j]).
fn merge_count(v: &mut [f64], buf: &mut [f64]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let mut count = {
        let (left, right) = v.split_at_mut(mid);
        let (bl, br) = buf.split_at_mut(mid);
        merge_count(left, bl) + merge_count(right, br)
    };
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if v[j] < v[i] {
            buf[k] = v[j];
            count += (mid - i) as u64;
            j += 1;
        } else {
            buf[k] = v[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
    k += mid - i;
    buf[k..k + n - j].copy_from_slice(&v[j..n]);
    v.copy_from_slice(&buf[..n]);
    count
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// τ-b by the O(N²) definition.
    fn naive_tau_b(x: &[f64], y: &[f64]) -> f64 {
        let (mut c, mut d, mut tx, mut ty) = (0f64, 0f64, 0f64, 0f64);
        for i in 0..x.len() {
            for j in i + 1..x.len() {
                let s = (x[i] - x[j]).signum() * (y[i] - y[j]).signum();
                if x[i] == x[j] && y[i] == y[j] {
                } else if x[i] == x[j] {
                    tx += 1.0;
                } else if y[i] == y[j] {
                    ty += 1.0;
                } else if s > 0.0 {
                    c += 1.0;
                } else {
                    d += 1.0;
                }
            }
        }
        (c - d) / ((c + d + tx) * (c + d + ty)).sqrt()
    }

    #[test]
    fn average_ranks_share_ties() {
        assert_eq!(average_ranks(&[10.0, 20.0, 10.0, 30.0, 20.0, 20.0]), vec![1.5, 4.0, 1.5, 6.0, 4.0, 4.0]);
    }

    #[test]
    fn spearman_by_hand_with_ties() {
        // x ranks 1,2.5,2.5,4; y ranks 1,2,3,4: ρ = Pearson = 0.9486832980505138
        let x = [1.0, 2.0, 2.0, 3.0];
        let y = [5.0, 6.0, 7.0, 8.0];
        assert!((spearman(&x, &y).unwrap() - 0.9486832980505138).abs() < 1e-12);
        assert!((spearman(&x, &[8.0, 7.0, 6.0, 5.0]).unwrap() + 0.9486832980505138).abs() < 1e-12);
        assert_eq!(spearman(&[1.0, 1.0], &[1.0, 2.0]), None);
        // NaN pairs are dropped
        let r = spearman(&[1.0, f64::NAN, 2.0, 3.0], &[1.0, 0.0, 2.0, 3.0]).unwrap();
        assert!((r - 1.0).abs() < 1e-12);
    }

    #[test]
    fn kendall_by_hand_with_ties() {
        // Points (1,1),(2,2),(2,3),(3,2): of the 6 pairs 3 are concordant, 1 discordant, 1 tied in x only
        // and 1 tied in y only, so τ-b = (3 − 1)/√((6 − 1)(6 − 1)) = 0.4
        let x = [1.0, 2.0, 2.0, 3.0];
        let y = [1.0, 2.0, 3.0, 2.0];
        assert!((kendall_tau_b(&x, &y).unwrap() - 0.4).abs() < 1e-12);
        assert!((kendall_tau_b(&x, &y).unwrap() - naive_tau_b(&x, &y)).abs() < 1e-12);
        assert_eq!(kendall_tau_b(&[3.0, 3.0, 3.0], &[1.0, 2.0, 3.0]), None);
    }

    #[test]
    fn kendall_matches_the_definition_on_many_ties() {
        // A deterministic pseudo-random sequence with heavy ties (values 0..4).
        let mut s = 12345u64;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 33) % 5) as f64
        };
        let x: Vec<f64> = (0..300).map(|_| next()).collect();
        let y: Vec<f64> = x.iter().map(|v| if next() < 2.0 { *v } else { next() }).collect();
        let fast = kendall_tau_b(&x, &y).unwrap();
        assert!((fast - naive_tau_b(&x, &y)).abs() < 1e-12, "{fast}");
        assert!(fast > 0.2);
    }
}
