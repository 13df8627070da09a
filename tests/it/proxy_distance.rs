//! Pairwise-distance proxies against brute force on small point sets: the blocked GEMM pass (any block
//! size) gives the same distances, neighbours, kernel sums, k-NN agreement and LOF as the O(N²) definitions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use candle_core::{Device, Tensor};
use cscore::proxy::density::{density_family, knn_agreement, local_outlier_factor};
use cscore::proxy::{neighbour_stats, NeighbourOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn points(n: usize, d: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pts = (0..n).map(|_| (0..d).map(|_| rng.random::<f64>()).collect()).collect();
    let labels = (0..n).map(|_| rng.random_range(0..3)).collect();
    (pts, labels)
}

fn tensor(pts: &[Vec<f64>]) -> Tensor {
    let flat: Vec<f32> = pts.iter().flatten().map(|&v| v as f32).collect();
    Tensor::from_vec(flat, (pts.len(), pts[0].len()), &Device::Cpu).unwrap()
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt()
}

/// Brute-force k nearest other points, nearest first.
fn naive_knn(pts: &[Vec<f64>], k: usize) -> Vec<Vec<(usize, f64)>> {
    (0..pts.len())
        .map(|i| {
            let mut d: Vec<(usize, f64)> =
                (0..pts.len()).filter(|&j| j != i).map(|j| (j, dist(&pts[i], &pts[j]))).collect();
            d.sort_by(|a, b| a.1.total_cmp(&b.1));
            d.truncate(k);
            d
        })
        .collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn blocked_pass_equals_brute_force_for_every_block_size() {
    let (pts, labels) = points(37, 5, 1);
    let n = pts.len();
    let k = 4;
    let knn = naive_knn(&pts, k);
    // The bandwidth sample covers every point, so at h the median point's kernel mass from the others is
    // exactly one effective neighbour.
    let h = neighbour_stats(&tensor(&pts), &labels, &NeighbourOptions { k, ..Default::default() })
        .unwrap()
        .bandwidth;
    let mut mass: Vec<f64> = (0..n)
        .map(|i| (0..n).filter(|&j| j != i).map(|j| (-dist(&pts[i], &pts[j]).powi(2) / (h * h)).exp()).sum())
        .collect();
    mass.sort_by(f64::total_cmp);
    assert!(close(mass[n / 2], 1.0, 1e-4), "median mass {} at h {h}", mass[n / 2]);
    for block in [1, 5, 8, 37, 64] {
        let opts = NeighbourOptions { k, block, bandwidth_sample: 1000, seed: 3, stop: None };
        let s = neighbour_stats(&tensor(&pts), &labels, &opts).unwrap();
        assert_eq!(s.k, k);
        assert!(close(s.bandwidth, h, 1e-5), "block {block}: h {} vs {h}", s.bandwidth);
        for i in 0..n {
            let got: Vec<usize> = s.neighbours[i * k..(i + 1) * k].iter().map(|&j| j as usize).collect();
            let want: Vec<usize> = knn[i].iter().map(|p| p.0).collect();
            assert_eq!(got, want, "block {block}, point {i}");
            for (&got, want) in s.neighbour_dist[i * k..(i + 1) * k].iter().zip(&knn[i]) {
                assert!(close(f64::from(got), want.1, 1e-4));
            }
            let (mut total, mut same) = (0.0, 0.0);
            for j in 0..n {
                let kv = (-dist(&pts[i], &pts[j]).powi(2) / (h * h)).exp();
                total += kv;
                if labels[i] == labels[j] {
                    same += kv;
                }
            }
            assert!(close(s.kernel_sum[i], total, 1e-4), "block {block}: {} vs {total}", s.kernel_sum[i]);
            assert!(close(s.same_class_kernel_sum[i], same, 1e-4));
        }
    }
}

#[test]
fn density_knn_and_lof_match_their_definitions() {
    let (pts, labels) = points(25, 3, 2);
    let n = pts.len();
    let k = 3;
    let s = neighbour_stats(&tensor(&pts), &labels, &NeighbourOptions { k, block: 7, ..Default::default() })
        .unwrap();
    let h = s.bandwidth;
    let kern = |i: usize, j: usize| (-dist(&pts[i], &pts[j]).powi(2) / (h * h)).exp();
    let [(rel_name, rel), (cls_name, cls), (den_name, den)] = density_family(&s);
    assert_eq!((rel_name, cls_name, den_name), ("relative_density", "class_density", "density"));
    for i in 0..n {
        let r: f64 = (0..n).map(|j| 2.0 * (f64::from(labels[i] == labels[j]) - 0.5) * kern(i, j)).sum();
        let c: f64 = (0..n).filter(|&j| labels[i] == labels[j]).map(|j| kern(i, j)).sum();
        let d: f64 = (0..n).map(|j| kern(i, j)).sum();
        assert!(close(f64::from(rel[i]), r / n as f64, 1e-4));
        assert!(close(f64::from(cls[i]), c / n as f64, 1e-4));
        assert!(close(f64::from(den[i]), d / n as f64, 1e-4));
    }
    let knn = naive_knn(&pts, k);
    let agree = knn_agreement(&s, &labels);
    for i in 0..n {
        let same = knn[i].iter().filter(|p| labels[p.0] == labels[i]).count();
        assert_eq!(agree[i], same as f32 / k as f32);
    }
    // LOF by its definition (Breunig et al.): reach-dist, lrd, then the ratio of lrds.
    let kdist: Vec<f64> = knn.iter().map(|v| v[k - 1].1).collect();
    let lrd: Vec<f64> = (0..n)
        .map(|i| 1.0 / (knn[i].iter().map(|&(j, d)| kdist[j].max(d)).sum::<f64>() / k as f64))
        .collect();
    let lof = local_outlier_factor(&s);
    for i in 0..n {
        let want = knn[i].iter().map(|&(j, _)| lrd[j]).sum::<f64>() / k as f64 / lrd[i];
        assert!(close(f64::from(lof[i]), want, 1e-3), "{i}: {} vs {want}", lof[i]);
    }
}

#[test]
fn an_outlier_has_a_high_lof_and_a_low_density() {
    // A tight cluster of 30 points and one far away.
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut pts: Vec<Vec<f64>> =
        (0..30).map(|_| vec![rng.random::<f64>() * 0.1, rng.random::<f64>() * 0.1]).collect();
    pts.push(vec![3.0, 3.0]);
    let labels = vec![0u32; pts.len()];
    let s =
        neighbour_stats(&tensor(&pts), &labels, &NeighbourOptions { k: 5, block: 8, ..Default::default() })
            .unwrap();
    let lof = local_outlier_factor(&s);
    assert!(lof[30] > 5.0 && lof[..30].iter().all(|&v| v < 2.5), "{lof:?}");
    let den = &density_family(&s)[2].1;
    assert!(den[..30].iter().all(|&v| v > den[30]));
}

#[test]
fn an_isolated_example_has_a_lower_relative_density_than_every_clean_one() {
    // Ten classes of 40 points in 30 dimensions, each a blob around its own centre, and one point far from
    // all of them. With a kernel as wide as half the mean distance, every clean example's sum is mostly the
    // other classes (relative density below 0) while the isolated one's is only itself (about 0): it
    // ranked as the most regular. One effective neighbour ranks it below every clean example.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let d = 30;
    let centres: Vec<Vec<f64>> = (0..10).map(|_| (0..d).map(|_| rng.random::<f64>()).collect()).collect();
    let mut pts: Vec<Vec<f64>> = (0..400)
        .map(|i| centres[i % 10].iter().map(|c| c + (rng.random::<f64>() - 0.5) * 0.8).collect())
        .collect();
    let mut labels: Vec<u32> = (0..400).map(|i| (i % 10) as u32).collect();
    pts.push(vec![3.0; d]);
    labels.push(0);
    let s = neighbour_stats(&tensor(&pts), &labels, &NeighbourOptions::default()).unwrap();
    let rel = &density_family(&s)[0].1;
    let above = rel[..400].iter().filter(|&&v| v <= rel[400]).count();
    assert_eq!(above, 0, "{above} clean examples at or below the isolated one ({})", rel[400]);
}

#[test]
fn degenerate_inputs_do_not_panic() {
    // One point: no neighbours, NaN agreement and LOF, density 1/N · K(x, x) = 1.
    let one = Tensor::from_vec(vec![0.5f32, 0.5], (1, 2), &Device::Cpu).unwrap();
    let s = neighbour_stats(&one, &[0], &NeighbourOptions::default()).unwrap();
    assert_eq!(s.k, 0);
    assert!(knn_agreement(&s, &[0])[0].is_nan() && local_outlier_factor(&s)[0].is_nan());
    assert_eq!(density_family(&s)[2].1, vec![1.0]);
    // Identical points: zero distances, finite LOF of 1.
    let same = Tensor::from_vec(vec![1f32; 12], (4, 3), &Device::Cpu).unwrap();
    let s = neighbour_stats(&same, &[0, 0, 1, 1], &NeighbourOptions { k: 2, ..Default::default() }).unwrap();
    assert!(local_outlier_factor(&s).iter().all(|&v| (v - 1.0).abs() < 1e-6));
    assert!(neighbour_stats(&same, &[0], &NeighbourOptions::default()).is_err());
}

#[test]
fn a_raised_stop_flag_interrupts_the_pass() {
    let pts: Vec<Vec<f64>> = (0..40).map(|i| vec![f64::from(i), f64::from(i % 7)]).collect();
    let labels: Vec<u32> = (0..40).map(|i| i % 2).collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let opts = NeighbourOptions { k: 3, block: 8, stop: Some(stop), ..Default::default() };
    let r = neighbour_stats(&tensor(&pts), &labels, &opts);
    assert!(matches!(r, Err(cscore::Error::Interrupted)), "{r:?}");
}

#[test]
fn half_precision_hidden_features_give_the_same_densities() {
    // ReLU-like features in 256 dimensions, 6 clusters: the hidden features are kept as f16
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (n, d) = (600, 256);
    let centres: Vec<Vec<f32>> =
        (0..6).map(|_| (0..d).map(|_| rng.random_range(0.0..4.0)).collect()).collect();
    let labels: Vec<u32> = (0..n).map(|i| (i % 6) as u32).collect();
    let single: Vec<f32> = (0..n)
        .flat_map(|i| centres[i % 6].clone())
        .map(|c| (c + rng.random_range(-1.5f32..1.5)).max(0.0))
        .collect();
    let half: Vec<f32> = single.iter().map(|&v| half::f16::from_f32(v).to_f32()).collect();
    let opts = NeighbourOptions { k: 5, ..Default::default() };
    let stats = |v: &[f32]| {
        neighbour_stats(&Tensor::from_slice(v, (n, d), &Device::Cpu).unwrap(), &labels, &opts).unwrap()
    };
    let (a, b) = (stats(&single), stats(&half));
    assert!(close(b.bandwidth, a.bandwidth, 1e-3));
    for ((name, x), (_, y)) in density_family(&a).iter().zip(density_family(&b).iter()) {
        let worst = x.iter().zip(y).map(|(p, q)| (p - q).abs() / p.abs().max(1e-6)).fold(0.0f32, f32::max);
        assert!(worst < 5e-3, "{name}: relative difference up to {worst}");
    }
    let (ka, kb) = (knn_agreement(&a, &labels), knn_agreement(&b, &labels));
    assert!(ka.iter().zip(&kb).filter(|(p, q)| p != q).count() <= n / 100);
}
