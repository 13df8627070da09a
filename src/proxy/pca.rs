//! A linear map to a few dimensions that keeps most of the distances: the leading principal subspace of a
//! seeded sample, found by orthogonal (subspace) iteration V ← orth(Xᵀ X V) with Candle matmuls, so no
//! D × D covariance is formed and any input width works.

use super::distance::{row_norms, tensor};
use crate::Result;
use candle_core::{DType, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// x ↦ (x − mean)·basis.
#[derive(Debug, Clone)]
pub(super) struct Projection {
    mean: Tensor,
    /// D × d with orthonormal columns; `None` when d ≥ D (only centred).
    basis: Option<Tensor>,
}

impl Projection {
    /// Fits `dims` directions to the f32 `sample` (S × D) in `iterations` rounds, starting from `seed`.
    pub fn fit(sample: &Tensor, dims: usize, iterations: usize, seed: u64) -> Result<Self> {
        let (s, d) = tensor(sample.dims2())?;
        let mean = tensor(sample.mean_keepdim(0))?;
        if dims >= d || s == 0 {
            return Ok(Projection { mean, basis: None });
        }
        let centred = tensor(sample.broadcast_sub(&mean))?;
        let ct = tensor(centred.t())?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9CA_5EED);
        let mut v: Vec<f32> = (0..d * dims).map(|_| StandardNormal.sample(&mut rng)).collect();
        orthonormalise(&mut v, d, dims);
        for _ in 0..iterations {
            let vt = tensor(Tensor::from_slice(&v, (d, dims), sample.device()))?;
            let next = tensor(centred.matmul(&vt).and_then(|y| ct.matmul(&y)))?;
            v = tensor(next.flatten_all().and_then(|t| t.to_vec1()))?;
            orthonormalise(&mut v, d, dims);
        }
        let basis = tensor(Tensor::from_vec(v, (d, dims), sample.device()))?;
        Ok(Projection { mean, basis: Some(basis) })
    }

    /// Output width.
    pub fn dims(&self) -> usize {
        match &self.basis {
            Some(b) => b.dims().get(1).copied().unwrap_or(0),
            None => self.mean.dims().get(1).copied().unwrap_or(0),
        }
    }

    /// The projected rows of `x` (B × D, f32), as a B × d f32 tensor, with each row's squared distance from
    /// the subspace: ‖x − mean‖² minus the projection's squared norm (0 when nothing is dropped), so that
    /// ‖a − b‖² ≈ ‖pa − pb‖² + ra + rb for two rows whose residuals are about orthogonal.
    pub fn apply_with_residual(&self, x: &Tensor) -> Result<(Tensor, Vec<f32>)> {
        let c = tensor(x.to_dtype(DType::F32).and_then(|x| x.broadcast_sub(&self.mean)))?;
        let Some(b) = &self.basis else {
            let zeros = vec![0.0; tensor(c.dim(0))?];
            return Ok((c, zeros));
        };
        let y = tensor(c.matmul(b))?;
        let (full, kept) = (row_norms(&c)?, row_norms(&y)?);
        Ok((y, full.iter().zip(&kept).map(|(f, k)| (f - k).max(0.0)).collect()))
    }
}

/// Modified Gram–Schmidt on the `cols` columns of the row-major `rows` × `cols` matrix `v`, in f64; a
/// column that is (numerically) dependent on the earlier ones becomes zero.
fn orthonormalise(v: &mut [f32], rows: usize, cols: usize) {
    let mut m: Vec<Vec<f64>> =
        (0..cols).map(|c| (0..rows).map(|r| f64::from(v[r * cols + c])).collect()).collect();
    for c in 0..cols {
        let (done, rest) = m.split_at_mut(c);
        let col = &mut rest[0];
        for q in done.iter() {
            let p: f64 = q.iter().zip(col.iter()).map(|(a, b)| a * b).sum();
            col.iter_mut().zip(q).for_each(|(x, a)| *x -= p * a);
        }
        let norm = col.iter().map(|x| x * x).sum::<f64>().sqrt();
        let scale = if norm > 1e-9 { 1.0 / norm } else { 0.0 };
        col.iter_mut().for_each(|x| *x *= scale);
    }
    for (c, col) in m.iter().enumerate() {
        for (r, &x) in col.iter().enumerate() {
            v[r * cols + c] = x as f32;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Projection;
    use candle_core::{Device, Tensor};

    #[test]
    fn finds_the_plane_the_points_lie_in() {
        // Points on a plane spanned by (1,1,0,0) and (0,0,1,−1), offset by (5,5,5,5): projecting to 2
        // dimensions keeps every pairwise distance.
        let pts: Vec<f32> = (0..50)
            .flat_map(|i| {
                let (a, b) = ((i % 7) as f32, (i / 7) as f32 * 0.5);
                [5.0 + a, 5.0 + a, 5.0 + b, 5.0 - b]
            })
            .collect();
        let x = Tensor::from_vec(pts.clone(), (50, 4), &Device::Cpu).unwrap();
        let p = Projection::fit(&x, 2, 8, 1).unwrap();
        assert_eq!(p.dims(), 2);
        let (y, residual) = p.apply_with_residual(&x).unwrap();
        let y: Vec<Vec<f32>> = y.to_vec2().unwrap();
        assert!(residual.iter().all(|&r| r < 1e-3), "the plane holds every point: {residual:?}");
        let one = Projection::fit(&x, 1, 8, 1).unwrap();
        let (y1, r1) = one.apply_with_residual(&x).unwrap();
        let y1: Vec<Vec<f32>> = y1.to_vec2().unwrap();
        let mean: Vec<f32> = (0..4).map(|t| (0..50).map(|i| pts[i * 4 + t]).sum::<f32>() / 50.0).collect();
        for i in 0..50 {
            let centred: f32 = (0..4).map(|t| (pts[i * 4 + t] - mean[t]).powi(2)).sum();
            assert!((r1[i] + y1[i][0].powi(2) - centred).abs() < 1e-3 * (1.0 + centred), "{i}");
        }
        let d = |u: &[f32], v: &[f32]| u.iter().zip(v).map(|(a, b)| (a - b).powi(2)).sum::<f32>();
        for i in 0..50 {
            for j in 0..50 {
                let full = d(&pts[i * 4..i * 4 + 4], &pts[j * 4..j * 4 + 4]);
                assert!((d(&y[i], &y[j]) - full).abs() < 1e-3 * (1.0 + full), "{i} {j}");
            }
        }
    }
}
