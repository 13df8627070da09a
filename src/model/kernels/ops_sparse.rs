//! The first layer on sparse inputs: its forward product and its fused momentum step.

use super::params::{bias_step, slice, slice_mut, ParamShape};
use super::sparse_block::SparseBlock;
use super::spmm::{forward_rows, momentum_cols, pack_panels, Step};
use candle_core::{bail, CpuStorage, CustomOp2, InplaceOp2, Layout, Result, Shape};
use std::cell::RefCell;

/// relu(x·W + b) for x (K, B, D) and parameters P (K, 2, D + 1, H), multiplying only the non-zeros of x.
/// It leaves x's non-zeros in `blocks` (by column too when `by_column`) for the [`SparseStep`] that
/// follows.
pub struct SparseForward<'a> {
    /// Per-model scratch, refilled from x.
    pub blocks: &'a RefCell<Vec<SparseBlock>>,
    /// Also group the non-zeros by column (a training step needs them).
    pub by_column: bool,
}

impl CustomOp2 for SparseForward<'_> {
    fn name(&self) -> &'static str {
        "sparse-forward"
    }

    fn cpu_fwd(
        &self,
        sx: &CpuStorage,
        lx: &Layout,
        sp: &CpuStorage,
        lp: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (k, b, d) = lx.shape().dims3()?;
        let ps = ParamShape::of(lp, self.name())?;
        if ps.models != k || ps.inputs != d {
            bail!("{}: inputs {:?} do not fit parameters {:?}", self.name(), lx.shape(), lp.shape());
        }
        let (x, p) = (slice(sx, lx, self.name())?, slice(sp, lp, self.name())?);
        let h = ps.units;
        let Ok(mut blocks) = self.blocks.try_borrow_mut() else { bail!("{}: scratch in use", self.name()) };
        blocks.resize_with(k, SparseBlock::default);
        let mut out = vec![0f32; k * b * h];
        for (m, blk) in blocks.iter_mut().enumerate() {
            blk.fill(&x[m * b * d..(m + 1) * b * d], b, d, self.by_column);
            let (w, bias) = ps.weights(p, m);
            if !forward_rows(&blk.rows, w, bias, &mut out[m * b * h..(m + 1) * b * h], h) {
                bail!("{}: inconsistent sparse block", self.name());
            }
        }
        Ok((CpuStorage::F32(out), Shape::from((k, b, h))))
    }
}

/// One momentum step of the first layer, in place on P (K, 2, D + 1, H), from δ (K, B, H), the gradient
/// of its pre-activations (already divided by the batch size), and the inputs' non-zeros left by the
/// [`SparseForward`] of the same step.
pub struct SparseStep<'a> {
    /// The blocks the forward pass filled, by column.
    pub blocks: &'a RefCell<Vec<SparseBlock>>,
    /// Momentum, learning rate, weight decay.
    pub step: Step,
}

impl InplaceOp2 for SparseStep<'_> {
    fn name(&self) -> &'static str {
        "sparse-step"
    }

    fn cpu_fwd(&self, sp: &mut CpuStorage, lp: &Layout, sg: &CpuStorage, lg: &Layout) -> Result<()> {
        let ps = ParamShape::of(lp, self.name())?;
        let (k, b, h) = lg.shape().dims3()?;
        let Ok(mut blocks) = self.blocks.try_borrow_mut() else { bail!("{}: scratch in use", self.name()) };
        if ps.models != k || ps.units != h || blocks.len() < k {
            bail!("{}: gradient {:?} does not fit parameters {:?}", self.name(), lg.shape(), lp.shape());
        }
        let g = slice(sg, lg, self.name())?;
        let p = slice_mut(sp, lp, self.name())?;
        for (m, blk) in blocks.iter_mut().take(k).enumerate() {
            if blk.shape != (b, ps.inputs) || blk.cols.majors() != ps.inputs {
                bail!("{}: no column block of this step's inputs", self.name());
            }
            let parts = ps.parts(p, m);
            let g_m = &g[m * b * h..(m + 1) * b * h];
            pack_panels(g_m, b, h, &mut blk.grad_panels);
            if !momentum_cols(&blk.cols, &blk.grad_panels, h, parts.vw, parts.w, self.step) {
                bail!("{}: inconsistent sparse block", self.name());
            }
            bias_step(g_m, parts.b, parts.vb, self.step.momentum, self.step.lr);
        }
        Ok(())
    }
}
