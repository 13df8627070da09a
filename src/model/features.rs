//! The hidden representation of a trained model (its penultimate-layer activations) on every example,
//! the input of the `hidden_*` density proxies (computed here, where the networks are, so that the
//! estimate's runner and the pipeline can hand them on without importing `proxy`).

use super::{DeviceData, ModelError, Network};

/// Examples per forward pass.
const CHUNK: usize = 2048;

/// Row-major features of all N examples under one model (N × `dim`), kept as half-precision floats: they
/// wait in memory while the input-space proxies run (at 1.26 M examples × 256, 0.65 GB instead of 1.3),
/// and half precision (11 significant bits) is far finer than the kernel bandwidths they feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// N × dim values.
    pub values: Vec<half::f16>,
    /// Features per example.
    pub dim: usize,
}

/// The features of every example under each of the K models of `net`, model k first to last.
pub fn network_features(net: &dyn Network, data: &DeviceData) -> Result<Vec<Features>, ModelError> {
    let k = net.num_models();
    let n = data.len();
    let mut out: Vec<Features> = (0..k).map(|_| Features { values: Vec::new(), dim: 0 }).collect();
    for start in (0..n).step_by(CHUNK) {
        let end = (start + CHUNK).min(n);
        let idx: Vec<u32> = (0..k).flat_map(|_| start as u32..end as u32).collect();
        let (x, _) = data.gather(k, idx)?;
        let h = net.features(&x)?;
        let (_, _, dim) = h.dims3()?;
        let h: Vec<f32> = h.to_dtype(candle_core::DType::F32)?.flatten_all()?.to_vec1()?;
        let per_model = (end - start) * dim;
        for (m, f) in out.iter_mut().enumerate() {
            f.dim = dim;
            // All of it at once: growing by doubling would hold 1.5× the features (GBs at a million examples).
            f.values.reserve_exact((n * dim).saturating_sub(f.values.len()));
            f.values.extend(h[m * per_model..(m + 1) * per_model].iter().map(|&v| half::f16::from_f32(v)));
        }
    }
    Ok(out)
}
