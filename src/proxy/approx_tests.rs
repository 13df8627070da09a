//! The approximate statistics against the exact pass on small synthetic data: neighbour recall, kernel-sum
//! rank correlation, determinism, and the degenerate inputs the exact pass handles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::approx::{
    neighbour_stats_approx, neighbour_stats_approx_rows, neighbour_stats_auto, neighbour_stats_by,
};
use super::approx::{ApproxOptions, NeighbourMethod};
use super::density::{knn_agreement, local_outlier_factor};
use super::distance::{neighbour_stats, NeighbourOptions, NeighbourStats};
use super::rank::spearman;
use crate::Error;
use candle_core::{Device, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// `n` points in `d` dimensions near an 8-dimensional subspace: 12 Gaussian clusters (labels: cluster
/// mod 4, with 5% flipped) mapped in linearly, plus small isotropic noise.
fn clustered(n: usize, d: usize, seed: u64) -> (Tensor, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = || -> f32 { StandardNormal.sample(&mut rng) };
    let map: Vec<f32> = (0..8 * d).map(|_| normal()).collect();
    let centres: Vec<f32> = (0..12 * 8).map(|_| 1.5 * normal()).collect();
    let (mut x, mut labels) = (Vec::with_capacity(n * d), Vec::with_capacity(n));
    for i in 0..n {
        let c = i % 12;
        let z: Vec<f32> = (0..8).map(|t| centres[c * 8 + t] + normal()).collect();
        x.extend((0..d).map(|j| (0..8).map(|t| z[t] * map[t * d + j]).sum::<f32>() + 0.1 * normal()));
        labels.push(c as u32 % 4);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
    for y in labels.iter_mut() {
        if rng.random::<f64>() < 0.05 {
            *y = (*y + 1) % 4;
        }
    }
    (Tensor::from_vec(x, (n, d), &Device::Cpu).unwrap(), labels)
}

/// Settings for a few thousand points. The kernel sums' sampling error depends on the reference's size,
/// not on N: these tight clusters need about 1,500 to keep ρ ≥ 0.95 (full MNIST: ρ ≈ 0.997 with 4,000).
fn small() -> ApproxOptions {
    ApproxOptions { reference: 1500, min_per_class: 50, dims: 16, ..ApproxOptions::default() }
}

fn recall(a: &NeighbourStats, b: &NeighbourStats) -> f64 {
    let k = a.k;
    let hits: usize = (0..a.kernel_sum.len())
        .map(|i| {
            a.neighbours[i * k..(i + 1) * k]
                .iter()
                .filter(|j| b.neighbours[i * k..(i + 1) * k].contains(j))
                .count()
        })
        .sum();
    hits as f64 / a.neighbours.len().max(1) as f64
}

fn f64s(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x)).collect()
}

#[test]
fn close_to_the_exact_pass() {
    let (x, labels) = clustered(3000, 64, 1);
    let opts = NeighbourOptions { k: 10, ..NeighbourOptions::default() };
    let exact = neighbour_stats(&x, &labels, &opts).unwrap();
    let approx = neighbour_stats_approx(&x, &labels, &opts, &small()).unwrap();
    assert_eq!(approx.k, 10);
    assert_eq!(approx.bandwidth, exact.bandwidth, "the same bandwidth sample");
    let r = recall(&exact, &approx);
    assert!(r >= 0.9, "recall {r}");
    for (a, b) in [
        (&exact.kernel_sum, &approx.kernel_sum),
        (&exact.same_class_kernel_sum, &approx.same_class_kernel_sum),
    ] {
        let rho = spearman(a, b).unwrap();
        assert!(rho >= 0.95, "kernel sums ρ = {rho}");
    }
    let (ke, ka) = (knn_agreement(&exact, &labels), knn_agreement(&approx, &labels));
    assert!(spearman(&f64s(&ke), &f64s(&ka)).unwrap() >= 0.9);
    let (le, la) = (local_outlier_factor(&exact), local_outlier_factor(&approx));
    assert!(la.iter().all(|v| v.is_finite()));
    assert!(spearman(&f64s(&le), &f64s(&la)).unwrap() >= 0.5);
}

#[test]
fn exact_when_the_reference_holds_every_example() {
    let (x, labels) = clustered(300, 20, 2);
    let opts = NeighbourOptions { k: 5, block: 64, ..NeighbourOptions::default() };
    let all = ApproxOptions { reference: 300, dims: 20, ..ApproxOptions::default() };
    let exact = neighbour_stats(&x, &labels, &opts).unwrap();
    let approx = neighbour_stats_approx(&x, &labels, &opts, &all).unwrap();
    for (a, b) in exact.kernel_sum.iter().zip(&approx.kernel_sum) {
        assert!((a - b).abs() < 1e-3 * a, "{a} vs {b}");
    }
    for (a, b) in exact.same_class_kernel_sum.iter().zip(&approx.same_class_kernel_sum) {
        assert!((a - b).abs() < 1e-3 * a, "{a} vs {b}");
    }
}

#[test]
fn deterministic_with_a_seed_and_block_size() {
    let (x, labels) = clustered(1500, 40, 3);
    let small = || ApproxOptions { reference: 400, ..small() };
    let opts = NeighbourOptions { k: 7, block: 500, ..NeighbourOptions::default() };
    let a = neighbour_stats_approx(&x, &labels, &opts, &small()).unwrap();
    let b = neighbour_stats_approx(&x, &labels, &opts, &small()).unwrap();
    let rows = |s: usize, l: usize| x.narrow(0, s, l).map_err(|e| Error::Model(e.into()));
    let c = neighbour_stats_approx_rows(
        &rows,
        1500,
        &labels,
        &NeighbourOptions { block: 333, ..opts.clone() },
        &small(),
    )
    .unwrap();
    for other in [&b, &c] {
        assert_eq!(a.neighbours, other.neighbours);
        assert_eq!(a.neighbour_dist, other.neighbour_dist);
        assert_eq!(a.kernel_sum, other.kernel_sum);
    }
    let d = neighbour_stats_approx(&x, &labels, &NeighbourOptions { seed: 9, ..opts }, &small()).unwrap();
    assert_ne!(a.kernel_sum, d.kernel_sum);
}

#[test]
fn degenerate_inputs_behave_like_the_exact_pass() {
    let run = |x: &Tensor, labels: &[u32], k: usize| {
        let opts = NeighbourOptions { k, block: 4, ..NeighbourOptions::default() };
        (
            neighbour_stats(x, labels, &opts).unwrap(),
            neighbour_stats_approx(x, labels, &opts, &small()).unwrap(),
        )
    };
    let same_shape = |e: &NeighbourStats, a: &NeighbourStats| {
        assert_eq!(e.k, a.k);
        assert_eq!(e.bandwidth, a.bandwidth);
        assert_eq!(e.neighbours.len(), a.neighbours.len());
        assert_eq!(e.kernel_sum.len(), a.kernel_sum.len());
    };
    // Empty.
    let empty = Tensor::zeros((0, 3), candle_core::DType::F32, &Device::Cpu).unwrap();
    let (e, a) = run(&empty, &[], 5);
    same_shape(&e, &a);
    // One example: no neighbours, the kernel sums are its own 1.
    let one = Tensor::new(&[[1f32, 2.0]], &Device::Cpu).unwrap();
    let (e, a) = run(&one, &[0], 5);
    same_shape(&e, &a);
    assert_eq!(a.kernel_sum, vec![1.0]);
    assert!(knn_agreement(&a, &[0])[0].is_nan());
    // Fewer examples than k, one class: every other example is a neighbour.
    let (x, _) = clustered(6, 10, 4);
    let labels = [0u32; 6];
    let (e, a) = run(&x, &labels, 10);
    same_shape(&e, &a);
    for i in 0..6 {
        let mut got = a.neighbours[i * 5..(i + 1) * 5].to_vec();
        got.sort_unstable();
        let want: Vec<u32> = (0..6).filter(|&j| j != i as u32).collect();
        assert_eq!(got, want);
    }
    assert_eq!(a.kernel_sum, a.same_class_kernel_sum);
    // Duplicates: zero distances, finite LOF.
    let dup = Tensor::new(&[[1f32, 1.0], [1.0, 1.0], [1.0, 1.0], [0.0, 0.0]], &Device::Cpu).unwrap();
    let (e, a) = run(&dup, &[0, 0, 1, 1], 2);
    same_shape(&e, &a);
    assert_eq!(a.neighbour_dist[..2], [0.0, 0.0]);
    assert!(local_outlier_factor(&a).iter().all(|v| v.is_finite()));
    // Mismatched labels are refused.
    assert!(neighbour_stats_approx(&dup, &[0], &NeighbourOptions::default(), &small()).is_err());
}

#[test]
fn honours_the_stop_flag() {
    let (x, labels) = clustered(500, 10, 5);
    let stop = Arc::new(AtomicBool::new(true));
    let opts = NeighbourOptions { k: 3, stop: Some(stop), ..NeighbourOptions::default() };
    let r = neighbour_stats_approx(&x, &labels, &opts, &small());
    assert!(matches!(r, Err(Error::Interrupted)));
}

#[test]
fn auto_is_exact_up_to_its_threshold_and_approximate_above() {
    let (x, labels) = clustered(300, 20, 6);
    let opts = NeighbourOptions { k: 5, ..NeighbourOptions::default() };
    let exact = neighbour_stats(&x, &labels, &opts).unwrap();
    let auto = neighbour_stats_auto(&x, &labels, &opts).unwrap();
    assert_eq!((&auto.kernel_sum, &auto.neighbours), (&exact.kernel_sum, &exact.neighbours));
    let approx = ApproxOptions { reference: 100, ..small() };
    let above = NeighbourMethod::Auto { exact_up_to: 299, approx: approx.clone() };
    let forced = neighbour_stats_by(&x, &labels, &opts, &above).unwrap();
    let direct = neighbour_stats_approx(&x, &labels, &opts, &approx).unwrap();
    assert_eq!(forced.kernel_sum, direct.kernel_sum);
    assert_ne!(forced.kernel_sum, exact.kernel_sum);
}

/// With every other example among the neighbours and a projection that keeps every dimension (so the
/// neighbours' kernel terms are exact), the sums are exact whatever few examples the reference holds: the
/// neighbours in the reference are taken out of its sample, not counted twice.
#[test]
fn exact_when_the_neighbours_are_every_other_example() {
    let (x, labels) = clustered(200, 8, 5);
    let opts = NeighbourOptions { k: 5, ..NeighbourOptions::default() };
    let exact = neighbour_stats(&x, &labels, &opts).unwrap();
    let all = ApproxOptions { reference: 12, min_per_class: 3, dims: 8, density_neighbours: 199, ..small() };
    let a = neighbour_stats_approx(&x, &labels, &opts, &all).unwrap();
    assert_eq!((a.k, a.neighbours.len()), (5, 200 * 5), "the statistics keep their own k");
    for (e, g) in
        [(&exact.kernel_sum, &a.kernel_sum), (&exact.same_class_kernel_sum, &a.same_class_kernel_sum)]
    {
        for (u, v) in e.iter().zip(g) {
            assert!((u - v).abs() < 1e-4 * u, "{u} vs {v}");
        }
    }
}

/// Summing the nearest neighbours one by one brings the kernel sums much closer to the exact pass's than
/// the reference sample alone, at a bandwidth of about one effective neighbour.
#[test]
fn neighbours_summed_one_by_one_beat_the_reference_alone() {
    let (x, labels) = clustered(3000, 64, 3);
    let opts = NeighbourOptions { k: 10, ..NeighbourOptions::default() };
    let exact = neighbour_stats(&x, &labels, &opts).unwrap();
    let rho = |density_neighbours: usize| {
        let approx = ApproxOptions { reference: 400, min_per_class: 40, density_neighbours, ..small() };
        let a = neighbour_stats_approx(&x, &labels, &opts, &approx).unwrap();
        let relative = |s: &NeighbourStats| -> Vec<f64> {
            s.kernel_sum.iter().zip(&s.same_class_kernel_sum).map(|(t, c)| 2.0 * c - t).collect()
        };
        [
            spearman(&exact.kernel_sum, &a.kernel_sum).unwrap(),
            spearman(&relative(&exact), &relative(&a)).unwrap(),
        ]
    };
    let (alone, near) = (rho(0), rho(30));
    eprintln!("reference alone {alone:?}, with 30 neighbours {near:?}");
    for t in 0..2 {
        assert!(near[t] > alone[t] + 0.02, "ρ {} against {} alone", near[t], alone[t]);
    }
}
