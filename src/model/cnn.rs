//! A small LeNet-style CNN, K models at once through grouped convolutions, trained with Candle's autograd.
//!
//! conv 5×5 (16, same padding) → ReLU → max-pool 2 → conv 5×5 (32) → ReLU → max-pool 2 → dense 128 → ReLU →
//! dense classes. Works for 28×28 grey (MNIST) and 32×32 RGB (CIFAR) inputs, and any size ≥ 12.

use super::init::{he_normal, init_rng};
use super::network::Network;
use super::optim::momentum_update;
use super::{ModelError, TrainConfig};
use candle_core::{DType, Device, Tensor, Var, D};

/// Channels of the first convolution.
pub(super) const C1: usize = 16;
/// Channels of the second convolution.
pub(super) const C2: usize = 32;
/// Units of the dense hidden layer.
pub(super) const FC: usize = 128;

/// K LeNet-style networks; parameters carry the model dimension in their first axis.
pub struct BatchedCnn {
    params: Vec<(Var, Tensor, bool)>,
    k: usize,
    shape: (usize, usize, usize),
}

fn var(data: Vec<f32>, shape: &[usize], device: &Device) -> Result<Var, ModelError> {
    Ok(Var::from_tensor(&Tensor::from_vec(data, shape, device)?)?)
}

impl BatchedCnn {
    /// He-normal weights and zero biases, model k from `seeds[k]`.
    pub fn new(
        shape: (usize, usize, usize),
        classes: usize,
        seeds: &[u64],
        device: &Device,
    ) -> Result<Self, ModelError> {
        let (c, h, w) = shape;
        if h < 12 || w < 12 {
            return Err(ModelError::Spec(format!("--model cnn needs images of at least 12×12, got {h}×{w}")));
        }
        let k = seeds.len();
        let flat = C2 * ((h / 2 - 4) / 2) * ((w / 2 - 4) / 2);
        let mut rngs: Vec<_> = seeds.iter().map(|&s| init_rng(s)).collect();
        let mut draw = |fan_in: usize, count: usize| -> Vec<f32> {
            rngs.iter_mut().flat_map(|r| he_normal(r, fan_in, count)).collect()
        };
        let w1 = draw(c * 25, C1 * c * 25);
        let w2 = draw(C1 * 25, C2 * C1 * 25);
        let w3 = draw(flat, flat * FC);
        let w4 = draw(FC, FC * classes);
        let z = |n: usize| vec![0f32; n];
        let specs: Vec<(Vec<f32>, Vec<usize>, bool)> = vec![
            (w1, vec![k * C1, c, 5, 5], true),
            (z(k * C1), vec![1, k * C1, 1, 1], false),
            (w2, vec![k * C2, C1, 5, 5], true),
            (z(k * C2), vec![1, k * C2, 1, 1], false),
            (w3, vec![k, flat, FC], true),
            (z(k * FC), vec![k, 1, FC], false),
            (w4, vec![k, FC, classes], true),
            (z(k * classes), vec![k, 1, classes], false),
        ];
        let mut params = Vec::with_capacity(specs.len());
        for (data, dims, decay) in specs {
            let v = var(data, &dims, device)?;
            let m = Tensor::zeros(dims.as_slice(), DType::F32, device)?;
            params.push((v, m, decay));
        }
        Ok(BatchedCnn { params, k, shape })
    }

    fn p(&self, i: usize) -> &Tensor {
        self.params[i].0.as_tensor()
    }

    /// The 128 activations before the last dense layer, (K, B, 128).
    fn hidden(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        let (k, b, _) = x.dims3()?;
        let (c, h, w) = self.shape;
        // (K, B, C·H·W) → (B, K·C, H, W): model k owns channel group k.
        let x = x.reshape((k, b, c, h, w))?.transpose(0, 1)?.contiguous()?.reshape((b, k * c, h, w))?;
        let x = max_pool2(&x.conv2d(self.p(0), 2, 1, 1, k)?.broadcast_add(self.p(1))?.relu()?)?;
        let x = max_pool2(&x.conv2d(self.p(2), 0, 1, 1, k)?.broadcast_add(self.p(3))?.relu()?)?;
        let (_, _, h2, w2) = x.dims4()?;
        let x = x.reshape((b, k, C2 * h2 * w2))?.transpose(0, 1)?.contiguous()?;
        Ok(x.matmul(self.p(4))?.broadcast_add(self.p(5))?.relu()?)
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        Ok(self.hidden(x)?.matmul(self.p(6))?.broadcast_add(self.p(7))?)
    }
}

/// 2 × 2 max-pooling with stride 2 (a last odd row or column dropped) as two max reductions, whose
/// gradient goes to the maximum. Candle 0.11's `max_pool2d` backward multiplies the gradient by the
/// share of maxima in the window (a quarter for a unique maximum), which trains the convolutions with a
/// sixteenth of their gradient.
pub(super) fn max_pool2(x: &Tensor) -> Result<Tensor, ModelError> {
    let (b, c, h, w) = x.dims4()?;
    let (ph, pw) = (h / 2, w / 2);
    let x = x.narrow(2, 0, 2 * ph)?.narrow(3, 0, 2 * pw)?.contiguous()?;
    Ok(x.reshape((b, c, ph, 2, pw, 2))?.max(5)?.max(3)?)
}

impl Network for BatchedCnn {
    fn num_models(&self) -> usize {
        self.k
    }

    fn logits(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        Ok(self.forward(x)?.detach())
    }

    fn features(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        Ok(self.hidden(x)?.detach())
    }

    fn train_step(&mut self, x: &Tensor, onehot: &Tensor, cfg: &TrainConfig) -> Result<Tensor, ModelError> {
        let batch = x.dim(1)? as f64;
        let logp = candle_nn::ops::log_softmax(&self.forward(x)?, D::Minus1)?;
        let loss = (&logp * onehot)?.sum(D::Minus1)?.sum(D::Minus1)?.neg()?;
        // Models share no parameter, so the gradient of the summed mean losses is each model's own.
        let grads = (loss.sum_all()? * (1.0 / batch))?.backward()?;
        for (var, velocity, decay) in self.params.iter_mut() {
            let Some(g) = grads.get(var.as_tensor()) else { continue };
            let (w, v) = momentum_update(&var.as_tensor().detach(), velocity, &g.detach(), cfg, *decay)?;
            var.set(&w)?;
            *velocity = v;
        }
        Ok(loss.detach())
    }
}
