//! The bookkeeping of one block of the all-pairs pass: dot products to squared distances and kernel
//! values, accumulated into the rows of the block (row-wise) and of the column block (column-wise), in
//! loops written so that the compiler vectorises them.

use super::topk::TopK;
use rayon::prelude::*;

/// Columns a rayon task owns in the column-wise pass.
const COLUMN_CHUNK: usize = 64;

/// Lanes of the vectorised row sums.
const LANES: usize = 8;

/// Accumulators of one example.
pub(super) struct Row {
    pub total: f64,
    pub same: f64,
    pub top: TopK,
}

/// One block of the distance matrix: rows i0.., columns j0..j0+nj.
pub(super) struct Block {
    pub i0: usize,
    pub j0: usize,
    pub nj: usize,
    pub inv_h2: f32,
}

impl Block {
    /// Turns the `dots` products into squared distances `d2` and `kernel` values, and accumulates them
    /// into the block's `rows`.
    pub fn rows_pass(
        &self,
        rows: &mut [Row],
        dots: &[f32],
        d2: &mut [f32],
        kernel: &mut [f32],
        norms: &[f32],
        labels: &[u32],
    ) {
        let (i0, j0, nj, inv_h2) = (self.i0, self.j0, self.nj, self.inv_h2);
        let col_norms = &norms[j0..j0 + nj];
        let col_labels = &labels[j0..j0 + nj];
        let blocks = dots.par_chunks(nj).zip(d2.par_chunks_mut(nj)).zip(kernel.par_chunks_mut(nj));
        rows.par_iter_mut().zip(blocks).enumerate().for_each(|(r, (row, ((dots, g), kv)))| {
            let a = i0 + r;
            let (mut total, mut same) =
                kernel_row(dots, g, kv, col_norms, col_labels, norms[a], labels[a], inv_h2);
            // The example itself (when its column is in this block): distance exactly 0, kernel exactly 1.
            let own = (j0..j0 + nj).contains(&a).then(|| a - j0);
            if let Some(c) = own {
                total += 1.0 - f64::from(kv[c]);
                same += 1.0 - f64::from(kv[c]);
                g[c] = 0.0;
                kv[c] = 1.0;
            }
            row.total += total;
            row.same += same;
            let mut worst = row.top.worst();
            for (base, lane) in g.chunks(LANES).enumerate().map(|(i, l)| (i * LANES, l)) {
                if !lane.iter().fold(false, |hit, &v| hit | (v < worst)) {
                    continue;
                }
                for (c, &v) in lane.iter().enumerate().map(|(t, v)| (base + t, v)) {
                    if v < worst && own != Some(c) {
                        row.top.push(v, (j0 + c) as u32);
                        worst = row.top.worst();
                    }
                }
            }
        });
    }

    /// Accumulates the block, read by columns, into the rows of the column block (j0 ≠ i0).
    pub fn columns_pass(&self, rows: &mut [Row], d2: &[f32], kernel: &[f32], labels: &[u32]) {
        let (i0, j0, nj) = (self.i0, self.j0, self.nj);
        let ni = d2.len() / nj;
        rows.par_chunks_mut(COLUMN_CHUNK).enumerate().for_each(|(ci, chunk)| {
            let c0 = ci * COLUMN_CHUNK;
            let m = chunk.len();
            let chunk_labels = &labels[j0 + c0..j0 + c0 + m];
            let mut total = [0f32; COLUMN_CHUNK];
            let mut same = [0f32; COLUMN_CHUNK];
            let mut worst = [0f32; COLUMN_CHUNK];
            for (w, row) in worst.iter_mut().zip(chunk.iter()) {
                *w = row.top.worst();
            }
            for r in 0..ni {
                let a = i0 + r;
                let la = labels[a];
                let start = r * nj + c0;
                let g = &d2[start..start + m];
                let kv = &kernel[start..start + m];
                for t in 0..m {
                    total[t] += kv[t];
                    same[t] += if chunk_labels[t] == la { kv[t] } else { 0.0 };
                }
                if !(0..m).fold(false, |hit, t| hit | (g[t] < worst[t])) {
                    continue;
                }
                for t in 0..m {
                    if g[t] < worst[t] {
                        chunk[t].top.push(g[t], a as u32);
                        worst[t] = chunk[t].top.worst();
                    }
                }
            }
            for t in 0..m {
                chunk[t].total += f64::from(total[t]);
                chunk[t].same += f64::from(same[t]);
            }
        });
    }
}

/// Turns one block row of `dots` into squared distances `g`, writes the kernel values into `kv`, and
/// returns their sum over all columns and over the columns labelled `la` (row norm `na`). Separate and
/// not inlined so that the slices are known not to alias and the lane loop vectorises.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn kernel_row(
    dots: &[f32],
    g: &mut [f32],
    kv: &mut [f32],
    col_norms: &[f32],
    col_labels: &[u32],
    na: f32,
    la: u32,
    inv_h2: f32,
) -> (f64, f64) {
    let (mut total, mut same) = ([0f32; LANES], [0f32; LANES]);
    let mut ds = dots.chunks_exact(LANES);
    let mut gs = g.chunks_exact_mut(LANES);
    let mut ks = kv.chunks_exact_mut(LANES);
    let mut ns = col_norms.chunks_exact(LANES);
    let mut ls = col_labels.chunks_exact(LANES);
    for ((((d, g), kv), nb), lb) in (&mut ds).zip(&mut gs).zip(&mut ks).zip(&mut ns).zip(&mut ls) {
        for t in 0..LANES {
            let (v, e) = distance_kernel(d[t], na + nb[t], inv_h2);
            g[t] = v;
            kv[t] = e;
            total[t] += e;
            same[t] += if lb[t] == la { e } else { 0.0 };
        }
    }
    let rest = ds.remainder().iter().zip(gs.into_remainder()).zip(ks.into_remainder());
    for (((&d, g), kv), (&nb, &lb)) in rest.zip(ns.remainder().iter().zip(ls.remainder())) {
        let (v, e) = distance_kernel(d, na + nb, inv_h2);
        *g = v;
        *kv = e;
        total[0] += e;
        same[0] += if lb == la { e } else { 0.0 };
    }
    let sum = |v: [f32; LANES]| v.iter().map(|&x| f64::from(x)).sum::<f64>();
    (sum(total), sum(same))
}

/// The squared distance from a dot product and `norms` = ‖a‖² + ‖b‖² (clamped at 0), and its kernel
/// value exp(−d²/h²).
#[inline(always)]
fn distance_kernel(dot: f32, norms: f32, inv_h2: f32) -> (f32, f32) {
    let v = norms - 2.0 * dot;
    let v = if v > 0.0 { v } else { 0.0 };
    (v, exp_neg(v * inv_h2))
}

/// e^(−x) for x ≥ 0 in plain arithmetic (no libm call, no branch), so that loops over it vectorise:
/// 2^(−t) = 2^(−i)·2^(−f) with t = x·log₂e, i the nearest integer (by the 1.5·2²³ rounding trick) and
/// |f| ≤ ½, the second factor by a degree-6 Taylor polynomial (relative error below 3·10⁻⁷, plus the f32
/// rounding of x·log₂e: about 10⁻⁷·x). Underflows to about 2⁻¹²⁶ instead of 0.
#[inline(always)]
pub(super) fn exp_neg(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0; // 1.5·2²³: adding it rounds to an integer kept in the low bits
    let t = x * std::f32::consts::LOG2_E;
    let t = if t < 126.0 { t } else { 126.0 };
    let r = t + ROUND;
    let i = r.to_bits().wrapping_sub(ROUND.to_bits());
    let y = (r - ROUND - t) * std::f32::consts::LN_2;
    let p = 1.0
        + y * (1.0 + y * (0.5 + y * (1.0 / 6.0 + y * (1.0 / 24.0 + y * (1.0 / 120.0 + y * (1.0 / 720.0))))));
    f32::from_bits(127u32.wrapping_sub(i) << 23) * p
}

#[cfg(test)]
mod tests {
    use super::exp_neg;

    #[test]
    fn fast_exp_is_accurate() {
        for k in 0..20000 {
            let x = k as f32 * 0.004;
            let want = (-f64::from(x)).exp();
            let got = f64::from(exp_neg(x));
            // The polynomial's error plus the f32 rounding of x·log₂e, which grows with x.
            let tol = 3e-7 + 1.2e-7 * f64::from(x);
            assert!(((got - want) / want).abs() < tol, "x = {x}: {got} vs {want}");
        }
        assert!(exp_neg(1e6) < 1e-37);
        assert_eq!(exp_neg(0.0), 1.0);
    }
}
