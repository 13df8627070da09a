//! Dense layers in place: bias (+ ReLU) after the matmul, the ReLU mask on the backward pass, and a
//! momentum step whose weight gradient the matrix product accumulates straight into the velocity.

use super::params::{bias_step, slice, slice_mut, ParamShape};
use super::spmm::Step;
use candle_core::{bail, CpuStorage, InplaceOp2, InplaceOp3, Layout, Result};

/// In place on z (K, B, H): z ← z + b (then ReLU when `relu`), b the bias row of P (K, 2, in + 1, H).
pub struct BiasAct {
    /// Apply ReLU after the bias.
    pub relu: bool,
}

impl InplaceOp2 for BiasAct {
    fn name(&self) -> &'static str {
        "bias-act"
    }

    fn cpu_fwd(&self, sz: &mut CpuStorage, lz: &Layout, sp: &CpuStorage, lp: &Layout) -> Result<()> {
        let (k, b, h) = lz.shape().dims3()?;
        let ps = ParamShape::of(lp, self.name())?;
        if ps.models != k || ps.units != h {
            bail!("{}: {:?} does not fit parameters {:?}", self.name(), lz.shape(), lp.shape());
        }
        let p = slice(sp, lp, self.name())?;
        let z = slice_mut(sz, lz, self.name())?;
        for m in 0..k {
            let (_, bias) = ps.weights(p, m);
            for row in z[m * b * h..(m + 1) * b * h].chunks_exact_mut(h) {
                for (zc, &bc) in row.iter_mut().zip(bias) {
                    let v = *zc + bc;
                    *zc = if self.relu { v.max(0.0) } else { v };
                }
            }
        }
        Ok(())
    }
}

/// In place on δ: δ ← δ where a > 0, else 0 (the ReLU's derivative, a being the ReLU's output).
pub struct ReluMask;

impl InplaceOp2 for ReluMask {
    fn name(&self) -> &'static str {
        "relu-mask"
    }

    fn cpu_fwd(&self, sd: &mut CpuStorage, ld: &Layout, sa: &CpuStorage, la: &Layout) -> Result<()> {
        if ld.shape() != la.shape() {
            bail!("{}: {:?} and {:?} differ", self.name(), ld.shape(), la.shape());
        }
        let a = slice(sa, la, self.name())?;
        let d = slice_mut(sd, ld, self.name())?;
        // A select, not a branch: the signs of ReLU outputs are as unpredictable as the data.
        for (dv, &av) in d.iter_mut().zip(a) {
            *dv = if av > 0.0 { *dv } else { 0.0 };
        }
        Ok(())
    }
}

/// One momentum step of a dense layer, in place on P (K, 2, in + 1, out), from its inputs a (K, B, in)
/// and δ (K, B, out), the gradient of its pre-activations (already divided by the batch size):
/// v ← μ·v + aᵀδ (+ wd·w), w ← w − lr·v, and the same for the bias (without decay).
pub struct DenseStep {
    /// Momentum, learning rate, weight decay.
    pub step: Step,
}

impl InplaceOp3 for DenseStep {
    fn name(&self) -> &'static str {
        "dense-step"
    }

    fn cpu_fwd(
        &self,
        sp: &mut CpuStorage,
        lp: &Layout,
        sa: &CpuStorage,
        la: &Layout,
        sg: &CpuStorage,
        lg: &Layout,
    ) -> Result<()> {
        let ps = ParamShape::of(lp, self.name())?;
        let (k, b, inputs) = la.shape().dims3()?;
        if lg.shape().dims3()? != (k, b, ps.units) || ps.models != k || ps.inputs != inputs {
            bail!("{}: {:?} and {:?} do not fit {:?}", self.name(), la.shape(), lg.shape(), lp.shape());
        }
        let (a, g) = (slice(sa, la, self.name())?, slice(sg, lg, self.name())?);
        let p = slice_mut(sp, lp, self.name())?;
        let (h, s) = (ps.units, self.step);
        let threads = candle_core::utils::get_num_threads();
        let parallelism =
            if threads > 1 { gemm::Parallelism::Rayon(threads) } else { gemm::Parallelism::None };
        for m in 0..k {
            let parts = ps.parts(p, m);
            let (a_m, g_m) = (&a[m * b * inputs..(m + 1) * b * inputs], &g[m * b * h..(m + 1) * b * h]);
            // SAFETY: vw is (inputs × h) row-major, a_m (b × inputs) read as its transpose (inputs × b),
            // g_m (b × h); all three slices have exactly these lengths (checked above via the shapes).
            unsafe {
                gemm::gemm(
                    inputs,
                    h,
                    b,
                    parts.vw.as_mut_ptr(),
                    1,
                    h as isize,
                    true,
                    a_m.as_ptr(),
                    inputs as isize,
                    1,
                    g_m.as_ptr(),
                    1,
                    h as isize,
                    s.momentum,
                    1.0,
                    false,
                    false,
                    false,
                    parallelism,
                );
            }
            descend(parts.w, parts.vw, s);
            bias_step(g_m, parts.b, parts.vb, s.momentum, s.lr);
        }
        Ok(())
    }
}

/// v ← v + wd·w; w ← w − lr·v.
fn descend(w: &mut [f32], v: &mut [f32], s: Step) {
    if s.weight_decay != 0.0 {
        for (vc, &wc) in v.iter_mut().zip(w.iter()) {
            *vc += s.weight_decay * wc;
        }
    }
    for (wc, &vc) in w.iter_mut().zip(v.iter()) {
        *wc -= s.lr * vc;
    }
}
