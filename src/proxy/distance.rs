//! One pass over all pairs of examples by blocked GEMM through Candle (‖a‖² − 2a·b + ‖b‖²): per example,
//! the Gaussian-kernel sums behind the density proxies and its k nearest neighbours. Each pair of row
//! blocks is multiplied once (the distance matrix is symmetric) and only one block (B × B) lives at a time,
//! so N × N is never materialised; the matmul uses Candle's threads, the bookkeeping rayon's.

use super::bandwidth::bandwidth;
use super::block::{Block, Row};
use super::topk::TopK;
use crate::model::ModelError;
use crate::{Error, Result};
use candle_core::{DType, Storage, Tensor};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Settings of a pass over all pairs.
#[derive(Debug, Clone)]
pub struct NeighbourOptions {
    /// Nearest neighbours kept per example (itself excluded).
    pub k: usize,
    /// Rows per block of the blocked GEMM.
    pub block: usize,
    /// Examples sampled to set the kernel bandwidth ([`super::bandwidth`]).
    pub bandwidth_sample: usize,
    /// Seed of that sample.
    pub seed: u64,
    /// Raised, the pass stops after the current block with [`Error::Interrupted`].
    pub stop: Option<Arc<AtomicBool>>,
}

impl Default for NeighbourOptions {
    fn default() -> Self {
        NeighbourOptions { k: 10, block: 2048, bandwidth_sample: 2000, seed: 0, stop: None }
    }
}

/// What one pass over all pairs gathers per example.
#[derive(Debug, Clone)]
pub struct NeighbourStats {
    /// Neighbours kept per example: min(k, N − 1).
    pub k: usize,
    /// Kernel bandwidth h: the median example gets one effective neighbour ([`super::bandwidth`]).
    pub bandwidth: f64,
    /// Σᵢ K(xᵢ, x) over all examples (itself included), K(x, x′) = exp(−‖x − x′‖² / h²).
    pub kernel_sum: Vec<f64>,
    /// The same sum over the examples sharing its label.
    pub same_class_kernel_sum: Vec<f64>,
    /// Indices of the k nearest other examples, nearest first (N × k).
    pub neighbours: Vec<u32>,
    /// Their Euclidean distances (N × k).
    pub neighbour_dist: Vec<f32>,
}

impl NeighbourStats {
    /// No rows yet, with room for `n` of `k` neighbours each.
    pub(super) fn with_capacity(n: usize, k: usize, bandwidth: f64) -> Self {
        NeighbourStats {
            k,
            bandwidth,
            kernel_sum: Vec::with_capacity(n),
            same_class_kernel_sum: Vec::with_capacity(n),
            neighbours: Vec::with_capacity(n * k),
            neighbour_dist: Vec::with_capacity(n * k),
        }
    }
}

/// The squared Euclidean norm of every row of a 2-D f32 tensor.
pub(super) fn row_norms(x: &Tensor) -> Result<Vec<f32>> {
    tensor(x.sqr().and_then(|s| s.sum(1)).and_then(|s| s.to_vec1()))
}

/// Candle's errors as the crate's.
pub(super) fn tensor<T>(r: candle_core::Result<T>) -> Result<T> {
    r.map_err(|e| Error::Model(ModelError::Candle(e)))
}

/// Kernel sums and k nearest neighbours of every row of `x` (N × D, any float dtype, any device).
pub fn neighbour_stats(x: &Tensor, labels: &[u32], opts: &NeighbourOptions) -> Result<NeighbourStats> {
    let (n, _) = tensor(x.dims2())?;
    if labels.len() != n {
        return Err(Error::Config(format!("{} labels for {n} points", labels.len())));
    }
    let Prepared { x, norms, bandwidth, inv_h2, k } = prepare(x, n, opts)?;
    let mut rows: Vec<Row> = (0..n).map(|_| Row { total: 0.0, same: 0.0, top: TopK::new(k) }).collect();
    let b = opts.block.max(1);
    let starts: Vec<usize> = (0..n).step_by(b).collect();
    let (mut d2, mut kernel): (Vec<f32>, Vec<f32>) = (Vec::new(), Vec::new());
    for (bi, &i0) in starts.iter().enumerate() {
        let ni = b.min(n - i0);
        let xi = tensor(x.narrow(0, i0, ni))?;
        for &j0 in &starts[bi..] {
            if opts.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
                return Err(Error::Interrupted);
            }
            let nj = b.min(n - j0);
            let xj = tensor(x.narrow(0, j0, nj))?;
            let dots = tensor(xj.t().and_then(|t| xi.matmul(&t)))?;
            d2.resize(ni * nj, 0.0);
            kernel.resize(ni * nj, 0.0);
            let blk = Block { i0, j0, nj, inv_h2 };
            let (left, right) = rows.split_at_mut(j0);
            on_host(&dots, |dots| {
                if i0 == j0 {
                    blk.rows_pass(&mut right[..ni], dots, &mut d2, &mut kernel, &norms, labels);
                } else {
                    blk.rows_pass(&mut left[i0..i0 + ni], dots, &mut d2, &mut kernel, &norms, labels);
                    blk.columns_pass(&mut right[..nj], &d2, &kernel, labels);
                }
            })?;
        }
    }
    Ok(collect(rows, k, bandwidth))
}

/// As [`neighbour_stats`], for the rows `part` of `x` only (a shard's share): their kernel sums over all
/// N examples and their k nearest among all, in `part`'s order (`part.len()` rows, neighbours as indices
/// into all N). Each block of the part is multiplied with every block of `x` (no symmetry to exploit), so
/// `s` parts together cost twice one whole pass, spread over `s` processes.
pub fn neighbour_stats_part(
    x: &Tensor,
    labels: &[u32],
    opts: &NeighbourOptions,
    part: Range<usize>,
) -> Result<NeighbourStats> {
    let (n, _) = tensor(x.dims2())?;
    if labels.len() != n || part.end > n || part.start > part.end {
        return Err(Error::Config(format!("rows {part:?} of {n} points with {} labels", labels.len())));
    }
    let Prepared { x, norms, bandwidth, inv_h2, k } = prepare(x, n, opts)?;
    let mut rows: Vec<Row> = part.clone().map(|_| Row { total: 0.0, same: 0.0, top: TopK::new(k) }).collect();
    let b = opts.block.max(1);
    let (mut d2, mut kernel): (Vec<f32>, Vec<f32>) = (Vec::new(), Vec::new());
    for i0 in part.clone().step_by(b) {
        let ni = b.min(part.end - i0);
        let xi = tensor(x.narrow(0, i0, ni))?;
        for j0 in (0..n).step_by(b) {
            if opts.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
                return Err(Error::Interrupted);
            }
            let nj = b.min(n - j0);
            let xj = tensor(x.narrow(0, j0, nj))?;
            let dots = tensor(xj.t().and_then(|t| xi.matmul(&t)))?;
            d2.resize(ni * nj, 0.0);
            kernel.resize(ni * nj, 0.0);
            let blk = Block { i0, j0, nj, inv_h2 };
            let mine = &mut rows[i0 - part.start..i0 - part.start + ni];
            on_host(&dots, |dots| blk.rows_pass(mine, dots, &mut d2, &mut kernel, &norms, labels))?;
        }
    }
    Ok(collect(rows, k, bandwidth))
}

/// What both passes start from: the inputs as contiguous f32, their squared norms, the kernel bandwidth
/// (and 1/h²), and the neighbours kept.
struct Prepared {
    x: Tensor,
    norms: Vec<f32>,
    bandwidth: f64,
    inv_h2: f32,
    k: usize,
}

fn prepare(x: &Tensor, n: usize, opts: &NeighbourOptions) -> Result<Prepared> {
    let x = tensor(x.to_dtype(DType::F32).and_then(|x| x.contiguous()))?;
    let norms = row_norms(&x)?;
    let bandwidth = bandwidth(&x, opts)?;
    let inv_h2 = (1.0 / (bandwidth * bandwidth)) as f32;
    Ok(Prepared { x, norms, bandwidth, inv_h2, k: opts.k.min(n.saturating_sub(1)) })
}

/// The accumulated rows as statistics (distances from squared to Euclidean).
fn collect(rows: Vec<Row>, k: usize, bandwidth: f64) -> NeighbourStats {
    let n = rows.len();
    let mut out = NeighbourStats::with_capacity(n, k, bandwidth);
    for row in rows {
        out.kernel_sum.push(row.total);
        out.same_class_kernel_sum.push(row.same);
        let (dist, idx) = row.top.into_sorted();
        out.neighbours.extend(idx);
        out.neighbour_dist.extend(dist.iter().map(|d| d.sqrt()));
    }
    out
}

/// Runs `f` on the values of a contiguous f32 tensor: borrowed in place on the CPU (no copy of the block),
/// copied to the host from another device.
pub(super) fn on_host<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> Result<R> {
    if t.is_contiguous() {
        let (storage, layout) = t.storage_and_layout();
        if let Storage::Cpu(cpu) = &*storage {
            let all = tensor(cpu.as_slice::<f32>())?;
            let start = layout.start_offset();
            return Ok(f(&all[start..start + t.elem_count()]));
        }
    }
    let v: Vec<f32> = tensor(t.flatten_all().and_then(|v| v.to_vec1()))?;
    Ok(f(&v))
}
