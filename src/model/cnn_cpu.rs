//! The LeNet-style CNN of [`super::cnn::BatchedCnn`] for the CPU: the same layers, initial weights and
//! update rule, computed as matrix products over image patches (im2col, NHWC) through `gemm`, with bias,
//! ReLU and max-pooling fused, the weight gradients accumulated straight into the velocities, buffers
//! reused from step to step, and no autograd graph. The convolutions run image chunk by image chunk so
//! that the patch matrices stay in cache.

use super::cnn::{C1, C2, FC};
use super::cnn_layer::Layer;
use super::init::{he_normal, init_rng};
use super::kernels::conv::{col2im, im2col, nchw_to_nhwc, relu_max_pool, relu_max_unpool, ConvGeometry};
use super::kernels::matmul::{matmul, View};
use super::network::Network;
use super::{ModelError, TrainConfig};
use candle_core::{Device, Tensor};
use std::cell::RefCell;

/// Kernel size of both convolutions.
const KERNEL: usize = 5;
/// Rows of the first convolution's patch matrix per chunk (≈ 1.2 MB at 75 values a row).
const CHUNK_ROWS: usize = 4096;

/// One model's four layers.
struct Model {
    conv1: Layer,
    conv2: Layer,
    fc1: Layer,
    fc2: Layer,
}

/// What the forward pass keeps for the backward pass, and the reusable work buffers.
#[derive(Default)]
struct Buffers {
    nhwc: Vec<f32>,
    pooled1: Vec<f32>,
    winner1: Vec<u8>,
    pooled2: Vec<f32>,
    winner2: Vec<u8>,
    hidden: Vec<f32>,
    logits: Vec<f32>,
    cols: Vec<f32>,
    z: Vec<f32>,
    grad_cols: Vec<f32>,
    grad_pooled1: Vec<f32>,
    grad_pooled2: Vec<f32>,
    grad_z: Vec<f32>,
    grad_hidden: Vec<f32>,
}

fn sized<T: Default + Clone>(v: &mut Vec<T>, len: usize) -> &mut [T] {
    if v.len() < len {
        v.resize(len, T::default());
    }
    &mut v[..len]
}

/// K LeNet-style CNNs on the CPU, trained one after another within a step.
pub struct CpuCnn {
    models: Vec<Model>,
    classes: usize,
    channels: usize,
    g1: ConvGeometry,
    g2: ConvGeometry,
    buffers: RefCell<Buffers>,
}

/// Reorders (units, c, k, k) convolution weights into rows (ky, kx, c) × units.
fn conv_rows(w: &[f32], units: usize, c: usize, k: usize) -> Vec<f32> {
    let mut out = vec![0f32; w.len()];
    for o in 0..units {
        for ci in 0..c {
            for ky in 0..k {
                for kx in 0..k {
                    out[((ky * k + kx) * c + ci) * units + o] = w[((o * c + ci) * k + ky) * k + kx];
                }
            }
        }
    }
    out
}

impl CpuCnn {
    /// The initial weights of `BatchedCnn::new` for the same seeds, in this network's layouts.
    pub fn new(shape: (usize, usize, usize), classes: usize, seeds: &[u64]) -> Result<Self, ModelError> {
        let (c, h, w) = shape;
        if h < 12 || w < 12 {
            return Err(ModelError::Spec(format!("--model cnn needs images of at least 12×12, got {h}×{w}")));
        }
        let g1 = ConvGeometry { h, w, c_in: c, c_out: C1, k: KERNEL, pad: KERNEL / 2 };
        let g2 = ConvGeometry { h: h / 2, w: w / 2, c_in: C1, c_out: C2, k: KERNEL, pad: 0 };
        let (ph, pw) = (g2.out_h() / 2, g2.out_w() / 2);
        let flat = C2 * ph * pw;
        let mut models = Vec::with_capacity(seeds.len());
        for &seed in seeds {
            let mut rng = init_rng(seed);
            let w1 = he_normal(&mut rng, c * 25, C1 * c * 25);
            let w2 = he_normal(&mut rng, C1 * 25, C2 * C1 * 25);
            let w3 = he_normal(&mut rng, flat, flat * FC);
            let w4 = he_normal(&mut rng, FC, FC * classes);
            // The dense layer after the convolutions reads (y, x, channel) here, (channel, y, x) there.
            let mut w3_hwc = vec![0f32; w3.len()];
            for ch in 0..C2 {
                for p in 0..ph * pw {
                    let (from, to) = ((ch * ph * pw + p) * FC, (p * C2 + ch) * FC);
                    w3_hwc[to..to + FC].copy_from_slice(&w3[from..from + FC]);
                }
            }
            models.push(Model {
                conv1: Layer::new(conv_rows(&w1, C1, c, KERNEL), g1.patch_len(), C1),
                conv2: Layer::new(conv_rows(&w2, C2, C1, KERNEL), g2.patch_len(), C2),
                fc1: Layer::new(w3_hwc, flat, FC),
                fc2: Layer::new(w4, FC, classes),
            });
        }
        Ok(CpuCnn { models, classes, channels: c, g1, g2, buffers: RefCell::default() })
    }

    fn flat(&self) -> usize {
        C2 * (self.g2.out_h() / 2) * (self.g2.out_w() / 2)
    }

    fn images_per_chunk(&self) -> usize {
        (CHUNK_ROWS / (self.g1.h * self.g1.w).max(1)).max(1)
    }

    /// Model m's forward pass on `batch` NCHW images: fills pooled maps, winners, hidden and logits.
    fn forward(&self, m: &Model, x: &[f32], batch: usize, buf: &mut Buffers) {
        let (g1, g2) = (self.g1, self.g2);
        let (len1, len2) = (g2.in_len(), self.flat());
        let nhwc = sized(&mut buf.nhwc, batch * g1.in_len());
        nchw_to_nhwc(x, batch, self.channels, g1.h * g1.w, nhwc);
        sized(&mut buf.pooled1, batch * len1);
        sized(&mut buf.winner1, batch * len1);
        sized(&mut buf.pooled2, batch * len2);
        sized(&mut buf.winner2, batch * len2);
        let step = self.images_per_chunk();
        for i0 in (0..batch).step_by(step) {
            let n = step.min(batch - i0);
            let rows1 = n * g1.out_pixels();
            let cols = sized(&mut buf.cols, rows1 * g1.patch_len());
            im2col(&g1, &buf.nhwc[i0 * g1.in_len()..], n, cols);
            let z = sized(&mut buf.z, rows1 * C1);
            m.conv1.product(cols, rows1, z);
            let (p1, w1) = (&mut buf.pooled1[i0 * len1..], &mut buf.winner1[i0 * len1..]);
            relu_max_pool(z, &m.conv1.b, n, g1.out_h(), g1.out_w(), C1, p1, w1);
            let rows2 = n * g2.out_pixels();
            let cols = sized(&mut buf.cols, rows2 * g2.patch_len());
            im2col(&g2, &buf.pooled1[i0 * len1..], n, cols);
            let z = sized(&mut buf.z, rows2 * C2);
            m.conv2.product(cols, rows2, z);
            let (p2, w2) = (&mut buf.pooled2[i0 * len2..], &mut buf.winner2[i0 * len2..]);
            relu_max_pool(z, &m.conv2.b, n, g2.out_h(), g2.out_w(), C2, p2, w2);
        }
        let hidden = sized(&mut buf.hidden, batch * FC);
        m.fc1.product(&buf.pooled2, batch, hidden);
        m.fc1.bias_act(hidden, true);
        let logits = sized(&mut buf.logits, batch * self.classes);
        m.fc2.product(&buf.hidden, batch, logits);
        m.fc2.bias_act(logits, false);
    }

    /// Forward passes of every model on (K, B, D) inputs; `out` picks what to return per model.
    fn outputs(&self, x: &Tensor, hidden: bool) -> Result<Tensor, ModelError> {
        let (k, b, d) = x.dims3()?;
        self.check(k, d)?;
        let xs: Vec<f32> = x.flatten_all()?.to_vec1()?;
        let width = if hidden { FC } else { self.classes };
        let mut out = Vec::with_capacity(k * b * width);
        let mut buf = self.buffers.borrow_mut();
        for (m, xm) in self.models.iter().zip(xs.chunks_exact(b * d.max(1))) {
            self.forward(m, xm, b, &mut buf);
            out.extend_from_slice(if hidden {
                &buf.hidden[..b * FC]
            } else {
                &buf.logits[..b * self.classes]
            });
        }
        Ok(Tensor::from_vec(out, (k, b, width), &Device::Cpu)?)
    }

    fn check(&self, k: usize, d: usize) -> Result<(), ModelError> {
        if k != self.models.len() || d != self.g1.in_len() {
            return Err(ModelError::Spec(format!(
                "the CNN holds {} models of {} inputs, got {k} × {d}",
                self.models.len(),
                self.g1.in_len()
            )));
        }
        Ok(())
    }
}

/// Σ over rows of the cross-entropy of logits against targets; the logits become its gradient / batch.
fn softmax_cross_entropy(logits: &mut [f32], targets: &[f32], classes: usize, batch: usize) -> f32 {
    let mut loss = 0f32;
    for (z, y) in logits.chunks_exact_mut(classes).zip(targets.chunks_exact(classes)) {
        let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = z.iter().map(|&v| (v - max).exp()).sum();
        let lse = max + sum.ln();
        let mass: f32 = y.iter().sum();
        for (zc, &yc) in z.iter_mut().zip(y) {
            loss += yc * (lse - *zc);
            *zc = (((*zc - lse).exp()) * mass - yc) / batch as f32;
        }
    }
    loss
}

impl Network for CpuCnn {
    fn num_models(&self) -> usize {
        self.models.len()
    }

    fn logits(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        self.outputs(x, false)
    }

    fn features(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        self.outputs(x, true)
    }

    fn train_step(&mut self, x: &Tensor, onehot: &Tensor, cfg: &TrainConfig) -> Result<Tensor, ModelError> {
        let (k, b, d) = x.dims3()?;
        self.check(k, d)?;
        let xs: Vec<f32> = x.flatten_all()?.to_vec1()?;
        let ys: Vec<f32> = onehot.flatten_all()?.to_vec1()?;
        let (momentum, lr, wd) = (cfg.momentum as f32, cfg.lr as f32, cfg.weight_decay as f32);
        let mut losses = Vec::with_capacity(k);
        let mut buf = std::mem::take(&mut *self.buffers.borrow_mut());
        let mut models = std::mem::take(&mut self.models);
        let c = self.classes;
        for (m, model) in models.iter_mut().enumerate() {
            self.forward(model, &xs[m * b * d..(m + 1) * b * d], b, &mut buf);
            let logits = &mut buf.logits[..b * c];
            losses.push(softmax_cross_entropy(logits, &ys[m * b * c..(m + 1) * b * c], c, b));
            let layers = [&mut model.conv1, &mut model.conv2, &mut model.fc1, &mut model.fc2];
            for l in layers {
                l.decay_velocity(momentum);
            }
            self.backward(model, b, &mut buf);
            for l in [&mut model.conv1, &mut model.conv2, &mut model.fc1, &mut model.fc2] {
                l.descend(lr, wd);
            }
        }
        self.models = models;
        *self.buffers.borrow_mut() = buf;
        Ok(Tensor::from_vec(losses, k, &Device::Cpu)?)
    }
}

impl CpuCnn {
    /// Adds model m's gradients to its velocities, from the logits' gradient in `buf.logits` and what
    /// the forward pass kept. Reads the weights before any of them is updated.
    fn backward(&self, m: &mut Model, batch: usize, buf: &mut Buffers) {
        let (g1, g2) = (self.g1, self.g2);
        let (len1, flat) = (g2.in_len(), self.flat());
        let c = self.classes;
        m.fc2.accumulate(&buf.hidden, &buf.logits, batch);
        let grad_hidden = sized(&mut buf.grad_hidden, batch * FC);
        matmul(grad_hidden, View::new(&buf.logits, batch, c), m.fc2.weights().t(), false);
        for (g, &h) in grad_hidden.iter_mut().zip(&buf.hidden) {
            *g = if h > 0.0 { *g } else { 0.0 };
        }
        m.fc1.accumulate(&buf.pooled2, &buf.grad_hidden, batch);
        let grad_pooled2 = sized(&mut buf.grad_pooled2, batch * flat);
        matmul(grad_pooled2, View::new(&buf.grad_hidden, batch, FC), m.fc1.weights().t(), false);
        let step = self.images_per_chunk();
        for i0 in (0..batch).step_by(step) {
            let n = step.min(batch - i0);
            // Second convolution: its output gradient, weight gradient, and the gradient of its input.
            let rows2 = n * g2.out_pixels();
            let grad_z = sized(&mut buf.grad_z, rows2 * C2);
            let at2 = i0 * flat..(i0 + n) * flat;
            let (gp, p, w) = (&buf.grad_pooled2[at2.clone()], &buf.pooled2[at2.clone()], &buf.winner2[at2]);
            relu_max_unpool(gp, p, w, n, g2.out_h(), g2.out_w(), C2, grad_z);
            let cols = sized(&mut buf.cols, rows2 * g2.patch_len());
            im2col(&g2, &buf.pooled1[i0 * len1..], n, cols);
            m.conv2.accumulate(cols, &buf.grad_z, rows2);
            let grad_cols = sized(&mut buf.grad_cols, rows2 * g2.patch_len());
            matmul(grad_cols, View::new(&buf.grad_z, rows2, C2), m.conv2.weights().t(), false);
            let grad_pooled1 = sized(&mut buf.grad_pooled1, n * len1);
            col2im(&g2, grad_cols, n, grad_pooled1);
            // First convolution: only its weight gradient (the images need none).
            let rows1 = n * g1.out_pixels();
            let grad_z = sized(&mut buf.grad_z, rows1 * C1);
            let at1 = i0 * len1..(i0 + n) * len1;
            let (p, w) = (&buf.pooled1[at1.clone()], &buf.winner1[at1]);
            relu_max_unpool(&buf.grad_pooled1[..n * len1], p, w, n, g1.out_h(), g1.out_w(), C1, grad_z);
            let cols = sized(&mut buf.cols, rows1 * g1.patch_len());
            im2col(&g1, &buf.nhwc[i0 * g1.in_len()..], n, cols);
            m.conv1.accumulate(cols, &buf.grad_z, rows1);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::cnn::BatchedCnn;
    use super::*;

    fn batch(k: usize, b: usize, d: usize, classes: usize, step: usize) -> (Tensor, Tensor) {
        let x: Vec<f32> = (0..k * b * d)
            .map(|i| ((i.wrapping_mul(2_654_435_761) ^ (step * 977)) % 1000) as f32 / 500.0 - 1.0)
            .collect();
        let y: Vec<f32> = (0..k * b)
            .flat_map(|i| (0..classes).map(move |c| f32::from(u8::from(c == (i * 7 + step) % classes))))
            .collect();
        (
            Tensor::from_vec(x, (k, b, d), &Device::Cpu).unwrap(),
            Tensor::from_vec(y, (k, b, classes), &Device::Cpu).unwrap(),
        )
    }

    fn values(t: &Tensor) -> Vec<f32> {
        t.flatten_all().unwrap().to_vec1().unwrap()
    }

    fn worst(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        a.iter().zip(b).map(|(p, q)| (p - q).abs() / q.abs().max(1.0)).fold(0.0, f32::max)
    }

    /// Two models trained side by side for several steps (momentum, weight decay, a partial batch): the
    /// patch kernels and Candle's autograd on the same initial weights agree on losses, logits and
    /// hidden features, for RGB 32×32, grey 28×28 and odd sizes whose second pooling drops a row.
    #[test]
    fn cpu_cnn_matches_candle_autograd() {
        for (shape, classes) in [((3, 32, 32), 10), ((1, 28, 28), 10), ((2, 19, 23), 3), ((3, 12, 12), 2)] {
            let d = shape.0 * shape.1 * shape.2;
            let cfg = TrainConfig { lr: 0.01, weight_decay: 0.001, ..TrainConfig::default() };
            let mut fast = CpuCnn::new(shape, classes, &[3, 4]).unwrap();
            let mut plain = BatchedCnn::new(shape, classes, &[3, 4], &Device::Cpu).unwrap();
            for (step, b) in [9, 9, 5, 9].into_iter().enumerate() {
                let (x, y) = batch(2, b, d, classes, step);
                let lf = values(&fast.train_step(&x, &y, &cfg).unwrap());
                let lp = values(&plain.train_step(&x, &y, &cfg).unwrap());
                assert!(worst(&lf, &lp) < 1e-3, "{shape:?} step {step}: losses {lf:?} vs {lp:?}");
                let e = worst(&values(&fast.logits(&x).unwrap()), &values(&plain.logits(&x).unwrap()));
                assert!(e < 1e-3, "{shape:?} step {step}: logits differ by up to {e}");
                let e = worst(&values(&fast.features(&x).unwrap()), &values(&plain.features(&x).unwrap()));
                assert!(e < 1e-3, "{shape:?} step {step}: features differ by up to {e}");
            }
        }
    }

    #[test]
    fn refuses_small_images_and_wrong_inputs() {
        assert!(CpuCnn::new((3, 10, 32), 10, &[1]).is_err());
        let net = CpuCnn::new((1, 12, 12), 2, &[1]).unwrap();
        let (x, _) = batch(1, 2, 100, 2, 0);
        assert!(net.logits(&x).is_err());
    }
}
