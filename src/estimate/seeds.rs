//! Everything random about a run derives from (seed, subset ratio, run index) alone.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// SplitMix64 finaliser: a well-mixed 64-bit hash step.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of holdout run `run_index` at `subset_ratio` (independent of which other ratios are planned).
pub fn run_seed(seed: u64, subset_ratio: f64, run_index: u32) -> u64 {
    mix(mix(mix(seed) ^ subset_ratio.to_bits()) ^ u64::from(run_index))
}

/// The seed of full-data proxy run `run_index`.
pub fn proxy_seed(seed: u64, run_index: u32) -> u64 {
    mix(mix(mix(seed) ^ 0x5052_4F58_5952_554E) ^ u64::from(run_index))
}

/// The training subset of a run: floor(ratio·n) distinct indices drawn uniformly without replacement
/// (partial Fisher–Yates on the run's own stream), returned in ascending order.
pub fn subset(run_seed: u64, n: usize, subset_ratio: f64) -> Vec<u32> {
    let size = subset_size(n, subset_ratio);
    let mut rng = ChaCha8Rng::seed_from_u64(run_seed);
    let mut all: Vec<u32> = (0..n as u32).collect();
    for i in 0..size {
        let j = rng.random_range(i..n);
        all.swap(i, j);
    }
    all.truncate(size);
    all.sort_unstable();
    all
}

/// floor(ratio·n), robust to the ratio's binary representation (0.3·10 is 3, not 2).
pub fn subset_size(n: usize, subset_ratio: f64) -> usize {
    ((subset_ratio * n as f64) + 1e-9).floor().clamp(0.0, n as f64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_are_deterministic_and_sized() {
        let a = subset(run_seed(7, 0.3, 2), 1000, 0.3);
        let b = subset(run_seed(7, 0.3, 2), 1000, 0.3);
        assert_eq!(a, b);
        assert_eq!(a.len(), 300);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert_ne!(a, subset(run_seed(7, 0.3, 3), 1000, 0.3));
        assert_eq!(subset_size(10, 0.3), 3);
        assert_eq!(subset_size(10, 0.7), 7);
    }

    #[test]
    fn subsets_are_uniform() {
        // Each index should be drawn about ratio·runs times.
        let n = 50;
        let mut counts = vec![0u32; n];
        for r in 0..2000 {
            for i in subset(run_seed(1, 0.5, r), n, 0.5) {
                counts[i as usize] += 1;
            }
        }
        assert!(counts.iter().all(|&c| (900..1100).contains(&c)), "{counts:?}");
    }
}
