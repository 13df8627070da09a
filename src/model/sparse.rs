//! CPU kernels for the first layer of an MLP on sparse inputs (MNIST pixels are ~80% zeros), as Candle
//! custom ops: forward skips zero inputs, and the weight gradient goes straight into the momentum buffer.
//!
//! Results equal the dense computation up to the order of float summation.

use candle_core::{bail, CpuStorage, CustomOp3, InplaceOp2, InplaceOp3, Layout, Result, Shape};

/// The non-zero entries of a (B, D) row-major block, grouped by column: `(start[d]..start[d+1])` indexes
/// `rows`/`values` of column d.
struct Columns {
    start: Vec<usize>,
    rows: Vec<u32>,
    values: Vec<f32>,
}

thread_local! {
    /// The columns of the last block seen by this thread, keyed by its address and length: the forward
    /// op and the gradient op of one step read the same input block, so it is transposed only once.
    static LAST: std::cell::RefCell<Option<(usize, usize, std::rc::Rc<Columns>)>> =
        const { std::cell::RefCell::new(None) };
}

/// [`by_column`] of `x`. The forward op passes `fresh` (a new block may sit where a freed one was); the
/// gradient op, which runs while the forward's input is still alive, reuses the forward's result.
fn columns_of(x: &[f32], b: usize, d: usize, fresh: bool) -> std::rc::Rc<Columns> {
    let key = (x.as_ptr() as usize, x.len());
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((p, n, cols)) = last.as_ref() {
            if !fresh && (*p, *n) == key {
                return cols.clone();
            }
        }
        let cols = std::rc::Rc::new(by_column(x, b, d));
        *last = Some((key.0, key.1, cols.clone()));
        cols
    })
}

fn by_column(x: &[f32], b: usize, d: usize) -> Columns {
    let mut count = vec![0usize; d + 1];
    for row in x.chunks_exact(d).take(b) {
        for (j, &v) in row.iter().enumerate() {
            if v != 0.0 {
                count[j + 1] += 1;
            }
        }
    }
    for j in 0..d {
        count[j + 1] += count[j];
    }
    let nnz = count[d];
    let mut fill = count.clone();
    let (mut rows, mut values) = (vec![0u32; nnz], vec![0f32; nnz]);
    for (i, row) in x.chunks_exact(d).take(b).enumerate() {
        for (j, &v) in row.iter().enumerate() {
            if v != 0.0 {
                rows[fill[j]] = i as u32;
                values[fill[j]] = v;
                fill[j] += 1;
            }
        }
    }
    Columns { start: count, rows, values }
}

#[inline(always)]
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// out[i, :] += x[i, j] · w[j, :] over the non-zeros (i, j) of x: the forward product.
#[inline(always)]
fn scatter_rows_body(cols: &Columns, w: &[f32], out: &mut [f32], h: usize) {
    for j in 0..cols.start.len() - 1 {
        let w_row = &w[j * h..(j + 1) * h];
        for e in cols.start[j]..cols.start[j + 1] {
            let i = cols.rows[e] as usize;
            axpy(&mut out[i * h..(i + 1) * h], cols.values[e], w_row);
        }
    }
}

/// acc[j, :] += x[i, j] · g[i, :] over the non-zeros (i, j) of x: the weight gradient xᵀ·g.
#[inline(always)]
fn gather_rows_body(cols: &Columns, g: &[f32], acc: &mut [f32], h: usize) {
    for j in 0..cols.start.len() - 1 {
        let acc_row = &mut acc[j * h..(j + 1) * h];
        for e in cols.start[j]..cols.start[j + 1] {
            let i = cols.rows[e] as usize;
            axpy(acc_row, cols.values[e], &g[i * h..(i + 1) * h]);
        }
    }
}

// The same loops compiled for AVX2 (8 floats a step instead of SSE2's 4), chosen at run time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn scatter_rows_avx2(cols: &Columns, w: &[f32], out: &mut [f32], h: usize) {
    scatter_rows_body(cols, w, out, h)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn gather_rows_avx2(cols: &Columns, g: &[f32], acc: &mut [f32], h: usize) {
    gather_rows_body(cols, g, acc, h)
}

fn scatter_rows(cols: &Columns, w: &[f32], out: &mut [f32], h: usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { scatter_rows_avx2(cols, w, out, h) };
    }
    scatter_rows_body(cols, w, out, h)
}

fn gather_rows(cols: &Columns, g: &[f32], acc: &mut [f32], h: usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { gather_rows_avx2(cols, g, acc, h) };
    }
    gather_rows_body(cols, g, acc, h)
}

fn contiguous<'a>(s: &'a CpuStorage, l: &Layout, what: &str) -> Result<&'a [f32]> {
    let Some((start, end)) = l.contiguous_offsets() else { bail!("{what}: needs a contiguous tensor") };
    match s {
        CpuStorage::F32(v) => Ok(&v[start..end]),
        _ => bail!("{what}: needs f32"),
    }
}

fn contiguous_mut<'a>(s: &'a mut CpuStorage, l: &Layout, what: &str) -> Result<&'a mut [f32]> {
    let Some((start, end)) = l.contiguous_offsets() else { bail!("{what}: needs a contiguous tensor") };
    match s {
        CpuStorage::F32(v) => Ok(&mut v[start..end]),
        _ => bail!("{what}: needs f32"),
    }
}

/// relu(x·W + b) for x (K, B, D), W (K, D, H), b (K, 1, H), skipping the zeros of x.
pub struct SparseLinearRelu;

impl CustomOp3 for SparseLinearRelu {
    fn name(&self) -> &'static str {
        "sparse-linear-relu"
    }

    fn cpu_fwd(
        &self,
        sx: &CpuStorage,
        lx: &Layout,
        sw: &CpuStorage,
        lw: &Layout,
        sb: &CpuStorage,
        lb: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (k, b, d) = lx.shape().dims3()?;
        let (_, _, h) = lw.shape().dims3()?;
        let (x, w, bias) = (
            contiguous(sx, lx, self.name())?,
            contiguous(sw, lw, self.name())?,
            contiguous(sb, lb, self.name())?,
        );
        let mut out = vec![0f32; k * b * h];
        for m in 0..k {
            let cols = columns_of(&x[m * b * d..(m + 1) * b * d], b, d, true);
            let out_m = &mut out[m * b * h..(m + 1) * b * h];
            for row in out_m.chunks_exact_mut(h) {
                row.copy_from_slice(&bias[m * h..(m + 1) * h]);
            }
            scatter_rows(&cols, &w[m * d * h..(m + 1) * d * h], out_m, h);
        }
        for v in out.iter_mut() {
            *v = v.max(0.0);
        }
        Ok((CpuStorage::F32(out), Shape::from((k, b, h))))
    }
}

/// In place on the velocity v (K, D, H): v ← μ·v + xᵀ·δ for x (K, B, D) sparse and δ (K, B, H), the
/// gradient of the layer's pre-activations (already divided by the batch size).
pub struct SparseMomentumGrad {
    /// Momentum μ.
    pub momentum: f32,
}

impl InplaceOp3 for SparseMomentumGrad {
    fn name(&self) -> &'static str {
        "sparse-momentum-grad"
    }

    fn cpu_fwd(
        &self,
        sv: &mut CpuStorage,
        lv: &Layout,
        sx: &CpuStorage,
        lx: &Layout,
        sg: &CpuStorage,
        lg: &Layout,
    ) -> Result<()> {
        let (k, b, d) = lx.shape().dims3()?;
        let (_, _, h) = lg.shape().dims3()?;
        if lv.shape().dims3()? != (k, d, h) {
            bail!("{}: velocity shape {:?} does not match ({k}, {d}, {h})", self.name(), lv.shape());
        }
        let (x, g) = (contiguous(sx, lx, self.name())?, contiguous(sg, lg, self.name())?);
        let v = contiguous_mut(sv, lv, self.name())?;
        for m in 0..k {
            let cols = columns_of(&x[m * b * d..(m + 1) * b * d], b, d, false);
            let g_m = &g[m * b * h..(m + 1) * b * h];
            let v_m = &mut v[m * d * h..(m + 1) * d * h];
            v_m.iter_mut().for_each(|e| *e *= self.momentum);
            gather_rows(&cols, g_m, v_m, h);
        }
        Ok(())
    }
}

/// In place on w: w ← w − lr·v.
pub struct Descend {
    /// Learning rate.
    pub lr: f32,
}

impl InplaceOp2 for Descend {
    fn name(&self) -> &'static str {
        "descend"
    }

    fn cpu_fwd(&self, sw: &mut CpuStorage, lw: &Layout, sv: &CpuStorage, lv: &Layout) -> Result<()> {
        let v = contiguous(sv, lv, self.name())?;
        let w = contiguous_mut(sw, lw, self.name())?;
        if w.len() != v.len() {
            bail!("{}: weight and velocity sizes differ", self.name());
        }
        for (wi, vi) in w.iter_mut().zip(v) {
            *wi -= self.lr * vi;
        }
        Ok(())
    }
}

/// In place on v: v ← v + wd·w (weight decay folded into the velocity after the gradient).
pub struct AddDecay {
    /// Weight decay.
    pub weight_decay: f32,
}

impl InplaceOp2 for AddDecay {
    fn name(&self) -> &'static str {
        "add-decay"
    }

    fn cpu_fwd(&self, sv: &mut CpuStorage, lv: &Layout, sw: &CpuStorage, lw: &Layout) -> Result<()> {
        let w = contiguous(sw, lw, self.name())?;
        let v = contiguous_mut(sv, lv, self.name())?;
        if w.len() != v.len() {
            bail!("{}: weight and velocity sizes differ", self.name());
        }
        for (vi, wi) in v.iter_mut().zip(w) {
            *vi += self.weight_decay * wi;
        }
        Ok(())
    }
}

/// In place on v: v ← μ·v + g.
pub struct Accumulate {
    /// Momentum μ.
    pub momentum: f32,
}

impl InplaceOp2 for Accumulate {
    fn name(&self) -> &'static str {
        "accumulate"
    }

    fn cpu_fwd(&self, sv: &mut CpuStorage, lv: &Layout, sg: &CpuStorage, lg: &Layout) -> Result<()> {
        let g = contiguous(sg, lg, self.name())?;
        let v = contiguous_mut(sv, lv, self.name())?;
        if g.len() != v.len() {
            bail!("{}: velocity and gradient sizes differ", self.name());
        }
        for (vi, gi) in v.iter_mut().zip(g) {
            *vi = self.momentum * *vi + gi;
        }
        Ok(())
    }
}
