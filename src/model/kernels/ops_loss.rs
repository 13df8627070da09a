//! Softmax cross-entropy in two small passes over the logits: the summed loss, then the logits turned
//! in place into the loss gradient.

use super::params::{slice, slice_mut};
use candle_core::{bail, CpuStorage, CustomOp2, InplaceOp2, Layout, Result, Shape};

/// log Σ exp(z) of one row, computed from its maximum.
fn log_sum_exp(z: &[f32]) -> f32 {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    max + z.iter().map(|&v| (v - max).exp()).sum::<f32>().ln()
}

/// Σ over rows of −Σ_c y_c·log softmax(z)_c for logits z and targets y (K, B, C): each model's summed
/// cross-entropy, shape (K,).
pub struct CrossEntropySum;

impl CustomOp2 for CrossEntropySum {
    fn name(&self) -> &'static str {
        "cross-entropy-sum"
    }

    fn cpu_fwd(
        &self,
        sz: &CpuStorage,
        lz: &Layout,
        sy: &CpuStorage,
        ly: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (k, b, c) = lz.shape().dims3()?;
        if ly.shape() != lz.shape() || c == 0 {
            bail!("{}: logits {:?} and targets {:?} differ", self.name(), lz.shape(), ly.shape());
        }
        let (z, y) = (slice(sz, lz, self.name())?, slice(sy, ly, self.name())?);
        let mut loss = vec![0f32; k];
        for (m, l) in loss.iter_mut().enumerate() {
            let mut sum = 0f64;
            for i in m * b..(m + 1) * b {
                let (zr, yr) = (&z[i * c..(i + 1) * c], &y[i * c..(i + 1) * c]);
                let lse = log_sum_exp(zr);
                sum += zr.iter().zip(yr).map(|(&zc, &yc)| f64::from(yc * (lse - zc))).sum::<f64>();
            }
            *l = sum as f32;
        }
        Ok((CpuStorage::F32(loss), Shape::from(k)))
    }
}

/// In place on the logits z (K, B, C): z ← (softmax(z) − y)·scale, the gradient of the mean
/// cross-entropy when scale = 1/B.
pub struct SoftmaxGrad {
    /// Factor applied to the gradient (1 / batch size).
    pub scale: f32,
}

impl InplaceOp2 for SoftmaxGrad {
    fn name(&self) -> &'static str {
        "softmax-grad"
    }

    fn cpu_fwd(&self, sz: &mut CpuStorage, lz: &Layout, sy: &CpuStorage, ly: &Layout) -> Result<()> {
        let (_, _, c) = lz.shape().dims3()?;
        if ly.shape() != lz.shape() || c == 0 {
            bail!("{}: logits {:?} and targets {:?} differ", self.name(), lz.shape(), ly.shape());
        }
        let y = slice(sy, ly, self.name())?;
        let z = slice_mut(sz, lz, self.name())?;
        for (zr, yr) in z.chunks_exact_mut(c).zip(y.chunks_exact(c)) {
            let lse = log_sum_exp(zr);
            for (zc, &yc) in zr.iter_mut().zip(yr) {
                *zc = ((*zc - lse).exp() - yc) * self.scale;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor, D};

    #[test]
    fn loss_and_gradient_match_candle_ops() {
        let z = Tensor::new(&[[[1.0f32, 2.0, 0.5], [-1.0, 0.0, 3.0]]], &Device::Cpu).unwrap();
        let y = Tensor::new(&[[[0.0f32, 1.0, 0.0], [1.0, 0.0, 0.0]]], &Device::Cpu).unwrap();
        let logp = candle_nn::ops::log_softmax(&z, D::Minus1).unwrap();
        let want: f32 = (&logp * &y).unwrap().sum_all().unwrap().neg().unwrap().to_scalar().unwrap();
        let got: Vec<f32> = z.apply_op2_no_bwd(&y, &CrossEntropySum).unwrap().to_vec1().unwrap();
        assert!((got[0] - want).abs() < 1e-5, "{got:?} vs {want}");
        let want: Vec<f32> =
            ((logp.exp().unwrap() - &y).unwrap() * 0.5).unwrap().flatten_all().unwrap().to_vec1().unwrap();
        z.inplace_op2(&y, &SoftmaxGrad { scale: 0.5 }).unwrap();
        let got: Vec<f32> = z.flatten_all().unwrap().to_vec1().unwrap();
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-6);
        }
    }
}
