//! The pairwise-distance statistics at a cost about linear in N, for datasets where the all-pairs pass is
//! too slow: k nearest neighbours from an inverted-file index (`ivf.rs`) over a principal-subspace
//! projection (`pca.rs`); kernel sums that take each example's nearest neighbours one by one and estimate
//! the rest of each class from a class-stratified reference sample (`reference.rs`). The inputs are read
//! in row blocks (twice: the projection, then the sums), so the full f32 N × D matrix is never needed; only
//! the projected N × d one is held. [`neighbour_stats_auto`] picks the exact pass for small data and this
//! one above.

use super::bandwidth::{bandwidth_of, bandwidth_sample};
use super::distance::{neighbour_stats, on_host, row_norms, tensor};
use super::distance::{NeighbourOptions, NeighbourStats};
use super::ivf::{Index, IvfOptions};
use super::pca::Projection;
use super::reference::{Near, Reference};
use crate::{Error, Result};
use candle_core::{DType, Tensor};
use std::ops::Range;
use std::sync::atomic::Ordering;

/// Examples whose neighbour lists are held at once (their kernel sums are computed before the next ones
/// are searched): 30 neighbours of 65,536 examples, 16 MB.
const SEARCH_ROWS: usize = 65_536;

/// Settings of the approximate statistics.
#[derive(Debug, Clone)]
pub struct ApproxOptions {
    /// Examples in the kernel sums' reference sample (about; stratified by class).
    pub reference: usize,
    /// Reference members kept of every class (all of a smaller one).
    pub min_per_class: usize,
    /// Dimensions of the projection the neighbours are searched in.
    pub dims: usize,
    /// Examples the projection is fitted to.
    pub projection_sample: usize,
    /// Inverted lists of the neighbour index (`None`: 4·√N).
    pub lists: Option<usize>,
    /// Lists searched per example.
    pub probes: usize,
    /// Examples the index's k-means is trained on.
    pub train_sample: usize,
    /// Lloyd iterations of that k-means.
    pub iterations: usize,
    /// Nearest neighbours whose kernel terms are summed one by one (the rest of the sums is estimated
    /// from the reference); 0: the reference alone.
    pub density_neighbours: usize,
}

impl Default for ApproxOptions {
    fn default() -> Self {
        ApproxOptions {
            reference: 4000,
            min_per_class: 100,
            dims: 128,
            projection_sample: 8192,
            lists: None,
            probes: 16,
            train_sample: 100_000,
            // 4 rounds: on full MNIST, k-NN recall@10 0.8735 against 0.8741 with 8, in half the time (which
            // every shard of a sharded estimate spends)
            iterations: 4,
            // On full MNIST (5% flipped labels) ρ of relative_density against the exact pass: 0.948 from
            // the reference alone, 0.988 with 30 neighbours summed one by one, in 1.05× the time
            density_neighbours: 30,
        }
    }
}

/// How the pairwise-distance statistics are computed.
#[derive(Debug, Clone)]
pub enum NeighbourMethod {
    /// Exact up to `exact_up_to` examples, approximate above.
    Auto {
        /// Largest N given the exact pass.
        exact_up_to: usize,
        /// Settings above it.
        approx: ApproxOptions,
    },
    /// Always the exact all-pairs pass.
    Exact,
    /// Always the approximate one.
    Approximate(ApproxOptions),
}

impl Default for NeighbourMethod {
    /// Exact up to 100,000 examples (under about two minutes on two cores), approximate above.
    fn default() -> Self {
        NeighbourMethod::Auto { exact_up_to: 100_000, approx: ApproxOptions::default() }
    }
}

impl NeighbourMethod {
    /// Whether `n` examples get the approximate statistics.
    pub fn approximates(&self, n: usize) -> bool {
        match self {
            NeighbourMethod::Auto { exact_up_to, .. } => n > *exact_up_to,
            NeighbourMethod::Exact => false,
            NeighbourMethod::Approximate(_) => true,
        }
    }
}

impl std::str::FromStr for NeighbourMethod {
    type Err = Error;

    /// `auto`, `exact` or `approximate` (`approx`), with default settings.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "auto" => Ok(NeighbourMethod::default()),
            "exact" => Ok(NeighbourMethod::Exact),
            "approximate" | "approx" => Ok(NeighbourMethod::Approximate(ApproxOptions::default())),
            other => Err(Error::Config(format!(
                "unknown neighbour method '{other}'; expected auto, exact or approximate"
            ))),
        }
    }
}

/// The statistics of `x` by the default [`NeighbourMethod`]: exact for small data, approximate for large.
pub fn neighbour_stats_auto(x: &Tensor, labels: &[u32], opts: &NeighbourOptions) -> Result<NeighbourStats> {
    neighbour_stats_by(x, labels, opts, &NeighbourMethod::default())
}

/// The statistics of `x` (N × D) by `method`.
pub fn neighbour_stats_by(
    x: &Tensor,
    labels: &[u32],
    opts: &NeighbourOptions,
    method: &NeighbourMethod,
) -> Result<NeighbourStats> {
    let n = tensor(x.dim(0))?;
    match method {
        NeighbourMethod::Exact => neighbour_stats(x, labels, opts),
        NeighbourMethod::Auto { exact_up_to, .. } if n <= *exact_up_to => neighbour_stats(x, labels, opts),
        NeighbourMethod::Auto { approx, .. } | NeighbourMethod::Approximate(approx) => {
            neighbour_stats_approx(x, labels, opts, approx)
        }
    }
}

/// The approximate statistics of the rows of `x` (N × D, any float dtype, any device).
pub fn neighbour_stats_approx(
    x: &Tensor,
    labels: &[u32],
    opts: &NeighbourOptions,
    approx: &ApproxOptions,
) -> Result<NeighbourStats> {
    let (n, _) = tensor(x.dims2())?;
    neighbour_stats_approx_rows(&|start, len| tensor(x.narrow(0, start, len)), n, labels, opts, approx)
}

/// The approximate statistics of N examples whose inputs `rows(start, len)` gives block by block (a
/// `len` × D float tensor each, e.g. `model::DeviceData::inputs`). Neighbour distances are measured in
/// the projection; kernel sums, with the exact pass's bandwidth sample, in the inputs themselves (the
/// neighbours' terms from the projection's distances plus the rows' distances from its subspace, unless a
/// neighbour is in the reference sample).
pub fn neighbour_stats_approx_rows(
    rows: &dyn Fn(usize, usize) -> Result<Tensor>,
    n: usize,
    labels: &[u32],
    opts: &NeighbourOptions,
    approx: &ApproxOptions,
) -> Result<NeighbourStats> {
    neighbour_stats_approx_part(rows, n, labels, opts, approx, 0..n)
}

/// As [`neighbour_stats_approx_rows`], for the rows `part` only (a shard's share), in its order: the
/// samples, projection and index are those of all N (seeded, so every part agrees with the whole), the
/// kernel sums and neighbour searches only the part's.
pub fn neighbour_stats_approx_part(
    rows: &dyn Fn(usize, usize) -> Result<Tensor>,
    n: usize,
    labels: &[u32],
    opts: &NeighbourOptions,
    approx: &ApproxOptions,
    part: Range<usize>,
) -> Result<NeighbourStats> {
    if labels.len() != n || part.end > n || part.start > part.end {
        return Err(Error::Config(format!("rows {part:?} of {n} points with {} labels", labels.len())));
    }
    let stopped = || opts.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed));
    let started = std::time::Instant::now();
    let k = opts.k.min(n.saturating_sub(1));
    // Neighbours searched: the k of the statistics, and those the kernel sums take one by one.
    let searched = k.max(approx.density_neighbours).min(n.saturating_sub(1));
    let bandwidth = match gather(rows, &bandwidth_sample(n, opts))? {
        Some(s) => bandwidth_of(&s, n)?,
        None => 1.0,
    };
    let inv_h2 = (1.0 / (bandwidth * bandwidth)) as f32;
    let reference = Reference::select(labels, approx.reference, approx.min_per_class, opts.seed);
    let ref_x = gather(rows, &reference.indices)?;
    let ref_norms: Vec<f32> = match &ref_x {
        Some(r) => row_norms(r)?,
        None => Vec::new(),
    };
    let ref_t = ref_x.map(|r| tensor(r.t())).transpose()?;
    let projection = match searched {
        0 => None,
        _ => {
            let sample = projection_sample(n, approx.projection_sample, opts.seed);
            match gather(rows, &sample)? {
                Some(s) => Some(Projection::fit(&s, approx.dims, 8, opts.seed)?),
                None => None,
            }
        }
    };
    tracing::debug!(target: "cscore::proxy", "samples and projection: {:?}", started.elapsed());
    let block = opts.block.max(1);
    // First pass: every row projected, for the index, with its distance from the subspace.
    let (mut index, mut residual) = (None, Vec::new());
    if let Some(p) = &projection {
        let mut projected: Vec<f32> = Vec::with_capacity(n * p.dims());
        residual.reserve(n);
        for i0 in (0..n).step_by(block) {
            if stopped() {
                return Err(Error::Interrupted);
            }
            let nb = block.min(n - i0);
            let xb = tensor(rows(i0, nb)?.to_dtype(DType::F32).and_then(|x| x.contiguous()))?;
            let (y, r) = p.apply_with_residual(&xb)?;
            projected.extend_from_slice(&tensor(y.flatten_all().and_then(|y| y.to_vec1::<f32>()))?);
            residual.extend(r);
        }
        tracing::debug!(target: "cscore::proxy", "projection pass: {:?}", started.elapsed());
        let ivf = IvfOptions {
            lists: approx.lists.unwrap_or((4.0 * (n as f64).sqrt()).round() as usize),
            probes: approx.probes,
            train_sample: approx.train_sample,
            iterations: approx.iterations,
            seed: opts.seed,
            stop: opts.stop.clone(),
        };
        index = Index::build(projected, p.dims(), &ivf)?;
        tracing::debug!(target: "cscore::proxy", "neighbour index: {:?}", started.elapsed());
    }
    // The neighbours' kernel terms are estimated from the projection, ‖a − b‖² ≈ ‖pa − pb‖² + ra + rb, as
    // the sums need them (the sums take the exact term instead where a neighbour is in the reference).
    let density_k = approx.density_neighbours.min(searched);
    // Second pass, a slice of the part at a time (its neighbour lists, then its kernel sums): the lists
    // of all 1.26 M examples would hold 300 MB at once.
    let mut out = NeighbourStats {
        k,
        bandwidth,
        kernel_sum: Vec::with_capacity(part.len()),
        same_class_kernel_sum: Vec::with_capacity(part.len()),
        neighbours: Vec::with_capacity(part.len() * k * usize::from(index.is_some())),
        neighbour_dist: Vec::with_capacity(part.len() * k * usize::from(index.is_some())),
    };
    let slice = (SEARCH_ROWS / block).max(1) * block;
    for s0 in (part.start..part.end).step_by(slice) {
        let s1 = (s0 + slice).min(part.end);
        let (near, near_dist) = match &index {
            Some(index) => index.search(searched, s0..s1)?,
            None => (Vec::new(), Vec::new()),
        };
        for i0 in (s0..s1).step_by(block) {
            if stopped() {
                return Err(Error::Interrupted);
            }
            let nb = block.min(s1 - i0);
            let sums = match &ref_t {
                Some(rt) => {
                    let xp = tensor(rows(i0, nb)?.to_dtype(DType::F32).and_then(|x| x.contiguous()))?;
                    let norms = row_norms(&xp)?;
                    let dots = tensor(xp.matmul(rt))?;
                    let at = (i0 - s0) * searched..(i0 - s0 + nb) * searched;
                    let near = Near {
                        stride: searched,
                        k: density_k,
                        neighbours: near.get(at.clone()).unwrap_or(&[]),
                        dist: near_dist.get(at).unwrap_or(&[]),
                        residual: &residual,
                    };
                    on_host(&dots, |d| reference.sums(d, i0, &norms, &ref_norms, labels, inv_h2, &near))?
                }
                None => vec![(1.0, 1.0); nb],
            };
            for (t, s) in sums {
                out.kernel_sum.push(t);
                out.same_class_kernel_sum.push(s);
            }
        }
        // The statistics keep the k nearest of those searched.
        if k > 0 {
            for (nb, dist) in near.chunks(searched).zip(near_dist.chunks(searched)) {
                out.neighbours.extend_from_slice(&nb[..k]);
                out.neighbour_dist.extend_from_slice(&dist[..k]);
            }
        }
    }
    tracing::debug!(target: "cscore::proxy", "neighbours and kernel sums: {:?}", started.elapsed());
    Ok(out)
}

/// The rows `indices` as one f32 tensor (`None` for none), read one at a time.
fn gather(rows: &dyn Fn(usize, usize) -> Result<Tensor>, indices: &[u32]) -> Result<Option<Tensor>> {
    if indices.is_empty() {
        return Ok(None);
    }
    let parts = indices
        .iter()
        .map(|&i| rows(i as usize, 1).and_then(|r| tensor(r.to_dtype(DType::F32))))
        .collect::<Result<Vec<_>>>()?;
    tensor(Tensor::cat(&parts, 0)).map(Some)
}

/// A seeded sample of `m` of `n` examples, ascending.
fn projection_sample(n: usize, m: usize, seed: u64) -> Vec<u32> {
    let mut all = super::sample::seeded_sample(n, m, seed ^ 0xB0_5A3B1E);
    all.sort_unstable();
    all
}
