//! The input-space statistics split by blocks of examples, for sharded estimates: each shard computes the
//! kernel sums and nearest neighbours of its own block of examples (against the whole dataset) and stores
//! them; the merge joins the blocks and computes the proxies of the whole dataset from them, the same
//! values one process computing everything would give (up to float summation order).

use super::approx::{neighbour_stats_approx_part, NeighbourMethod};
use super::density::{density_family, knn_agreement, local_outlier_factor};
use super::distance::{neighbour_stats, neighbour_stats_part, NeighbourOptions, NeighbourStats};
use crate::store::StoredNeighbours;
use crate::Result;
use candle_core::Tensor;
use std::ops::Range;

/// The examples of block `index` of `count` over `n` examples (contiguous, sizes differing by at most one).
pub fn block_of(n: usize, index: usize, count: usize) -> Range<usize> {
    let count = count.max(1);
    let at = |i: usize| (n as u128 * i.min(count) as u128 / count as u128) as usize;
    at(index)..at(index + 1)
}

/// The statistics of the examples `part` of N, whose inputs `rows(start, len)` gives, by `method`
/// (exact or approximate as for the whole dataset, so that the parts join into what the whole would be).
pub fn neighbour_stats_part_rows(
    rows: &dyn Fn(usize, usize) -> Result<Tensor>,
    n: usize,
    labels: &[u32],
    opts: &NeighbourOptions,
    method: &NeighbourMethod,
    part: Range<usize>,
) -> Result<NeighbourStats> {
    let approx = match method {
        NeighbourMethod::Auto { exact_up_to, approx } if n > *exact_up_to => Some(approx),
        NeighbourMethod::Approximate(approx) => Some(approx),
        NeighbourMethod::Auto { .. } | NeighbourMethod::Exact => None,
    };
    match approx {
        Some(approx) => neighbour_stats_approx_part(rows, n, labels, opts, approx, part),
        None if part == (0..n) => neighbour_stats(&rows(0, n)?, labels, opts),
        None => neighbour_stats_part(&rows(0, n)?, labels, opts, part),
    }
}

/// The input-space proxies from statistics of all examples, by name.
pub fn input_proxies(stats: &NeighbourStats, labels: &[u32]) -> Vec<(&'static str, Vec<f32>)> {
    joined_proxies(stats, knn_agreement(stats, labels))
}

/// The input-space proxies from joined statistics and the joined `knn_agreement`, by name.
pub fn joined_proxies(stats: &NeighbourStats, knn: Vec<f32>) -> Vec<(&'static str, Vec<f32>)> {
    let mut all: Vec<(&'static str, Vec<f32>)> = density_family(stats).into();
    all.push(("knn_agreement", knn));
    all.push(("lof", local_outlier_factor(stats)));
    all
}

/// The statistics of the block `start..` (of examples labelled `labels`, all of them) as the workspace
/// stores them, computed for the proxies `names`.
pub fn to_stored(start: usize, stats: NeighbourStats, labels: &[u32], names: &[&str]) -> StoredNeighbours {
    let k = stats.k;
    let knn_agreement = (0..stats.kernel_sum.len())
        .map(|r| match k {
            0 => f32::NAN,
            _ => {
                let y = labels[start + r];
                let same = stats.neighbours[r * k..(r + 1) * k].iter().filter(|&&j| labels[j as usize] == y);
                same.count() as f32 / k as f32
            }
        })
        .collect();
    StoredNeighbours {
        start,
        k,
        bandwidth: stats.bandwidth,
        proxies: names.iter().map(|s| s.to_string()).collect(),
        kernel_sum: stats.kernel_sum,
        same_class_kernel_sum: stats.same_class_kernel_sum,
        neighbours: stats.neighbours,
        neighbour_dist: stats.neighbour_dist,
        knn_agreement,
    }
}

/// Joins stored blocks into the statistics of all `n` examples: `Err` names what is missing or does not
/// fit (blocks that overlap, or that were computed with different k or bandwidth). Blocks that repeat one
/// another exactly (one shard merged twice) count once. Returns the statistics and `knn_agreement`.
pub fn join(
    n: usize,
    mut parts: Vec<StoredNeighbours>,
) -> std::result::Result<(NeighbourStats, Vec<f32>), String> {
    parts.sort_by_key(|p| p.start);
    parts.dedup_by(|a, b| a == b);
    let Some(first) = parts.first() else { return Err(format!("no block of the {n} examples is stored")) };
    let (k, bandwidth) = (first.k, first.bandwidth);
    let mut out = NeighbourStats::with_capacity(n, k, bandwidth);
    let mut knn = Vec::with_capacity(n);
    let mut missing = Vec::new();
    for p in parts {
        let at = out.kernel_sum.len();
        if p.k != k || (p.bandwidth - bandwidth).abs() > 1e-6 * bandwidth.abs().max(1.0) {
            return Err(format!(
                "the block of examples {}..{} was computed with k = {} and bandwidth {}, another with k = {k} and \
                 bandwidth {bandwidth} (shards of different settings or data)",
                p.start,
                p.start + p.len(),
                p.k,
                p.bandwidth
            ));
        }
        if p.start < at {
            return Err(format!("blocks overlap at example {}", p.start));
        }
        if p.start > at {
            missing.push(format!("{at}..{}", p.start));
            return Err(missing_message(n, &missing));
        }
        out.kernel_sum.extend(p.kernel_sum);
        out.same_class_kernel_sum.extend(p.same_class_kernel_sum);
        out.neighbours.extend(p.neighbours);
        out.neighbour_dist.extend(p.neighbour_dist);
        knn.extend(p.knn_agreement);
    }
    if out.kernel_sum.len() < n {
        missing.push(format!("{}..{n}", out.kernel_sum.len()));
        return Err(missing_message(n, &missing));
    }
    Ok((out, knn))
}

fn missing_message(n: usize, missing: &[String]) -> String {
    format!("the blocks of the shards leave examples {} of {n} without statistics", missing.join(", "))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::proxy::ApproxOptions;
    use candle_core::Device;

    fn points(n: usize, d: usize) -> (Tensor, Vec<u32>) {
        let v: Vec<f32> = (0..n * d).map(|i| ((i * 7919 % 1013) as f32 / 1013.0).sin()).collect();
        let labels = (0..n as u32).map(|i| i % 3).collect();
        (Tensor::from_vec(v, (n, d), &Device::Cpu).unwrap(), labels)
    }

    #[test]
    fn blocks_cover_the_examples_evenly() {
        let blocks: Vec<_> = (0..3).map(|i| block_of(10, i, 3)).collect();
        assert_eq!(blocks, [0..3, 3..6, 6..10]);
        assert_eq!((0..4).map(|i| block_of(2, i, 4)).collect::<Vec<_>>(), [0..0, 0..1, 1..1, 1..2]);
    }

    /// Three shards' blocks, joined, give the statistics of one pass over everything, exact and approximate.
    fn parts_join_into_the_whole(method: NeighbourMethod) {
        let (x, labels) = points(301, 12);
        let opts = NeighbourOptions { k: 5, block: 64, ..NeighbourOptions::default() };
        let rows = |s: usize, l: usize| super::super::distance::tensor(x.narrow(0, s, l));
        let whole = neighbour_stats_part_rows(&rows, 301, &labels, &opts, &method, 0..301).unwrap();
        let parts = (0..3)
            .rev()
            .map(|i| {
                let b = block_of(301, i, 3);
                let stats =
                    neighbour_stats_part_rows(&rows, 301, &labels, &opts, &method, b.clone()).unwrap();
                to_stored(b.start, stats, &labels, &["lof"])
            })
            .collect::<Vec<_>>();
        let (joined, knn) = join(301, parts).unwrap();
        assert_eq!(joined.neighbours, whole.neighbours);
        for (a, b) in joined.kernel_sum.iter().zip(&whole.kernel_sum) {
            assert!((a - b).abs() < 1e-4 * b.abs().max(1.0), "{a} vs {b}");
        }
        let pairs = joined_proxies(&joined, knn).into_iter().zip(input_proxies(&whole, &labels));
        for ((name, a), (_, b)) in pairs {
            let worst = a.iter().zip(&b).map(|(a, b)| (a - b).abs() / b.abs().max(1e-3)).fold(0f32, f32::max);
            assert!(worst < 1e-3, "{name}: relative difference {worst}");
        }
    }

    #[test]
    fn exact_parts_join_into_the_whole() {
        parts_join_into_the_whole(NeighbourMethod::Exact);
    }

    #[test]
    fn approximate_parts_join_into_the_whole() {
        let approx = ApproxOptions { reference: 60, min_per_class: 10, dims: 8, ..ApproxOptions::default() };
        parts_join_into_the_whole(NeighbourMethod::Approximate(approx));
    }

    #[test]
    fn a_missing_or_mismatched_block_is_named() {
        let (x, labels) = points(40, 4);
        let opts = NeighbourOptions { k: 3, ..NeighbourOptions::default() };
        let rows = |s: usize, l: usize| super::super::distance::tensor(x.narrow(0, s, l));
        let part = |b: Range<usize>| {
            let s = neighbour_stats_part_rows(&rows, 40, &labels, &opts, &NeighbourMethod::Exact, b.clone());
            to_stored(b.start, s.unwrap(), &labels, &["lof"])
        };
        let err = join(40, vec![part(0..10), part(20..40)]).unwrap_err();
        assert!(err.contains("10..20"), "{err}");
        let err = join(40, vec![part(0..10)]).unwrap_err();
        assert!(err.contains("10..40"), "{err}");
        let other = StoredNeighbours { k: 2, ..part(10..40) };
        assert!(join(40, vec![part(0..10), other]).unwrap_err().contains("k = 2"));
        assert!(
            join(40, vec![part(0..10), part(0..10), part(10..40)]).is_ok(),
            "a repeated block counts once"
        );
    }
}
