//! A batched multilayer perceptron with a hand-written backward pass and heavy-ball momentum SGD, in
//! plain Candle ops: what GPUs run (and the CPU with `CSCORE_DENSE=1`, for comparison with
//! [`super::mlp_cpu::CpuMlp`], which computes the same with fused CPU kernels).
//!
//! Weights carry a leading model dimension: layer l holds W (K, in, out) and b (K, 1, out), so one
//! batched matmul per layer trains K models at once.

use super::init::{he_normal, init_rng};
use super::network::Network;
use super::optim::momentum_update;
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
        Ok(BatchedMlp { layers, k })
    }

    /// Forward pass keeping every layer's input (for the backward pass); returns (inputs, logits).
    fn forward(&self, x: &Tensor) -> Result<(Vec<Tensor>, Tensor), ModelError> {
        let mut inputs = vec![x.clone()];
        let last = self.layers.len() - 1;
        for (i, l) in self.layers.iter().enumerate() {
            let a = &inputs[i];
            let z = a.matmul(&l.w)?.broadcast_add(&l.b)?;
            if i == last {
                return Ok((inputs, z));
            }
            inputs.push(z.relu()?);
        }
        Err(ModelError::Spec("an MLP needs at least one layer".into()))
    }

    /// Applies the gradient of layer `i`'s pre-activations, `grad`, given its inputs `x`.
    fn update(&mut self, i: usize, grad: &Tensor, x: &Tensor, cfg: &TrainConfig) -> Result<(), ModelError> {
        let db = grad.sum_keepdim(1)?;
        let dw = x.transpose(1, 2)?.matmul(grad)?;
        let l = &mut self.layers[i];
        let (w, vw) = momentum_update(&l.w, &l.vw, &dw, cfg, true)?;
        let (b, vb) = momentum_update(&l.b, &l.vb, &db, cfg, false)?;
        *l = Layer { w, b, vw, vb };
        Ok(())
    }
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
