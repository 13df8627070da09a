//! Approximate k nearest neighbours of every point among the others by an inverted-file index: a k-means
//! coarse quantizer trained on a seeded sample, the points stored list by list, and each point searched
//! exactly in the `probes` lists whose centroids are nearest to it (more lists when those hold fewer than k
//! other points). Deterministic: a fixed seed, sequential centroid updates, each query on one thread.

use super::distance::tensor;
use super::topk::TopK;
use crate::{Error, Result};
use candle_core::{Device, Tensor};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Points searched per round (between two looks at the stop flag).
const CHUNK: usize = 4096;

/// Points whose nearest centroids one matmul finds (its products, points × lists, stay in cache).
const NEAREST_CHUNK: usize = 1024;

/// Settings of the index.
#[derive(Debug, Clone)]
pub(super) struct IvfOptions {
    /// Lists (k-means centroids).
    pub lists: usize,
    /// Lists searched per point.
    pub probes: usize,
    /// Points the quantizer is trained on.
    pub train_sample: usize,
    /// Lloyd iterations.
    pub iterations: usize,
    /// Seed of the training sample.
    pub seed: u64,
    /// Raised, the search stops with [`Error::Interrupted`].
    pub stop: Option<Arc<AtomicBool>>,
}

/// The points stored list by list, searched range by range ([`Index::search`]: the k nearest other points
/// of any rows, the same whatever the range, since the index holds every row): a caller can take the
/// neighbours of a million points a slice at a time instead of holding all of their lists at once.
pub(super) struct Index {
    /// The points in list order (row-major, `d` wide).
    stored: Vec<f32>,
    d: usize,
    centroids: Vec<f32>,
    probes: usize,
    /// `offsets[l]..offsets[l + 1]`: list l's positions in `stored`.
    offsets: Vec<usize>,
    /// The point at each position.
    order: Vec<u32>,
    /// Each point's position.
    position: Vec<u32>,
    stop: Option<Arc<AtomicBool>>,
}

impl Index {
    /// The index of the `p.len() / d` rows of `p` (consumed: its rows are moved into list order); `None`
    /// for no rows.
    pub fn build(p: Vec<f32>, d: usize, opts: &IvfOptions) -> Result<Option<Self>> {
        let n = p.len().checked_div(d).unwrap_or(0);
        if n == 0 {
            return Ok(None);
        }
        let stopped = || opts.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed));
        let started = std::time::Instant::now();
        let centroids = train(&p, d, n, opts, &stopped)?;
        let lists = centroids.len() / d;
        tracing::debug!(target: "cscore::proxy", "k-means of {lists} lists: {:?}", started.elapsed());
        // Each point is stored in its nearest list (by the two-level search, the same whatever the part); a
        // query is searched in its `probes` nearest lists (ranked exactly, only for the part's queries).
        let primary = super::coarse::assign(&p, d, &centroids, &stopped)?;
        tracing::debug!(target: "cscore::proxy", "lists assigned: {:?}", started.elapsed());
        // Points stored list by list (counting sort): offsets[l]..offsets[l + 1] are list l's.
        let mut offsets = vec![0usize; lists + 1];
        primary.iter().for_each(|&l| offsets[l as usize + 1] += 1);
        (0..lists).for_each(|l| offsets[l + 1] += offsets[l]);
        let mut fill = offsets.clone();
        let mut order = vec![0u32; n];
        let mut position = vec![0u32; n];
        for (i, &l) in primary.iter().enumerate() {
            order[fill[l as usize]] = i as u32;
            position[i] = fill[l as usize] as u32;
            fill[l as usize] += 1;
        }
        drop(primary);
        let stored = permute_rows(p, d, &order);
        let probes = opts.probes.clamp(1, lists);
        Ok(Some(Index { stored, d, centroids, probes, offsets, order, position, stop: opts.stop.clone() }))
    }

    /// Points indexed.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// The k nearest other points of the points `queries` (indices into all of them, distances;
    /// `queries.len()` × k each, nearest first).
    pub fn search(&self, k: usize, queries: Range<usize>) -> Result<(Vec<u32>, Vec<f32>)> {
        let (d, n) = (self.d, self.len());
        let queries = queries.start.min(n)..queries.end.min(n);
        if k == 0 || queries.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let stopped = || self.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed));
        let (offsets, order, stored, centroids) = (&self.offsets, &self.order, &self.stored, &self.centroids);
        let asked_rows: Vec<f32> =
            queries.clone().flat_map(|i| row(stored, d, self.position[i] as usize).iter().copied()).collect();
        let probes = self.probes;
        let near = nearest(&asked_rows, d, centroids, probes, &stopped)?;
        drop(asked_rows);
        let m = queries.len();
        let (mut idx, mut dist) = (vec![0u32; m * k], vec![0f32; m * k]);
        // Queries in list order, so that each chunk's rows are contiguous in `stored`.
        for (c, chunk) in order.chunks(CHUNK).enumerate() {
            if stopped() {
                return Err(Error::Interrupted);
            }
            let asked: Vec<(usize, u32)> = (c * CHUNK..)
                .zip(chunk.iter().copied())
                .filter(|&(_, i)| queries.contains(&(i as usize)))
                .collect();
            let found: Vec<(Vec<f32>, Vec<u32>)> = asked
                .par_iter()
                .map(|&(s, i)| {
                    let query = row(stored, d, s);
                    let mut top = TopK::new(k);
                    let search = |l: usize, top: &mut TopK| {
                        let members = offsets[l]..offsets[l + 1];
                        for s in members.clone().filter(|&s| order[s] != i) {
                            top.push(squared_distance(query, row(stored, d, s)), order[s]);
                        }
                        members.len() - members.clone().filter(|&s| order[s] == i).count()
                    };
                    let q = i as usize - queries.start;
                    let probed = &near[q * probes..(q + 1) * probes];
                    let seen: usize = probed.iter().map(|&l| search(l as usize, &mut top)).sum();
                    if seen < k {
                        // Too few others in the nearest lists: go on through the rest, nearest first.
                        for l in ranked(query, centroids, d).into_iter().filter(|l| !probed.contains(l)) {
                            search(l as usize, &mut top);
                        }
                    }
                    top.into_sorted()
                })
                .collect();
            for (&(_, i), (d2, nb)) in asked.iter().zip(found) {
                let at = (i as usize - queries.start) * k;
                idx[at..at + k].copy_from_slice(&nb);
                dist[at..at + k].iter_mut().zip(&d2).for_each(|(o, &v)| *o = v.sqrt());
            }
        }
        Ok((idx, dist))
    }
}

/// k-means centroids (lists × d, row-major) from a seeded sample, started at its first points.
fn train(p: &[f32], d: usize, n: usize, opts: &IvfOptions, stopped: &dyn Fn() -> bool) -> Result<Vec<f32>> {
    let lists = opts.lists.clamp(1, n);
    let m = opts.train_sample.clamp(lists, n);
    let all = super::sample::seeded_sample(n, m, opts.seed ^ 0x1F_C3A7);
    let sample: Vec<f32> = all.iter().flat_map(|&i| row(p, d, i as usize).iter().copied()).collect();
    let mut centroids = sample[..lists * d].to_vec();
    for _ in 0..opts.iterations {
        if stopped() {
            return Err(Error::Interrupted);
        }
        let assigned = nearest(&sample, d, &centroids, 1, stopped)?;
        recentre(&sample, d, &assigned, &mut centroids);
    }
    Ok(centroids)
}

/// A Lloyd update: each centre (row-major, `d` wide) moves to the mean of the `points` assigned to it
/// (`assigned[i]` is row i's centre); a centre nothing is assigned to stays.
pub(super) fn recentre(points: &[f32], d: usize, assigned: &[u32], centres: &mut [f32]) {
    let k = centres.len() / d;
    let mut sums = vec![0f64; k * d];
    let mut counts = vec![0usize; k];
    for (s, &l) in assigned.iter().enumerate() {
        let l = l as usize;
        counts[l] += 1;
        sums[l * d..(l + 1) * d].iter_mut().zip(row(points, d, s)).for_each(|(a, &v)| *a += f64::from(v));
    }
    for (l, &c) in counts.iter().enumerate().filter(|(_, &c)| c > 0) {
        let mean = sums[l * d..(l + 1) * d].iter().map(|&v| (v / c as f64) as f32);
        centres[l * d..(l + 1) * d].iter_mut().zip(mean).for_each(|(o, v)| *o = v);
    }
}

/// The `top` nearest centroids of each row of `points` (nearest first, N × top; the first of equals), by
/// blocked matmul. Raised `stopped` ends it between chunks with [`Error::Interrupted`] (over a million
/// points it runs for minutes).
fn nearest(
    points: &[f32],
    d: usize,
    centroids: &[f32],
    top: usize,
    stopped: &dyn Fn() -> bool,
) -> Result<Vec<u32>> {
    let lists = centroids.len() / d;
    let c = tensor(Tensor::from_slice(centroids, (lists, d), &Device::Cpu).and_then(|c| c.t()))?;
    let c_norms: Vec<f32> = (0..lists).map(|l| norm2(row(centroids, d, l))).collect();
    let mut out = Vec::with_capacity(points.len() / d * top);
    for block in points.chunks(NEAREST_CHUNK * d) {
        if stopped() {
            return Err(Error::Interrupted);
        }
        let rows = block.len() / d;
        let x = tensor(Tensor::from_slice(block, (rows, d), &Device::Cpu))?;
        let dots: Vec<f32> = tensor(x.matmul(&c).and_then(|t| t.flatten_all()).and_then(|t| t.to_vec1()))?;
        let found: Vec<Vec<u32>> = dots
            .par_chunks(lists)
            .map(|dots| {
                if top == 1 {
                    return vec![nearest_one(dots, &c_norms)];
                }
                let mut t = TopK::new(top);
                for (l, (&dot, &cn)) in dots.iter().zip(&c_norms).enumerate() {
                    t.push(cn - 2.0 * dot, l as u32);
                }
                t.into_sorted().1
            })
            .collect();
        found.iter().for_each(|r| out.extend_from_slice(r));
    }
    Ok(out)
}

/// The index of the smallest ‖c‖² − 2·x·c (the nearest centroid; the first of equals), in lanes so that
/// the loop vectorises.
fn nearest_one(dots: &[f32], c_norms: &[f32]) -> u32 {
    const LANES: usize = 8;
    let (mut best, mut at) = ([f32::INFINITY; LANES], [0u32; LANES]);
    let whole = dots.len() / LANES * LANES;
    for (c, (x, n)) in dots[..whole].chunks_exact(LANES).zip(c_norms[..whole].chunks_exact(LANES)).enumerate()
    {
        for t in 0..LANES {
            let v = n[t] - 2.0 * x[t];
            if v < best[t] {
                best[t] = v;
                at[t] = (c * LANES + t) as u32;
            }
        }
    }
    let (mut v, mut i) = (f32::INFINITY, 0u32);
    for t in 0..LANES {
        if best[t] < v || (best[t] == v && at[t] < i) {
            (v, i) = (best[t], at[t]);
        }
    }
    for l in whole..dots.len().min(c_norms.len()) {
        let x = c_norms[l] - 2.0 * dots[l];
        if x < v {
            (v, i) = (x, l as u32);
        }
    }
    i
}

/// The rows of `m` (`d` wide) rearranged in place so that row s becomes the old row `order[s]`, by
/// following the permutation's cycles (no second copy of the matrix).
fn permute_rows(mut m: Vec<f32>, d: usize, order: &[u32]) -> Vec<f32> {
    let mut done = vec![false; order.len()];
    let mut first = vec![0f32; d];
    for start in 0..order.len() {
        if done[start] {
            continue;
        }
        first.copy_from_slice(row(&m, d, start));
        let mut s = start;
        loop {
            done[s] = true;
            let from = order[s] as usize;
            if from == start {
                m[s * d..(s + 1) * d].copy_from_slice(&first);
                break;
            }
            m.copy_within(from * d..(from + 1) * d, s * d);
            s = from;
        }
    }
    m
}

/// Every centroid, nearest to `query` first.
fn ranked(query: &[f32], centroids: &[f32], d: usize) -> Vec<u32> {
    let lists = centroids.len() / d;
    let mut by: Vec<(f32, u32)> =
        (0..lists).map(|l| (squared_distance(query, row(centroids, d, l)), l as u32)).collect();
    by.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    by.into_iter().map(|(_, l)| l).collect()
}

/// Row `i` of a row-major matrix `d` wide.
#[inline]
pub(super) fn row(m: &[f32], d: usize, i: usize) -> &[f32] {
    &m[i * d..(i + 1) * d]
}

/// ‖a‖².
fn norm2(a: &[f32]) -> f32 {
    a.iter().map(|v| v * v).sum()
}

/// ‖a − b‖², in lanes so that the loop vectorises.
#[inline]
pub(super) fn squared_distance(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 8;
    let mut acc = [0f32; LANES];
    let (xa, xb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let rest: f32 = xa.remainder().iter().zip(xb.remainder()).map(|(x, y)| (x - y) * (x - y)).sum();
    for (x, y) in xa.zip(xb) {
        for t in 0..LANES {
            let v = x[t] - y[t];
            acc[t] += v * v;
        }
    }
    acc.iter().sum::<f32>() + rest
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{nearest, nearest_one, permute_rows, TopK};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn the_nearest_centroid_is_the_first_of_the_ranked_ones() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for lists in [1, 7, 8, 9, 61] {
            // values on a coarse grid, so that ties happen
            let dots: Vec<f32> = (0..lists).map(|_| f32::from(rng.random_range(0u8..6))).collect();
            let norms: Vec<f32> = (0..lists).map(|_| f32::from(rng.random_range(0u8..6))).collect();
            let mut t = TopK::new(1);
            (0..lists).for_each(|l| t.push(norms[l] - 2.0 * dots[l], l as u32));
            assert_eq!(nearest_one(&dots, &norms), t.into_sorted().1[0], "{lists} lists");
        }
        let (d, n, lists) = (5, 2500, 13);
        let points: Vec<f32> = (0..n * d).map(|_| rng.random::<f32>()).collect();
        let centroids: Vec<f32> = points[..lists * d].to_vec();
        let ranked = nearest(&points[1000 * d..1300 * d], d, &centroids, 4, &|| false).unwrap();
        assert_eq!(ranked.len(), 300 * 4);
        let all_first = nearest(&points, d, &centroids, 1, &|| false).unwrap();
        let all_ranked = nearest(&points, d, &centroids, 4, &|| false).unwrap();
        assert_eq!(all_first.len(), n);
        assert_eq!(ranked, all_ranked[1000 * 4..1300 * 4]);
        assert!((0..n).all(|i| all_ranked[i * 4] == all_first[i]));
    }

    #[test]
    fn rows_rearranged_in_place() {
        let m: Vec<f32> = (0..12).map(|v| v as f32).collect();
        let order = [3u32, 0, 5, 1, 2, 4];
        let want: Vec<f32> = order.iter().flat_map(|&i| [2.0 * i as f32, 2.0 * i as f32 + 1.0]).collect();
        assert_eq!(permute_rows(m, 2, &order), want);
    }
}
