//! A batched multilayer perceptron with a hand-written backward pass and heavy-ball momentum SGD.
//!
//! Weights carry a leading model dimension: layer l holds W (K, in, out) and b (K, 1, out), so one
//! batched matmul per layer trains K models at once. On the CPU the first layer skips zero inputs and
//! updates run in place (see [`super::sparse`]); elsewhere plain Candle ops do the same arithmetic.

use super::init::{he_normal, init_rng};
use super::network::Network;
use super::sparse::{Accumulate, AddDecay, Descend, SparseLinearRelu, SparseMomentumGrad};
use super::{ModelError, TrainConfig};
use candle_core::{DType, Device, Tensor, D};

struct Layer {
    w: Tensor,
    b: Tensor,
    vw: Tensor,
    vb: Tensor,
}

/// K MLPs of identical shape: input → hidden… → classes, ReLU between layers.
pub struct BatchedMlp {
    layers: Vec<Layer>,
    k: usize,
    cpu_kernels: bool,
}

impl BatchedMlp {
    /// He-normal weights and zero biases, model k from `seeds[k]`.
    pub fn new(
        input: usize,
        hidden: &[usize],
        classes: usize,
        seeds: &[u64],
        device: &Device,
    ) -> Result<Self, ModelError> {
        let k = seeds.len();
        let mut widths = vec![input];
        widths.extend_from_slice(hidden);
        widths.push(classes);
        let mut rngs: Vec<_> = seeds.iter().map(|&s| init_rng(s)).collect();
        let mut layers = Vec::with_capacity(widths.len() - 1);
        for pair in widths.windows(2) {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let mut w = Vec::with_capacity(k * fan_in * fan_out);
            for rng in rngs.iter_mut() {
                w.extend(he_normal(rng, fan_in, fan_in * fan_out));
            }
            let w = Tensor::from_vec(w, (k, fan_in, fan_out), device)?;
            let b = Tensor::zeros((k, 1, fan_out), DType::F32, device)?;
            layers.push(Layer { vw: w.zeros_like()?, vb: b.zeros_like()?, w, b });
        }
        Ok(BatchedMlp {
            layers,
            k,
            cpu_kernels: device.is_cpu() && std::env::var_os("CSCORE_DENSE").is_none(),
        })
    }

    /// Forward pass keeping every layer's input (for the backward pass); returns (inputs, logits).
    fn forward(&self, x: &Tensor) -> Result<(Vec<Tensor>, Tensor), ModelError> {
        let mut inputs = vec![x.clone()];
        let last = self.layers.len() - 1;
        for (i, l) in self.layers.iter().enumerate() {
            let a = &inputs[i];
            if i == 0 && i != last && self.cpu_kernels {
                let a = a.contiguous()?.apply_op3_no_bwd(&l.w, &l.b, &SparseLinearRelu)?;
                inputs.push(a);
                continue;
            }
            let z = a.matmul(&l.w)?.broadcast_add(&l.b)?;
            if i == last {
                return Ok((inputs, z));
            }
            inputs.push(z.relu()?);
        }
        Err(ModelError::Spec("an MLP needs at least one layer".into()))
    }

    /// Applies the gradient (dw, db) of layer `i`; `first` with sparse inputs `x` takes the fused path.
    fn update(&mut self, i: usize, grad: &Tensor, x: &Tensor, cfg: &TrainConfig) -> Result<(), ModelError> {
        let db = grad.sum_keepdim(1)?;
        let l = &mut self.layers[i];
        if !self.cpu_kernels {
            let dw = x.transpose(1, 2)?.matmul(grad)?;
            let (w, vw) = momentum_update(&l.w, &l.vw, &dw, cfg, true)?;
            let (b, vb) = momentum_update(&l.b, &l.vb, &db, cfg, false)?;
            *l = Layer { w, b, vw, vb };
            return Ok(());
        }
        let (momentum, lr) = (cfg.momentum as f32, cfg.lr as f32);
        if i == 0 {
            l.vw.inplace_op3(&x.contiguous()?, &grad.contiguous()?, &SparseMomentumGrad { momentum })?;
        } else {
            let dw = x.transpose(1, 2)?.matmul(grad)?;
            l.vw.inplace_op2(&dw, &Accumulate { momentum })?;
        }
        if cfg.weight_decay > 0.0 {
            l.vw.inplace_op2(&l.w, &AddDecay { weight_decay: cfg.weight_decay as f32 })?;
        }
        l.w.inplace_op2(&l.vw, &Descend { lr })?;
        l.vb.inplace_op2(&db, &Accumulate { momentum })?;
        l.b.inplace_op2(&l.vb, &Descend { lr })?;
        Ok(())
    }
}

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

impl Network for BatchedMlp {
    fn num_models(&self) -> usize {
        self.k
    }

    fn logits(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        Ok(self.forward(x)?.1)
    }

    fn features(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        let mut inputs = self.forward(x)?.0;
        inputs.pop().ok_or_else(|| ModelError::Spec("an MLP needs at least one layer".into()))
    }

    fn train_step(&mut self, x: &Tensor, onehot: &Tensor, cfg: &TrainConfig) -> Result<Tensor, ModelError> {
        let batch = x.dim(1)? as f64;
        let (inputs, logits) = self.forward(x)?;
        let logp = candle_nn::ops::log_softmax(&logits, D::Minus1)?;
        let loss = (&logp * onehot)?.sum(D::Minus1)?.sum(D::Minus1)?.neg()?;
        // d(mean cross-entropy)/d(logits) = (softmax − one-hot) / B
        let mut grad = ((logp.exp()? - onehot)? * (1.0 / batch))?;
        for i in (0..self.layers.len()).rev() {
            let a = &inputs[i];
            // The next gradient uses this layer's weights before they are updated.
            let next = if i > 0 {
                let da = grad.matmul(&self.layers[i].w.transpose(1, 2)?)?;
                let mask = a.gt(0f32)?.to_dtype(DType::F32)?;
                Some((da * mask)?)
            } else {
                None
            };
            self.update(i, &grad, a, cfg)?;
            if let Some(g) = next {
                grad = g;
            }
        }
        Ok(loss)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Sparse-ish inputs (half zeros), two models, a few steps: the CPU kernels and plain Candle ops agree.
    #[test]
    fn cpu_kernels_match_plain_ops() {
        let (k, b, d) = (2, 16, 30);
        let x: Vec<f32> =
            (0..k * b * d).map(|i| if i % 2 == 0 { 0.0 } else { ((i * 37) % 101) as f32 / 101.0 }).collect();
        let x = Tensor::from_vec(x, (k, b, d), &Device::Cpu).unwrap();
        let y: Vec<f32> =
            (0..k * b).flat_map(|i| (0..4).map(move |c| f32::from(u8::from(c == i % 4)))).collect();
        let y = Tensor::from_vec(y, (k, b, 4), &Device::Cpu).unwrap();
        let cfg = TrainConfig { weight_decay: 0.01, ..TrainConfig::default() };
        let mut fast = BatchedMlp::new(d, &[12, 8], 4, &[1, 2], &Device::Cpu).unwrap();
        let mut plain = BatchedMlp::new(d, &[12, 8], 4, &[1, 2], &Device::Cpu).unwrap();
        plain.cpu_kernels = false;
        assert!(fast.cpu_kernels);
        for _ in 0..5 {
            let a: Vec<f32> = fast.train_step(&x, &y, &cfg).unwrap().to_vec1().unwrap();
            let b: Vec<f32> = plain.train_step(&x, &y, &cfg).unwrap().to_vec1().unwrap();
            for (p, q) in a.iter().zip(&b) {
                assert!((p - q).abs() < 1e-4 * q.abs().max(1.0), "{a:?} vs {b:?}");
            }
        }
        let lf: Vec<f32> = fast.logits(&x).unwrap().flatten_all().unwrap().to_vec1().unwrap();
        let lp: Vec<f32> = plain.logits(&x).unwrap().flatten_all().unwrap().to_vec1().unwrap();
        for (p, q) in lf.iter().zip(&lp) {
            assert!((p - q).abs() < 1e-4 * q.abs().max(1.0));
        }
    }

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
