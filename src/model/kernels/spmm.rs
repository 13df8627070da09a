//! Sparse rows times dense weights, register-blocked: the first layer's forward product and its fused
//! momentum step. Each output element sums its terms in the same order on every instruction set (one
//! fused multiply-add per term), so AVX-512, AVX2 and the portable code give identical results.
//!
//! The weights (and velocity) of this layer are stored in panels of [`PANEL`] columns: panel p holds
//! columns p·PANEL.. of every row, row after row, so the part of the matrix a pass reads is contiguous
//! (a row-major matrix with 2 KiB rows aliases in the caches and spills them).

use super::sparse_block::Compressed;
use super::spmm_simd;
use std::sync::OnceLock;

/// Columns per panel of the first layer's weights.
pub const PANEL: usize = 128;

/// Position of element (j, c) of a d × h matrix stored in panels.
pub fn panel_index(j: usize, c: usize, d: usize, h: usize) -> usize {
    let (p, pw) = (c / PANEL, PANEL.min(h - c / PANEL * PANEL));
    p * PANEL * d + j * pw + c % PANEL
}

/// A row-major d × h matrix in panels.
pub fn to_panels(row_major: &[f32], d: usize, h: usize) -> Vec<f32> {
    let mut out = Vec::new();
    pack_panels(row_major, d, h, &mut out);
    out
}

/// Writes a row-major d × h matrix into `out` (resized) in panels.
pub fn pack_panels(row_major: &[f32], d: usize, h: usize, out: &mut Vec<f32>) {
    out.resize(d * h, 0.0);
    for p in 0..h.div_ceil(PANEL) {
        let (c0, pw) = (p * PANEL, PANEL.min(h - p * PANEL));
        for (j, dst) in out[c0 * d..c0 * d + d * pw].chunks_exact_mut(pw).enumerate() {
            dst.copy_from_slice(&row_major[j * h + c0..j * h + c0 + pw]);
        }
    }
}

/// One momentum-SGD step's constants.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// Momentum μ.
    pub momentum: f32,
    /// Learning rate.
    pub lr: f32,
    /// Weight decay (added to the velocity).
    pub weight_decay: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Isa {
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    Portable,
}

fn isa() -> Isa {
    static ISA: OnceLock<Isa> = OnceLock::new();
    *ISA.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            if std::env::var_os("CSCORE_NO_AVX512").is_none()
                && std::arch::is_x86_feature_detected!("avx512f")
            {
                return Isa::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                return Isa::Avx2;
            }
        }
        Isa::Portable
    })
}

/// out[r, :] = relu(bias + Σ_{(c, x) ∈ rows[r]} x · w[c, :]) with w (D, h) in panels, out (rows, h)
/// row-major.
/// Returns false (and changes nothing) when the shapes do not fit.
pub fn forward_rows(rows: &Compressed, w: &[f32], bias: &[f32], out: &mut [f32], h: usize) -> bool {
    if !shapes_fit_forward(rows, w, bias, out, h) {
        return false;
    }
    match isa() {
        // SAFETY: the CPU has the instruction set (checked in `isa`), and the shapes were checked above.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { spmm_simd::avx512::forward_rows(rows, w, bias, out, h) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { spmm_simd::avx2::forward_rows(rows, w, bias, out, h) },
        Isa::Portable => spmm_simd::forward_rows_portable(rows, w, bias, out, h, 0),
    }
    true
}

/// True when every index of `rows` addresses a row of `w` and `out` holds every output row.
pub fn shapes_fit_forward(rows: &Compressed, w: &[f32], bias: &[f32], out: &[f32], h: usize) -> bool {
    h > 0
        && w.len().is_multiple_of(h)
        && bias.len() >= h
        && out.len() >= rows.majors() * h
        && rows.is_valid_for(w.len() / h)
}

/// For each column j of a block: v[j, :] ← μ·v[j, :] + Σ_{(i, x) ∈ cols[j]} x·g[i, :] + wd·w[j, :], then
/// w[j, :] ← w[j, :] − lr·v[j, :]; g (B, h), v and w (D, h) are all in panels. Returns false (and changes
/// nothing) when the shapes do not fit.
pub fn momentum_cols(
    cols: &Compressed,
    g: &[f32],
    h: usize,
    v: &mut [f32],
    w: &mut [f32],
    step: Step,
) -> bool {
    let d = cols.majors();
    if h == 0
        || v.len() != d * h
        || w.len() != d * h
        || !g.len().is_multiple_of(h)
        || !cols.is_valid_for(g.len() / h)
    {
        return false;
    }
    match isa() {
        // SAFETY: the CPU has the instruction set (checked in `isa`), and the shapes were checked above.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { spmm_simd::avx512::momentum_cols(cols, g, h, v, w, step) },
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { spmm_simd::avx2::momentum_cols(cols, g, h, v, w, step) },
        Isa::Portable => spmm_simd::momentum_cols_portable(cols, g, h, v, w, step, 0),
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::kernels::sparse_block::SparseBlock;

    fn block(b: usize, d: usize) -> (Vec<f32>, SparseBlock) {
        let x: Vec<f32> =
            (0..b * d).map(|i| if (i * 7) % 5 < 3 { 0.0 } else { ((i * 13) % 17) as f32 / 17.0 }).collect();
        let mut blk = SparseBlock::default();
        blk.fill(&x, b, d, true);
        (x, blk)
    }

    /// Widths around the register blocks (64 floats for AVX2, 128 for AVX-512) and their tails.
    #[test]
    fn forward_matches_the_dense_product() {
        for h in [1, 7, 16, 63, 64, 100, 128, 130, 257] {
            let (b, d) = (9, 150); // three tiles of W rows
            let (x, blk) = block(b, d);
            let w: Vec<f32> = (0..d * h).map(|i| ((i * 31) % 29) as f32 / 29.0 - 0.5).collect();
            let wp = to_panels(&w, d, h);
            let bias: Vec<f32> = (0..h).map(|i| (i % 5) as f32 * 0.1 - 0.2).collect();
            let mut out = vec![f32::NAN; b * h];
            assert!(forward_rows(&blk.rows, &wp, &bias, &mut out, h));
            let mut portable = vec![f32::NAN; b * h];
            spmm_simd::forward_rows_portable(&blk.rows, &wp, &bias, &mut portable, h, 0);
            assert_eq!(out, portable, "h = {h}: the instruction sets disagree");
            for i in 0..b {
                for c in 0..h {
                    let z: f32 = bias[c] + (0..d).map(|j| x[i * d + j] * w[j * h + c]).sum::<f32>();
                    assert!((out[i * h + c] - z.max(0.0)).abs() < 1e-5, "h = {h}, ({i}, {c})");
                }
            }
        }
    }

    #[test]
    fn momentum_step_matches_the_dense_update() {
        for h in [3, 64, 128, 200, 256] {
            let (b, d) = (150, 19); // three tiles of batch rows
            let (x, blk) = block(b, d);
            let g: Vec<f32> = (0..b * h).map(|i| ((i * 11) % 23) as f32 / 23.0 - 0.5).collect();
            let v0: Vec<f32> = (0..d * h).map(|i| ((i * 3) % 7) as f32 * 0.01).collect();
            let w0: Vec<f32> = (0..d * h).map(|i| ((i * 5) % 9) as f32 * 0.1 - 0.4).collect();
            let step = Step { momentum: 0.9, lr: 0.1, weight_decay: 0.01 };
            let gp = to_panels(&g, b, h);
            let (mut v, mut w) = (to_panels(&v0, d, h), to_panels(&w0, d, h));
            assert!(momentum_cols(&blk.cols, &gp, h, &mut v, &mut w, step));
            let (mut vp, mut wp) = (to_panels(&v0, d, h), to_panels(&w0, d, h));
            spmm_simd::momentum_cols_portable(&blk.cols, &gp, h, &mut vp, &mut wp, step, 0);
            assert_eq!((&v, &w), (&vp, &wp), "h = {h}: the instruction sets disagree");
            for j in 0..d {
                for c in 0..h {
                    let grad: f32 = (0..b).map(|i| x[i * d + j] * g[i * h + c]).sum();
                    let ve = 0.9 * v0[j * h + c] + grad + 0.01 * w0[j * h + c];
                    let we = w0[j * h + c] - 0.1 * ve;
                    let at = panel_index(j, c, d, h);
                    assert!((v[at] - ve).abs() < 1e-5 && (w[at] - we).abs() < 1e-5);
                }
            }
        }
    }

    #[test]
    fn inconsistent_shapes_change_nothing() {
        let (_, blk) = block(4, 6);
        let mut v = vec![1.0; 6 * 8];
        let mut w = vec![1.0; 6 * 8];
        let step = Step { momentum: 0.9, lr: 0.1, weight_decay: 0.0 };
        // g has 3 rows, but the block indexes 4; w has 1 row, but the block indexes 6 columns.
        assert!(!momentum_cols(&blk.cols, &[0.5; 3 * 8], 8, &mut v, &mut w, step));
        assert!(v.iter().chain(&w).all(|&e| e == 1.0));
        let mut out = vec![7.0; 4 * 8];
        assert!(!forward_rows(&blk.rows, &[0.5; 8], &[0.0; 8], &mut out, 8));
        // Element (j, c) of a 2 × 130 matrix: the first panel is 128 wide, the second 2.
        assert_eq!(panel_index(1, 5, 2, 130), 128 + 5);
        assert_eq!(panel_index(1, 129, 2, 130), 256 + 2 + 1);
        assert!(out.iter().all(|&e| e == 7.0));
    }
}
