//! The optimiser every Candle network here shares: heavy-ball momentum SGD with weight decay (Candle's
//! `SGD` has no momentum).

use super::{ModelError, TrainConfig};
use candle_core::Tensor;

/// v ← μ·v + g (+ wd·w); w ← w − lr·v.
pub(super) fn momentum_update(
    w: &Tensor,
    v: &Tensor,
    g: &Tensor,
    cfg: &TrainConfig,
    decay: bool,
) -> Result<(Tensor, Tensor), ModelError> {
    let g = if decay && cfg.weight_decay > 0.0 { (g + w.affine(cfg.weight_decay, 0.0)?)? } else { g.clone() };
    let v = (v.affine(cfg.momentum, 0.0)? + g)?;
    let w = (w - v.affine(cfg.lr, 0.0)?)?;
    Ok((w, v))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use candle_core::Device;

    /// Heavy-ball momentum on one weight by hand: v ← μv + g; w ← w − lr·v.
    #[test]
    fn momentum_rule() {
        let cfg = TrainConfig { lr: 0.5, momentum: 0.9, ..TrainConfig::default() };
        let w = Tensor::new(&[1.0f32], &Device::Cpu).unwrap();
        let v = Tensor::new(&[2.0f32], &Device::Cpu).unwrap();
        let g = Tensor::new(&[0.2f32], &Device::Cpu).unwrap();
        let (w, v) = momentum_update(&w, &v, &g, &cfg, true).unwrap();
        assert!((v.to_vec1::<f32>().unwrap()[0] - 2.0).abs() < 1e-6);
        assert!((w.to_vec1::<f32>().unwrap()[0] - 0.0).abs() < 1e-6);
    }
}
