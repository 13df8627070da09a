//! Pairwise-distance proxies from one pass over all pairs: the kernel-density family, k-NN label agreement
//! and the local outlier factor.

use super::distance::NeighbourStats;

/// The density family, in order: `relative_density` (1/N) Σᵢ 2(1[y = yᵢ] − ½) K(xᵢ, x), `class_density`
/// (1/N) Σᵢ 1[y = yᵢ] K(xᵢ, x) and `density` (1/N) Σᵢ K(xᵢ, x). The sums run over all N examples, the
/// example itself included (a constant 1/N that changes no ranking).
pub fn density_family(stats: &NeighbourStats) -> [(&'static str, Vec<f32>); 3] {
    let n = stats.kernel_sum.len().max(1) as f64;
    let both = stats.kernel_sum.iter().zip(&stats.same_class_kernel_sum);
    [
        ("relative_density", both.clone().map(|(t, s)| ((2.0 * s - t) / n) as f32).collect()),
        ("class_density", both.map(|(_, s)| (s / n) as f32).collect()),
        ("density", stats.kernel_sum.iter().map(|t| (t / n) as f32).collect()),
    ]
}

/// Fraction of the k nearest neighbours (itself excluded) that share the example's label; NaN without
/// neighbours.
pub fn knn_agreement(stats: &NeighbourStats, labels: &[u32]) -> Vec<f32> {
    let k = stats.k;
    labels
        .iter()
        .enumerate()
        .map(|(i, &y)| {
            if k == 0 {
                return f32::NAN;
            }
            let same =
                stats.neighbours[i * k..(i + 1) * k].iter().filter(|&&j| labels[j as usize] == y).count();
            same as f32 / k as f32
        })
        .collect()
}

/// Local outlier factor (Breunig et al., 2000) with MinPts = k: the mean local reachability density of
/// an example's k nearest neighbours over its own. About 1 inside a cluster, well above 1 for an outlier;
/// NaN without neighbours.
pub fn local_outlier_factor(stats: &NeighbourStats) -> Vec<f32> {
    let k = stats.k;
    let n = stats.kernel_sum.len();
    if k == 0 {
        return vec![f32::NAN; n];
    }
    let kdist: Vec<f64> = (0..n).map(|i| f64::from(stats.neighbour_dist[(i + 1) * k - 1])).collect();
    // Duplicates make every reachability distance zero; the small floor keeps densities finite.
    let lrd: Vec<f64> = (0..n)
        .map(|i| {
            let reach: f64 = (0..k)
                .map(|t| {
                    let j = stats.neighbours[i * k + t] as usize;
                    kdist[j].max(f64::from(stats.neighbour_dist[i * k + t]))
                })
                .sum();
            1.0 / (reach / k as f64 + 1e-10)
        })
        .collect();
    (0..n)
        .map(|i| {
            let mean: f64 =
                stats.neighbours[i * k..(i + 1) * k].iter().map(|&j| lrd[j as usize]).sum::<f64>() / k as f64;
            (mean / lrd[i]) as f32
        })
        .collect()
}
