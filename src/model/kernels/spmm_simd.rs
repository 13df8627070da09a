//! The kernels of [`super::spmm`] for each instruction set. The vector versions keep 8 registers of
//! output columns in flight (a whole 128-float panel with AVX-512, half of one with AVX2) while walking
//! one row's non-zeros within one tile of the dense operand (which stays in the L1 cache), so each term
//! costs one load and one fused multiply-add; a last, narrower panel uses the portable code, compiled
//! inside the same target features. Tiling changes where partial sums wait, not the order of the terms.

use super::sparse_block::Compressed;
use super::spmm::{Step, PANEL};

/// [`super::spmm::forward_rows`] for the panels `from..` of w (see [`PANEL`]).
#[inline(always)]
pub fn forward_rows_portable(
    rows: &Compressed,
    w: &[f32],
    bias: &[f32],
    out: &mut [f32],
    h: usize,
    from: usize,
) {
    let d = w.len() / h;
    for p in from..h.div_ceil(PANEL) {
        let (c0, pw) = (p * PANEL, PANEL.min(h - p * PANEL));
        let panel = &w[c0 * d..c0 * d + d * pw];
        for r in 0..rows.majors() {
            let o = &mut out[r * h + c0..r * h + c0 + pw];
            o.copy_from_slice(&bias[c0..c0 + pw]);
            for e in rows.start[r]..rows.start[r + 1] {
                let (x, j) = (rows.value[e], rows.index[e] as usize);
                for (oc, &wc) in o.iter_mut().zip(&panel[j * pw..(j + 1) * pw]) {
                    *oc = x.mul_add(wc, *oc);
                }
            }
            for oc in o.iter_mut() {
                *oc = oc.max(0.0);
            }
        }
    }
}

/// [`super::spmm::momentum_cols`] for the panels `from..` of v, w and g (see [`PANEL`]).
#[inline(always)]
pub fn momentum_cols_portable(
    cols: &Compressed,
    g: &[f32],
    h: usize,
    v: &mut [f32],
    w: &mut [f32],
    step: Step,
    from: usize,
) {
    let (d, b) = (cols.majors(), g.len() / h);
    for p in from..h.div_ceil(PANEL) {
        let (c0, pw) = (p * PANEL, PANEL.min(h - p * PANEL));
        let g_panel = &g[c0 * b..c0 * b + b * pw];
        for j in 0..d {
            let at = c0 * d + j * pw;
            let (vr, wr) = (&mut v[at..at + pw], &mut w[at..at + pw]);
            for vc in vr.iter_mut() {
                *vc *= step.momentum;
            }
            for e in cols.start[j]..cols.start[j + 1] {
                let (x, i) = (cols.value[e], cols.index[e] as usize);
                for (vc, &gc) in vr.iter_mut().zip(&g_panel[i * pw..(i + 1) * pw]) {
                    *vc = x.mul_add(gc, *vc);
                }
            }
            if step.weight_decay != 0.0 {
                for (vc, &wc) in vr.iter_mut().zip(wr.iter()) {
                    *vc = step.weight_decay.mul_add(wc, *vc);
                }
            }
            for (wc, &vc) in wr.iter_mut().zip(vr.iter()) {
                *wc = (-step.lr).mul_add(vc, *wc);
            }
        }
    }
}

/// Stamps out the register-blocked kernels for one instruction set.
macro_rules! isa_kernels {
    ($name:ident, $feat:literal, $lanes:expr, $load:ident, $store:ident, $set1:ident, $fmadd:ident,
     $fnmadd:ident, $mul:ident, $max:ident, $zero:ident) => {
        #[cfg(target_arch = "x86_64")]
        pub mod $name {
            use super::{Compressed, Step, PANEL};
            use std::arch::x86_64::*;

            const L: usize = $lanes;
            const R: usize = 8;
            /// Passes over each panel row, R vectors at a time.
            const HALVES: usize = PANEL / (R * L);

            /// # Safety
            /// The CPU supports the target features; the shapes passed [`super::super::spmm`]'s checks.
            #[target_feature(enable = $feat)]
            pub unsafe fn forward_rows(
                rows: &Compressed,
                w: &[f32],
                bias: &[f32],
                out: &mut [f32],
                h: usize,
            ) {
                let (d, full) = (w.len() / h, h / PANEL);
                let (wp, op) = (w.as_ptr(), out.as_mut_ptr());
                let (index, value) = (rows.index.as_ptr(), rows.value.as_ptr());
                // Rows start at the bias; each tile of W's rows adds its terms, in column order.
                for r in 0..rows.majors() {
                    out[r * h..r * h + full * PANEL].copy_from_slice(&bias[..full * PANEL]);
                }
                for p in 0..full {
                    for half in 0..HALVES {
                        let c0 = p * PANEL + half * R * L;
                        let panel = wp.add(p * PANEL * d + half * R * L);
                        for t in 0..rows.tiles {
                            for r in 0..rows.majors() {
                                let (s, e) = rows.tile_range(r, t);
                                if s == e {
                                    continue;
                                }
                                let o = op.add(r * h + c0);
                                let mut acc = [$zero(); R];
                                for (k, a) in acc.iter_mut().enumerate() {
                                    *a = $load(o.add(k * L));
                                }
                                for q in s..e {
                                    let x = $set1(*value.add(q));
                                    let wr = panel.add(*index.add(q) as usize * PANEL);
                                    for (k, a) in acc.iter_mut().enumerate() {
                                        *a = $fmadd(x, $load(wr.add(k * L)), *a);
                                    }
                                }
                                for (k, a) in acc.iter().enumerate() {
                                    $store(o.add(k * L), *a);
                                }
                            }
                        }
                    }
                }
                for r in 0..rows.majors() {
                    for v in &mut out[r * h..r * h + full * PANEL] {
                        *v = v.max(0.0);
                    }
                }
                super::forward_rows_portable(rows, w, bias, out, h, full);
            }

            /// # Safety
            /// The CPU supports the target features; the shapes passed [`super::super::spmm`]'s checks.
            #[target_feature(enable = $feat)]
            pub unsafe fn momentum_cols(
                cols: &Compressed,
                g: &[f32],
                h: usize,
                v: &mut [f32],
                w: &mut [f32],
                step: Step,
            ) {
                let (d, b, full) = (cols.majors(), g.len() / h, h / PANEL);
                let (gp, vp, wp) = (g.as_ptr(), v.as_mut_ptr(), w.as_mut_ptr());
                let (index, value) = (cols.index.as_ptr(), cols.value.as_ptr());
                let (mu, lr, wd) = ($set1(step.momentum), $set1(step.lr), $set1(step.weight_decay));
                let decay = step.weight_decay != 0.0;
                for p in 0..full {
                    for half in 0..HALVES {
                        let g_panel = gp.add(p * PANEL * b + half * R * L);
                        // Tiles of the batch's rows: the first scales the velocity, the last finishes the
                        // step; in between the velocity holds the partial sum.
                        for t in 0..cols.tiles {
                            let (first, last) = (t == 0, t + 1 == cols.tiles);
                            for j in 0..d {
                                let (s, e) = cols.tile_range(j, t);
                                if s == e && !first && !last {
                                    continue;
                                }
                                let at = p * PANEL * d + j * PANEL + half * R * L;
                                let (vr, wr) = (vp.add(at), wp.add(at));
                                let mut acc = [$zero(); R];
                                for (k, a) in acc.iter_mut().enumerate() {
                                    let old = $load(vr.add(k * L));
                                    *a = if first { $mul(mu, old) } else { old };
                                }
                                for q in s..e {
                                    let x = $set1(*value.add(q));
                                    let gr = g_panel.add(*index.add(q) as usize * PANEL);
                                    for (k, a) in acc.iter_mut().enumerate() {
                                        *a = $fmadd(x, $load(gr.add(k * L)), *a);
                                    }
                                }
                                if last && decay {
                                    for (k, a) in acc.iter_mut().enumerate() {
                                        *a = $fmadd(wd, $load(wr.add(k * L)), *a);
                                    }
                                }
                                for (k, a) in acc.iter().enumerate() {
                                    $store(vr.add(k * L), *a);
                                    if last {
                                        $store(wr.add(k * L), $fnmadd(lr, *a, $load(wr.add(k * L))));
                                    }
                                }
                            }
                        }
                    }
                }
                super::momentum_cols_portable(cols, g, h, v, w, step, full);
            }
        }
    };
}

isa_kernels!(
    avx512,
    "avx512f,avx2,fma",
    16,
    _mm512_loadu_ps,
    _mm512_storeu_ps,
    _mm512_set1_ps,
    _mm512_fmadd_ps,
    _mm512_fnmadd_ps,
    _mm512_mul_ps,
    _mm512_max_ps,
    _mm512_setzero_ps
);

isa_kernels!(
    avx2,
    "avx2,fma",
    8,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_set1_ps,
    _mm256_fmadd_ps,
    _mm256_fnmadd_ps,
    _mm256_mul_ps,
    _mm256_max_ps,
    _mm256_setzero_ps
);
