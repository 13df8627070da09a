//! He-normal initialisation drawn on the host from a run's seed, so weights are identical on every device.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// Draws `fan_in × fan_out` weights from N(0, 2 / fan_in) (He et al., 2015) with a seeded stream.
pub fn he_normal(rng: &mut ChaCha8Rng, fan_in: usize, count: usize) -> Vec<f32> {
    let std = (2.0 / fan_in.max(1) as f64).sqrt();
    match Normal::new(0.0, std) {
        Ok(dist) => (0..count).map(|_| dist.sample(rng) as f32).collect(),
        Err(_) => vec![0.0; count],
    }
}

/// The random stream that initialises a model with this seed.
pub fn init_rng(seed: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    rng
}
