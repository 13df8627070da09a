//! The MLP for the CPU: the same networks, initialisation and update rule as [`super::mlp::BatchedMlp`],
//! computed with the fused kernels of [`super::kernels`] so that a step allocates little and passes over
//! each weight matrix as few times as possible. On sparse inputs (MNIST's digits are four-fifths zeros)
//! the first layer multiplies only the non-zero inputs; on dense ones it is a dense layer like the rest.

use super::init::{he_normal, init_rng};
use super::kernels::{
    to_panels, BiasAct, CrossEntropySum, DenseStep, ReluMask, SoftmaxGrad, SparseBlock, SparseForward,
    SparseStep, Step,
};
use super::network::Network;
use super::{ModelError, TrainConfig};
use candle_core::{Device, Tensor};
use std::cell::RefCell;

/// K MLPs of identical shape on the CPU: input → hidden… → classes, ReLU between layers.
pub struct CpuMlp {
    /// Per layer, (K, 2, in + 1, out): weights with the bias as last row, then their velocity.
    params: Vec<Tensor>,
    /// Input width of each layer.
    inputs: Vec<usize>,
    /// The first layer's view of the current inputs (filled by the forward pass).
    blocks: RefCell<Vec<SparseBlock>>,
    /// Whether the first layer is the sparse one (weights in panels) rather than a dense one.
    sparse_first: bool,
    k: usize,
}

impl CpuMlp {
    /// He-normal weights and zero biases, model k from `seeds[k]` (the draws of `BatchedMlp::new`);
    /// `sparse_inputs` picks the first layer that skips zero inputs.
    pub fn new(
        input: usize,
        hidden: &[usize],
        classes: usize,
        seeds: &[u64],
        sparse_inputs: bool,
    ) -> Result<Self, ModelError> {
        let k = seeds.len();
        let mut widths = vec![input];
        widths.extend_from_slice(hidden);
        widths.push(classes);
        let mut rngs: Vec<_> = seeds.iter().map(|&s| init_rng(s)).collect();
        let mut params = Vec::with_capacity(widths.len() - 1);
        let layers = widths.len() - 1;
        let sparse_first = sparse_inputs && layers > 1;
        for (l, pair) in widths.windows(2).enumerate() {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let per_model = 2 * (fan_in + 1) * fan_out;
            let mut p = vec![0f32; k * per_model];
            for (m, rng) in rngs.iter_mut().enumerate() {
                let mut w = he_normal(rng, fan_in, fan_in * fan_out);
                if l == 0 && sparse_first {
                    w = to_panels(&w, fan_in, fan_out); // the sparse first layer's layout
                }
                p[m * per_model..m * per_model + w.len()].copy_from_slice(&w);
            }
            params.push(Tensor::from_vec(p, (k, 2, fan_in + 1, fan_out), &Device::Cpu)?);
        }
        let inputs = widths[..widths.len() - 1].to_vec();
        Ok(CpuMlp { params, inputs, blocks: RefCell::default(), sparse_first, k })
    }

    /// Layer l's weights as a (K, in, out) view of its parameters.
    fn weights(&self, l: usize) -> Result<Tensor, ModelError> {
        Ok(self.params[l].narrow(1, 0, 1)?.squeeze(1)?.narrow(1, 0, self.inputs[l])?)
    }

    /// Forward pass keeping every layer's input (for the backward pass); returns (inputs, logits).
    fn forward(&self, x: &Tensor, training: bool) -> Result<(Vec<Tensor>, Tensor), ModelError> {
        let last = self.params.len() - 1;
        let mut inputs = vec![x.contiguous()?];
        for l in 0..=last {
            let a = &inputs[l];
            let z = if l == 0 && self.sparse_first {
                a.apply_op2_no_bwd(
                    &self.params[0],
                    &SparseForward { blocks: &self.blocks, by_column: training },
                )?
            } else {
                let z = a.matmul(&self.weights(l)?)?;
                z.inplace_op2(&self.params[l], &BiasAct { relu: l != last })?;
                z
            };
            if l == last {
                return Ok((inputs, z));
            }
            inputs.push(z);
        }
        Err(ModelError::Spec("an MLP needs at least one layer".into()))
    }
}

impl Network for CpuMlp {
    fn num_models(&self) -> usize {
        self.k
    }

    fn logits(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        Ok(self.forward(x, false)?.1)
    }

    fn features(&self, x: &Tensor) -> Result<Tensor, ModelError> {
        let mut inputs = self.forward(x, false)?.0;
        inputs.pop().ok_or_else(|| ModelError::Spec("an MLP needs at least one layer".into()))
    }

    fn train_step(&mut self, x: &Tensor, onehot: &Tensor, cfg: &TrainConfig) -> Result<Tensor, ModelError> {
        let batch = x.dim(1)?;
        let (inputs, logits) = self.forward(x, true)?;
        let loss = logits.apply_op2_no_bwd(onehot, &CrossEntropySum)?;
        logits.inplace_op2(onehot, &SoftmaxGrad { scale: 1.0 / batch as f32 })?;
        let step =
            Step { momentum: cfg.momentum as f32, lr: cfg.lr as f32, weight_decay: cfg.weight_decay as f32 };
        let mut grad = logits;
        for l in (0..self.params.len()).rev() {
            if l == 0 && self.sparse_first {
                self.params[0].inplace_op2(&grad, &SparseStep { blocks: &self.blocks, step })?;
                break;
            }
            // The next gradient uses this layer's weights before they are updated.
            let next = if l > 0 {
                let da = grad.matmul(&self.weights(l)?.transpose(1, 2)?)?;
                da.inplace_op2(&inputs[l], &ReluMask)?;
                Some(da)
            } else {
                None
            };
            self.params[l].inplace_op3(&inputs[l], &grad, &DenseStep { step })?;
            match next {
                Some(g) => grad = g,
                None => break,
            }
        }
        Ok(loss)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::mlp::BatchedMlp;
    use super::*;

    fn inputs(k: usize, b: usize, d: usize, classes: usize) -> (Tensor, Tensor) {
        let x: Vec<f32> =
            (0..k * b * d).map(|i| if i % 2 == 0 { 0.0 } else { ((i * 37) % 101) as f32 / 101.0 }).collect();
        let x = Tensor::from_vec(x, (k, b, d), &Device::Cpu).unwrap();
        let y: Vec<f32> = (0..k * b)
            .flat_map(|i| (0..classes).map(move |c| f32::from(u8::from(c == i % classes))))
            .collect();
        (x, Tensor::from_vec(y, (k, b, classes), &Device::Cpu).unwrap())
    }

    /// Sparse-ish inputs (half zeros), two models, a few steps with weight decay: the CPU kernels and
    /// plain Candle ops agree, for deep, shallow and single-layer networks and widths around the
    /// kernels' register blocks.
    #[test]
    fn cpu_kernels_match_plain_ops() {
        for hidden in [vec![12, 8], vec![130], vec![], vec![64, 128, 20]] {
            let (k, b, d, c) = (2, 16, 30, 4);
            let (x, y) = inputs(k, b, d, c);
            let cfg = TrainConfig { weight_decay: 0.01, ..TrainConfig::default() };
            for sparse in [true, false] {
                let mut fast = CpuMlp::new(d, &hidden, c, &[1, 2], sparse).unwrap();
                let mut plain = BatchedMlp::new(d, &hidden, c, &[1, 2], &Device::Cpu).unwrap();
                for _ in 0..5 {
                    let a: Vec<f32> = fast.train_step(&x, &y, &cfg).unwrap().to_vec1().unwrap();
                    let b: Vec<f32> = plain.train_step(&x, &y, &cfg).unwrap().to_vec1().unwrap();
                    for (p, q) in a.iter().zip(&b) {
                        assert!((p - q).abs() < 1e-4 * q.abs().max(1.0), "{hidden:?}: {a:?} vs {b:?}");
                    }
                }
                let lf: Vec<f32> = fast.logits(&x).unwrap().flatten_all().unwrap().to_vec1().unwrap();
                let lp: Vec<f32> = plain.logits(&x).unwrap().flatten_all().unwrap().to_vec1().unwrap();
                for (p, q) in lf.iter().zip(&lp) {
                    assert!((p - q).abs() < 1e-4 * q.abs().max(1.0), "{hidden:?}: {p} vs {q}");
                }
                let ff = fast.features(&x).unwrap().dims().to_vec();
                assert_eq!(ff, plain.features(&x).unwrap().dims().to_vec());
            }
        }
    }

    /// The benchmark's shapes: 784 inputs (several weight panels and a partial one), 512-256 hidden units,
    /// a full batch of 128 (several row tiles) and the epoch's last, partial batch of 48, MNIST-like
    /// sparsity (most pixels zero); the two implementations agree step after step.
    #[test]
    fn cpu_kernels_match_plain_ops_at_the_benchmark_shapes() {
        let (d, c) = (784, 10);
        let cfg = TrainConfig::default();
        let mut fast = CpuMlp::new(d, &[512, 256], c, &[7], true).unwrap();
        let mut plain = BatchedMlp::new(d, &[512, 256], c, &[7], &Device::Cpu).unwrap();
        for (step, b) in [128, 128, 48, 128].into_iter().enumerate() {
            let x: Vec<f32> = (0..b * d)
                .map(|i| {
                    let h = (i.wrapping_mul(2_654_435_761) ^ (step * 977)) % 1000;
                    if h < 800 {
                        0.0
                    } else {
                        h as f32 / 1000.0
                    }
                })
                .collect();
            let x = Tensor::from_vec(x, (1, b, d), &Device::Cpu).unwrap();
            let y: Vec<f32> = (0..b)
                .flat_map(|i| (0..c).map(move |k| f32::from(u8::from(k == (i * 7 + step) % c))))
                .collect();
            let y = Tensor::from_vec(y, (1, b, c), &Device::Cpu).unwrap();
            let a: Vec<f32> = fast.train_step(&x, &y, &cfg).unwrap().to_vec1().unwrap();
            let e: Vec<f32> = plain.train_step(&x, &y, &cfg).unwrap().to_vec1().unwrap();
            assert!((a[0] - e[0]).abs() < 1e-3 * e[0].abs().max(1.0), "step {step}: loss {a:?} vs {e:?}");
            let lf: Vec<f32> = fast.logits(&x).unwrap().flatten_all().unwrap().to_vec1().unwrap();
            let lp: Vec<f32> = plain.logits(&x).unwrap().flatten_all().unwrap().to_vec1().unwrap();
            let worst = lf.iter().zip(&lp).map(|(p, q)| (p - q).abs() / q.abs().max(1.0)).fold(0.0, f32::max);
            assert!(worst < 1e-3, "step {step} (batch {b}): logits differ by up to {worst}");
        }
    }
}
