//! The fused estimate: the prior is a calibrated proxy, and the fused score converges to the holdout
//! C-score as held-out evaluations accumulate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cscore::proxy::fuse;
use cscore::proxy::fuse::empirical_strength;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// True C-scores of `n` examples, spread over [0, 1].
fn truth(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.random::<f64>()).collect()
}

/// Mean |score − truth| over all examples.
fn mean_abs_error(scores: &[f32], c: &[f64]) -> f64 {
    scores.iter().zip(c).map(|(&s, &t)| (f64::from(s) - t).abs()).sum::<f64>() / c.len() as f64
}

fn named(name: &str, v: impl Iterator<Item = f64>) -> (String, Vec<f32>) {
    (name.to_string(), v.map(|x| x as f32).collect())
}

#[test]
fn converges_to_the_holdout_cscore_as_evidence_accumulates() {
    let c = truth(500, 1);
    // A proxy that disagrees with the estimate: the prior pulls away from ĉ, evidence pulls back.
    let proxies = vec![named("learning_speed", c.iter().map(|v| 1.0 - v))];
    let m = 3.0;
    let mut last = f64::INFINITY;
    for trials in [1u32, 4, 16, 64, 256, 4096] {
        let evals = vec![trials; c.len()];
        let f = fuse(&proxies, &c, &evals, Some(m));
        let worst = f.scores.iter().zip(&c).map(|(&s, &t)| (f64::from(s) - t).abs()).fold(0.0, f64::max);
        // |fused − ĉ| = m/(m + n)·|μ − ĉ| ≤ m/(m + n)
        assert!(worst <= m / (m + f64::from(trials)) + 1e-6, "{trials} trials: {worst}");
        assert!(worst <= last + 1e-9);
        last = worst;
    }
    assert!(last < 1e-3);
}

#[test]
fn the_prior_is_the_calibrated_proxy() {
    let n = 6000;
    let c = truth(n, 2);
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    // One Bernoulli(c) held-out evaluation per example: noisy evidence of the truth.
    let hits: Vec<f64> = c.iter().map(|&p| f64::from(rng.random::<f64>() < p)).collect();
    let evals = vec![1u32; n];
    // A monotone but non-linear proxy, one pointing the other way, and pure noise.
    let good = named("aum", c.iter().map(|v| v.powi(3) * 10.0 - 4.0));
    let reversed = named("forgetting_events", c.iter().map(|v| 5.0 * (1.0 - v)));
    let noise = named("density", (0..n).map(|_| rng.random::<f64>()));
    // A huge prior strength exposes the prior μ itself.
    for proxy in [&good, &reversed] {
        let f = fuse(&[noise.clone(), proxy.clone()], &hits, &evals, Some(1e9));
        assert_eq!(f.prior_proxies, vec![proxy.0.clone()]);
        assert_eq!(f.calibrated_on, n);
        let err = mean_abs_error(&f.scores, &c);
        assert!(err < 0.05, "{}: mean |μ − c| = {err}", proxy.0);
        // The cross-fitted error is about the Bernoulli noise, E[c(1 − c)] = 1/6.
        let e = f.calibration_error.unwrap();
        assert!((0.14..0.2).contains(&e), "{e}");
    }
    // With strength m and one evaluation: the posterior mean (m·μ + ĉ)/(m + 1).
    let prior = fuse(std::slice::from_ref(&good), &hits, &evals, Some(1e9)).scores;
    let f = fuse(&[good], &hits, &evals, Some(3.0));
    for i in 0..n {
        let want = (3.0 * f64::from(prior[i]) + hits[i]) / 4.0;
        assert!((f64::from(f.scores[i]) - want).abs() < 1e-5);
    }
}

#[test]
fn without_evidence_the_prior_is_the_proxy_itself() {
    let c = truth(100, 4);
    let ls = named("learning_speed", c.iter().copied());
    let none = vec![f64::NAN; c.len()];
    let f = fuse(&[named("lof", c.iter().copied()), ls.clone()], &none, &vec![0; c.len()], Some(3.0));
    assert_eq!(f.prior_proxies, vec!["learning_speed"]);
    assert_eq!(f.calibrated_on, 0);
    assert_eq!(f.scores, ls.1);
    // A proxy not on the C-score scale enters as its normalised rank, oriented (high LOF = irregular).
    let f = fuse(&[named("lof", c.iter().copied())], &none, &vec![0; c.len()], Some(3.0));
    let top = (0..c.len()).max_by(|&a, &b| c[a].total_cmp(&c[b])).unwrap();
    assert!(f.scores.iter().all(|&s| s >= f.scores[top]));
    // No proxy: the holdout estimate where there is one, NaN elsewhere.
    let mut est = c.clone();
    est[0] = f64::NAN;
    let mut evals = vec![2; c.len()];
    evals[0] = 0;
    let f = fuse(&[], &est, &evals, Some(3.0));
    assert!(f.scores[0].is_nan() && f.prior_proxies.is_empty());
    assert_eq!(f.scores[1], c[1] as f32);
}

#[test]
fn complementary_proxies_are_averaged() {
    let n = 8000;
    let c = truth(n, 5);
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    // Two proxies with independent errors: their calibrated average predicts better than either.
    let a = named("learning_speed", c.iter().map(|v| v + 0.3 * rng.random::<f64>()));
    let b = named("knn_agreement", c.iter().map(|v| v + 0.3 * rng.random::<f64>()));
    let noise = named("density", (0..n).map(|_| rng.random::<f64>()));
    let evals = vec![4u32; n];
    let both = fuse(&[a.clone(), noise, b.clone()], &c, &evals, Some(1e9));
    let mut used = both.prior_proxies.clone();
    used.sort();
    assert_eq!(used, vec!["knn_agreement", "learning_speed"]);
    let one = fuse(&[a], &c, &evals, Some(1e9));
    assert!(both.calibration_error.unwrap() < 0.8 * one.calibration_error.unwrap());
    assert!(mean_abs_error(&both.scores, &c) < mean_abs_error(&one.scores, &c));
}

#[test]
fn the_prior_strength_is_estimated_from_the_spread_of_the_evidence() {
    use rand_distr::{Beta, Binomial, Distribution};
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for (m0, mu) in [(8.0f64, 0.8f64), (40.0, 0.6)] {
        // accuracies drawn from Beta(m0·μ, m0·(1 − μ)) around the prior, then 10 evaluations each
        let beta = Beta::new(m0 * mu, m0 * (1.0 - mu)).unwrap();
        let n = 20000;
        let c: Vec<f64> = (0..n)
            .map(|_| Binomial::new(10, beta.sample(&mut rng)).unwrap().sample(&mut rng) as f64 / 10.0)
            .collect();
        let m = empirical_strength(&vec![mu; n], &c, &vec![10; n]).unwrap();
        assert!((m - m0).abs() < 0.2 * m0, "m0 = {m0}: estimated {m}");
    }
    // evidence that agrees with the prior exactly earns the largest strength; none with n ≥ 2: no estimate
    assert_eq!(empirical_strength(&[0.5; 4], &[0.5; 4], &[4; 4]), Some(100.0));
    assert_eq!(empirical_strength(&[0.5; 4], &[0.5; 4], &[1; 4]), None);
}

#[test]
fn identical_proxies_count_once_and_the_prior_keeps_the_combined_order() {
    let n = 6000;
    let c = truth(n, 8);
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let ls = named("learning_speed", c.iter().map(|v| v + 0.3 * rng.random::<f64>()));
    // datamap_confidence is by definition the same number as learning_speed
    let same = ("datamap_confidence".to_string(), ls.1.clone());
    let knn = named("knn_agreement", c.iter().map(|v| v + 0.3 * rng.random::<f64>()));
    let evals = vec![4u32; n];
    let f = fuse(&[ls.clone(), same, knn.clone()], &c, &evals, Some(1e9));
    let mut used = f.prior_proxies.clone();
    used.sort();
    assert_eq!(used, vec!["knn_agreement", "learning_speed"]);
    // The prior orders the examples as the mean of the two proxies' ranks does (up to ties of equal means).
    let rank = |v: &[f32]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0usize; v.len()];
        for (pos, &i) in idx.iter().enumerate() {
            r[i] = pos;
        }
        r
    };
    let (ra, rb) = (rank(&ls.1), rank(&knn.1));
    let mean: Vec<f32> = (0..n).map(|i| (ra[i] + rb[i]) as f32).collect();
    let order = |v: &[f32]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
        idx
    };
    let (want, got) = (order(&mean), order(&f.scores));
    let agree = want.iter().zip(&got).filter(|(a, b)| mean[**a] == mean[**b]).count();
    assert!(agree as f64 > 0.99 * n as f64, "{agree} of {n} in the combined order");
}

#[test]
fn large_datasets_choose_on_a_sample_and_calibrate_on_everything() {
    // Over 60,000 examples with evidence, the selection looks at an evenly spread sample.
    let n = 130_000;
    let c = truth(n, 10);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let hits: Vec<f64> = c.iter().map(|&p| f64::from(rng.random::<f64>() < p)).collect();
    let good = named("aum", c.iter().map(|v| v * 3.0 - 1.0));
    let noise = named("density", (0..n).map(|_| rng.random::<f64>()));
    let f = fuse(&[noise, good], &hits, &vec![1; n], Some(1e9));
    assert_eq!(f.prior_proxies, vec!["aum"]);
    assert_eq!(f.calibrated_on, n);
    let err = mean_abs_error(&f.scores, &c);
    assert!(err < 0.03, "mean |μ − c| = {err}");
}
