//! Access to the storage of the kernels' tensors: contiguous f32 slices and the parts of a parameter
//! tensor (K, 2, in + 1, out).

use candle_core::{bail, CpuStorage, Layout, Result};

/// A contiguous f32 view of a CPU tensor.
pub fn slice<'a>(s: &'a CpuStorage, l: &Layout, what: &str) -> Result<&'a [f32]> {
    let Some((start, end)) = l.contiguous_offsets() else { bail!("{what}: needs a contiguous tensor") };
    match s {
        CpuStorage::F32(v) => Ok(&v[start..end]),
        _ => bail!("{what}: needs f32"),
    }
}

/// A contiguous mutable f32 view of a CPU tensor.
pub fn slice_mut<'a>(s: &'a mut CpuStorage, l: &Layout, what: &str) -> Result<&'a mut [f32]> {
    let Some((start, end)) = l.contiguous_offsets() else { bail!("{what}: needs a contiguous tensor") };
    match s {
        CpuStorage::F32(v) => Ok(&mut v[start..end]),
        _ => bail!("{what}: needs f32"),
    }
}

/// The shape of a parameter tensor: K models of a layer with `inputs` inputs and `units` outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamShape {
    /// Models K.
    pub models: usize,
    /// Inputs of the layer.
    pub inputs: usize,
    /// Units (outputs) of the layer.
    pub units: usize,
}

/// One model's parameters: weights (in × out), bias (out), and the same two for the velocity.
pub struct Parts<'a> {
    pub w: &'a mut [f32],
    pub b: &'a mut [f32],
    pub vw: &'a mut [f32],
    pub vb: &'a mut [f32],
}

impl ParamShape {
    /// Reads the shape of a parameter tensor's layout.
    pub fn of(l: &Layout, what: &str) -> Result<Self> {
        let (models, two, rows, units) = l.shape().dims4()?;
        if two != 2 || rows == 0 {
            bail!("{what}: parameters must be (K, 2, in + 1, out), got {:?}", l.shape());
        }
        Ok(ParamShape { models, inputs: rows - 1, units })
    }

    /// Floats per model (weights, bias and their velocity).
    pub fn per_model(&self) -> usize {
        2 * (self.inputs + 1) * self.units
    }

    /// Model m's weights and bias, read-only.
    pub fn weights<'a>(&self, p: &'a [f32], m: usize) -> (&'a [f32], &'a [f32]) {
        let base = m * self.per_model();
        let (w, rest) = p[base..base + (self.inputs + 1) * self.units].split_at(self.inputs * self.units);
        (w, rest)
    }

    /// Model m's parameters and velocity, writable.
    pub fn parts<'a>(&self, p: &'a mut [f32], m: usize) -> Parts<'a> {
        let (n, h) = ((self.inputs + 1) * self.units, self.units);
        let model = &mut p[m * self.per_model()..(m + 1) * self.per_model()];
        let (params, velocity) = model.split_at_mut(n);
        let (w, b) = params.split_at_mut(n - h);
        let (vw, vb) = velocity.split_at_mut(n - h);
        Parts { w, b, vw, vb }
    }
}

/// vb ← μ·vb + Σᵢ g[i, :]; b ← b − lr·vb, for g (B, out): the bias part of a momentum step.
pub fn bias_step(g: &[f32], b: &mut [f32], vb: &mut [f32], momentum: f32, lr: f32) {
    let h = b.len();
    let mut sum = vec![0f32; h];
    for row in g.chunks_exact(h.max(1)) {
        for (s, &x) in sum.iter_mut().zip(row) {
            *s += x;
        }
    }
    for ((bc, vc), s) in b.iter_mut().zip(vb.iter_mut()).zip(sum) {
        *vc = momentum * *vc + s;
        *bc -= lr * *vc;
    }
}
