//! Seeded samples without replacement, by partial Fisher–Yates: the bandwidth sample, the projection's
//! and the index's training samples, the reference sample's classes.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Moves a uniform sample of `m` of `items` (without replacement) to its front, drawing from `rng`.
pub(super) fn partial_shuffle(items: &mut [u32], m: usize, rng: &mut impl Rng) {
    let n = items.len();
    for i in 0..m.min(n) {
        let j = rng.random_range(i..n);
        items.swap(i, j);
    }
}

/// `m` of the indices `0..n` drawn without replacement from a ChaCha8 stream seeded with `seed`, in the
/// order drawn.
pub(super) fn seeded_sample(n: usize, m: usize, seed: u64) -> Vec<u32> {
    let mut all: Vec<u32> = (0..n as u32).collect();
    partial_shuffle(&mut all, m, &mut ChaCha8Rng::seed_from_u64(seed));
    all.truncate(m.min(n));
    all
}
