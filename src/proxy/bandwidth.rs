//! The kernel bandwidth h of the density proxies, K(x, x′) = exp(−‖x − x′‖² / h²): the h at which the
//! median example gets as much kernel mass from the other examples as from itself (one effective
//! neighbour), estimated from a seeded sample.
//!
//! Why this rule: the density sums include the example itself (a term of 1). With h much wider, an
//! example's sum is the bulk of the data, `relative_density` is mostly minus the overall density and an
//! isolated image ranks as regular; much narrower, every sum is the example alone and they tie. A fixed
//! fraction of the mean distance (the rule before, half of it) lands on either side depending on the
//! dimension, the features and N (on MNIST pixels half the mean distance gave about 290 effective
//! neighbours at 10,000 examples and 1,700 at 60,000); this one does not depend on the scale or dimension
//! of the features, and narrows as N grows.

use super::distance::{row_norms, tensor, NeighbourOptions};
use crate::Result;
use candle_core::Tensor;
use rayon::prelude::*;

/// Kernel mass from the other examples that the median example gets at the chosen h (its own term is 1).
pub const EFFECTIVE_NEIGHBOURS: f64 = 1.0;
/// Bisection steps on log h (the bracket spans a factor of 2,000: the last step changes h by 1e-8).
const STEPS: usize = 30;

/// The bandwidth for `x` (N × D, f32): from a seeded sample of its rows ([`bandwidth_sample`]).
pub(super) fn bandwidth(x: &Tensor, opts: &NeighbourOptions) -> Result<f64> {
    let n = tensor(x.dim(0))?;
    let all = bandwidth_sample(n, opts);
    if all.len() < 2 {
        return Ok(1.0);
    }
    let idx = tensor(Tensor::from_slice(&all, all.len(), x.device()))?;
    bandwidth_of(&tensor(x.index_select(&idx, 0))?, n)
}

/// The seeded sample of `n` examples whose distances set the kernel bandwidth (empty below two).
pub(super) fn bandwidth_sample(n: usize, opts: &NeighbourOptions) -> Vec<u32> {
    let m = opts.bandwidth_sample.clamp(2, n.max(2)).min(n);
    if m < 2 {
        return Vec::new();
    }
    super::sample::seeded_sample(n, m, opts.seed)
}

/// Squared distances below this fraction of the two rows' squared norms count as 0: the rounding of
/// ‖a‖² + ‖b‖² − 2a·b in f32 leaves an image and its exact copy a little apart (up to about 1e-5 of the
/// norms at 12,288 dimensions), and a pair of copies must not count as a neighbour at a tiny h.
const SAME: f32 = 1e-4;

/// The h for a dataset of `n` examples of which `s` (m × D, f32) is a uniform sample: the root of
/// median over the sample of (n − 1)/(m − 1) · Σⱼ exp(−dᵢⱼ² / h²) = [`EFFECTIVE_NEIGHBOURS`], the sum over
/// the other sampled examples at a nonzero distance (exact duplicates would hold the sum up at every h),
/// found by bisection on log h between 0.001 and 2 mean pairwise distances (an end when the root lies
/// outside). 1 when every distance is zero. `-v` logs it.
pub(super) fn bandwidth_of(s: &Tensor, n: usize) -> Result<f64> {
    let m = tensor(s.dim(0))?;
    let started = std::time::Instant::now();
    let (h, how) = if m < 2 { (1.0, "fewer than two examples".into()) } else { search(s, m, n)? };
    tracing::debug!(
        target: "cscore::proxy",
        "kernel bandwidth h = {h:.4} ({how}; from {m} examples in {:?})",
        started.elapsed()
    );
    Ok(h)
}

/// The bisection of [`bandwidth_of`] on a sample of `m` ≥ 2 rows, with how it ended.
fn search(s: &Tensor, m: usize, n: usize) -> Result<(f64, String)> {
    let d2 = squared_distances(s)?;
    let pairs = (m * (m - 1) / 2) as f64;
    let mean: f64 = (0..m)
        .map(|a| d2[a * m + a + 1..(a + 1) * m].iter().map(|&v| f64::from(v).sqrt()).sum::<f64>())
        .sum::<f64>()
        / pairs;
    if !(mean > 0.0 && mean.is_finite()) {
        return Ok((1.0, "every distance is 0".into()));
    }
    let scale = (n.max(m) - 1) as f64 / (m - 1) as f64;
    let mass = |h: f64| median_mass(&d2, m, h) * scale;
    let (mut lo, mut hi) = ((1e-3 * mean).ln(), (2.0 * mean).ln());
    let of_mean = |h: f64| format!("{:.3} of the mean distance {mean:.4}", h / mean);
    if mass(hi.exp()) < EFFECTIVE_NEIGHBOURS {
        return Ok((hi.exp(), format!("{}: the widest tried", of_mean(hi.exp()))));
    }
    if mass(lo.exp()) >= EFFECTIVE_NEIGHBOURS {
        return Ok((lo.exp(), format!("{}: the narrowest tried", of_mean(lo.exp()))));
    }
    for _ in 0..STEPS {
        let mid = 0.5 * (lo + hi);
        if mass(mid.exp()) < EFFECTIVE_NEIGHBOURS {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let h = (0.5 * (lo + hi)).exp();
    Ok((h, of_mean(h)))
}

/// Squared Euclidean distances between the rows of `s` (m × m, row-major; 0 on the diagonal and between
/// rows closer than [`SAME`] of their norms).
fn squared_distances(s: &Tensor) -> Result<Vec<f32>> {
    let norms = row_norms(s)?;
    let gram: Vec<f32> = tensor(s.matmul(&tensor(s.t())?).and_then(|g| g.flatten_all()?.to_vec1()))?;
    let m = norms.len();
    Ok(gram
        .iter()
        .enumerate()
        .map(|(e, &dot)| {
            let (a, b) = (norms[e / m], norms[e % m]);
            let d2 = a + b - 2.0 * dot;
            if e / m == e % m || d2 <= SAME * (a + b) {
                0.0
            } else {
                d2
            }
        })
        .collect())
}

/// The median over rows of Σⱼ≠ᵢ, dᵢⱼ > 0 exp(−dᵢⱼ² / h²).
fn median_mass(d2: &[f32], m: usize, h: f64) -> f64 {
    let inv = 1.0 / (h * h);
    let mut sums: Vec<f64> = d2
        .par_chunks(m)
        .map(|row| row.iter().filter(|&&v| v > 0.0).map(|&v| (-f64::from(v) * inv).exp()).sum())
        .collect();
    let mid = m / 2;
    let (_, &mut upper, _) = sums.select_nth_unstable_by(mid, f64::total_cmp);
    if m % 2 == 1 {
        return upper;
    }
    let lower = sums[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    0.5 * (lower + upper)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn rows(v: &[[f32; 2]]) -> Tensor {
        Tensor::from_slice(&v.concat(), (v.len(), 2), &Device::Cpu).unwrap()
    }

    #[test]
    fn the_median_example_gets_one_effective_neighbour() {
        // Points on a line 1 apart: at the h found, the median of the rows' sums over the others is 1.
        let pts: Vec<[f32; 2]> = (0..9).map(|i| [i as f32, 0.0]).collect();
        let h = bandwidth_of(&rows(&pts), 9).unwrap();
        let sums: Vec<f64> = (0..9)
            .map(|i: i32| {
                (0..9).filter(|&j| j != i).map(|j| (-f64::from((i - j).pow(2)) / (h * h)).exp()).sum()
            })
            .collect();
        let mut sorted = sums.clone();
        sorted.sort_by(f64::total_cmp);
        assert!((sorted[4] - 1.0).abs() < 1e-6, "median mass {} at h {h}", sorted[4]);
    }

    #[test]
    fn a_larger_dataset_than_the_sample_narrows_the_kernel_and_scale_does_not_matter() {
        let pts: Vec<[f32; 2]> = (0..50).map(|i| [(i % 7) as f32 * 1.3, (i / 7) as f32 * 0.7]).collect();
        let h = bandwidth_of(&rows(&pts), 50).unwrap();
        // The sample stands for 10 times as many examples: the same mass is reached at a smaller h.
        assert!(bandwidth_of(&rows(&pts), 500).unwrap() < h);
        let scaled: Vec<[f32; 2]> = pts.iter().map(|p| [p[0] * 10.0, p[1] * 10.0]).collect();
        let h10 = bandwidth_of(&rows(&scaled), 50).unwrap();
        assert!((h10 / h - 10.0).abs() < 1e-4, "{h10} vs 10 × {h}");
    }

    #[test]
    fn duplicates_and_degenerate_samples_give_a_finite_bandwidth() {
        assert_eq!(bandwidth_of(&rows(&[[1.0, 1.0]; 5]), 5).unwrap(), 1.0);
        // Two points can never give one another a full term: the widest end of the bracket.
        let two = bandwidth_of(&rows(&[[0.0, 0.0], [3.0, 4.0]]), 2).unwrap();
        assert!((two - 10.0).abs() < 1e-9, "{two}");
        // Half the sample duplicated: the duplicates' zero distances do not hold the sum at 1.
        let mut pts: Vec<[f32; 2]> = (0..10).map(|i| [i as f32, 0.0]).collect();
        pts.extend((0..10).map(|i| [i as f32, 0.0]));
        let h = bandwidth_of(&rows(&pts), 20).unwrap();
        assert!(h.is_finite() && h > 0.01 && h < 20.0, "{h}");
    }

    #[test]
    fn copies_of_real_images_are_not_neighbours_at_any_h() {
        // Copies of MNIST digits 0 and 1 (pixels / 255, as the proxies read them): in f32,
        // ‖a‖² + ‖b‖² − 2a·b leaves two copies a little apart, which counted them as neighbours.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/mnist-10k");
        let data = crate::data::load(&root, &crate::data::LoadOptions::default()).unwrap();
        let img = |i: usize| -> Vec<f32> { data.image(i).iter().map(|&p| f32::from(p) / 255.0).collect() };
        let (a, b, d) = (img(0), img(1), data.example_len());
        let rows = |v: Vec<f32>, n: usize| Tensor::from_vec(v, (n, d), &Device::Cpu).unwrap();
        // Only copies of one image: every distance is 0.
        let same: Vec<f32> = (0..30).flat_map(|_| a.clone()).collect();
        assert_eq!(bandwidth_of(&rows(same, 30), 30).unwrap(), 1.0);
        // 20 copies of each: by the definition, each row's mass is 20 · exp(−d² / h²) from the other's.
        let d2: f64 = a.iter().zip(&b).map(|(x, y)| f64::from(x - y).powi(2)).sum();
        let two: Vec<f32> = (0..40).flat_map(|i| if i < 20 { a.clone() } else { b.clone() }).collect();
        let h = bandwidth_of(&rows(two, 40), 40).unwrap();
        let want = (d2 / 20f64.ln()).sqrt();
        assert!((h / want - 1.0).abs() < 1e-3, "h {h}, by the definition {want}");
    }
}
