//! One dense layer of the CPU CNN (a convolution's patch weights are one too): row-major weights, bias,
//! their momentum velocities, the forward product and the in-place momentum step.

use super::kernels::matmul::{matmul, View};

/// One layer's weights ((fan_in) × units, row-major), bias, and their velocities.
pub(super) struct Layer {
    w: Vec<f32>,
    /// The bias (added by the pooling of a convolution).
    pub(super) b: Vec<f32>,
    vw: Vec<f32>,
    vb: Vec<f32>,
    fan_in: usize,
    units: usize,
}

impl Layer {
    pub(super) fn new(w: Vec<f32>, fan_in: usize, units: usize) -> Self {
        Layer { w, b: vec![0.0; units], vw: vec![0.0; fan_in * units], vb: vec![0.0; units], fan_in, units }
    }

    pub(super) fn weights(&self) -> View<'_> {
        View::new(&self.w, self.fan_in, self.units)
    }

    /// out (rows × units) ← input · W, without the bias (the pooling or `bias_relu` adds it).
    pub(super) fn product(&self, input: &[f32], rows: usize, out: &mut [f32]) {
        matmul(out, View::new(input, rows, self.fan_in), self.weights(), false);
    }

    /// out ← out + b, then ReLU when `relu`.
    pub(super) fn bias_act(&self, out: &mut [f32], relu: bool) {
        for r in out.chunks_exact_mut(self.units) {
            for (v, b) in r.iter_mut().zip(&self.b) {
                let z = *v + b;
                *v = if relu { z.max(0.0) } else { z };
            }
        }
    }

    /// vw += inputᵀ·δ, vb += Σ δ (the velocities already scaled by the momentum).
    pub(super) fn accumulate(&mut self, input: &[f32], delta: &[f32], rows: usize) {
        matmul(
            &mut self.vw,
            View::new(input, rows, self.fan_in).t(),
            View::new(delta, rows, self.units),
            true,
        );
        for r in delta[..rows * self.units].chunks_exact(self.units) {
            for (v, d) in self.vb.iter_mut().zip(r) {
                *v += d;
            }
        }
    }

    /// v ← μ·v, before a step's gradients are added.
    pub(super) fn decay_velocity(&mut self, momentum: f32) {
        self.vw.iter_mut().chain(self.vb.iter_mut()).for_each(|v| *v *= momentum);
    }

    /// v ← v + wd·w (weights only); w ← w − lr·v.
    pub(super) fn descend(&mut self, lr: f32, weight_decay: f32) {
        if weight_decay != 0.0 {
            for (v, w) in self.vw.iter_mut().zip(&self.w) {
                *v += weight_decay * w;
            }
        }
        for (w, v) in self.w.iter_mut().zip(&self.vw).chain(self.b.iter_mut().zip(&self.vb)) {
            *w -= lr * v;
        }
    }
}
