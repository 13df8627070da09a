//! Hand-computed cases (with ties) and brute-force cross-checks of the fast algorithms.

use super::*;

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

#[test]
fn midranks_share_tied_ranks() {
    assert_eq!(midranks(&[10.0, 20.0, 20.0, 5.0, 20.0]), [2.0, 4.0, 4.0, 1.0, 4.0]);
    assert_eq!(midranks(&[]), Vec::<f64>::new());
}

#[test]
fn auroc_and_ap_by_hand() {
    // Positives score 0.9 and 0.8; negatives 0.8, 0.3, 0.1. Pairs won: 3 + (0.5 + 1 + 1) of 6.
    let s = [0.9, 0.8, 0.8, 0.3, 0.1];
    let p = [true, false, true, false, false];
    assert!(close(auroc(&s, &p), 5.5 / 6.0), "{:?}", auroc(&s, &p));
    // Threshold 0.9: recall 1/2 at precision 1; threshold 0.8: recall 1 at precision 2/3.
    assert!(close(average_precision(&s, &p), 0.5 * 1.0 + 0.5 * (2.0 / 3.0)));
    // A tie across the classes at the top.
    let (s, p) = ([1.0, 1.0, 0.0], [true, false, false]);
    assert!(close(auroc(&s, &p), 0.75));
    assert!(close(average_precision(&s, &p), 0.5));
    // Perfect and reversed rankings; one class only.
    assert!(close(auroc(&[3.0, 2.0, 1.0], &[true, false, false]), 1.0));
    assert!(close(auroc(&[1.0, 2.0, 3.0], &[true, false, false]), 0.0));
    assert!(close(average_precision(&[1.0, 2.0, 3.0], &[true, false, false]), 1.0 / 3.0));
    assert_eq!(auroc(&[1.0, 2.0], &[true, true]), None);
    assert_eq!(average_precision(&[1.0, 2.0], &[false, false]), None);
}

#[test]
fn spearman_and_kendall_by_hand() {
    // x ranks 1, 2.5, 2.5, 4; y ranks 1, 3, 2, 4: ρ = 4.5 / √(4.5 · 5).
    let (x, y) = ([1.0, 2.0, 2.0, 3.0], [1.0, 3.0, 2.0, 4.0]);
    assert!(close(spearman(&x, &y), 4.5 / (4.5f64 * 5.0).sqrt()));
    // 5 concordant, 0 discordant, 1 pair tied in x: τ-b = 5 / √(5 · 6).
    assert!(close(kendall_tau_b(&x, &y), 5.0 / 30f64.sqrt()));
    // 14 concordant, 0 discordant, 5 pairs tied in x, 4 in y (2 of them in both): 14 / √(16 · 17).
    let x = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0];
    let y = [2.0, 1.0, 2.0, 2.0, 5.0, 3.0, 3.0];
    assert!(close(kendall_tau_b(&x, &y), 14.0 / 272f64.sqrt()));
    assert!(close(kendall_tau_b(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), -1.0));
    assert!(close(spearman(&[1.0, 2.0, 3.0], &[30.0, 20.0, 10.0]), -1.0));
    assert_eq!(spearman(&[1.0, 1.0], &[1.0, 2.0]), None);
    assert_eq!(kendall_tau_b(&[1.0], &[1.0]), None);
    assert_eq!(kendall_tau_b(&[1.0, 2.0], &[5.0, 5.0]), None);
}

/// O(n²) τ-b straight from the definition.
fn tau_b_brute(x: &[f64], y: &[f64]) -> f64 {
    let (mut c, mut d, mut tx, mut ty) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            let (a, b) = (x[i] - x[j], y[i] - y[j]);
            if a == 0.0 && b == 0.0 {
                continue;
            } else if a == 0.0 {
                tx += 1.0;
            } else if b == 0.0 {
                ty += 1.0;
            } else if (a > 0.0) == (b > 0.0) {
                c += 1.0;
            } else {
                d += 1.0;
            }
        }
    }
    (c - d) / ((c + d + tx) * (c + d + ty)).sqrt()
}

/// O(P·N) AUROC straight from the definition.
fn auroc_brute(s: &[f64], p: &[bool]) -> f64 {
    let (mut wins, mut pairs) = (0.0, 0.0);
    for i in (0..s.len()).filter(|&i| p[i]) {
        for j in (0..s.len()).filter(|&j| !p[j]) {
            pairs += 1.0;
            wins += if s[i] > s[j] {
                1.0
            } else if s[i] == s[j] {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / pairs
}

#[test]
fn fast_algorithms_match_the_definitions_on_tied_data() {
    // A deterministic pseudo-random sequence with many ties (values 0..7).
    let mut state = 12345u64;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) % 8) as f64
    };
    for n in [2usize, 3, 5, 17, 64, 129] {
        let x: Vec<f64> = (0..n).map(|_| next()).collect();
        let y: Vec<f64> = x.iter().map(|v| v + next() - 3.0).collect();
        if let Some(t) = kendall_tau_b(&x, &y) {
            assert!((t - tau_b_brute(&x, &y)).abs() < 1e-12, "n = {n}");
        }
        let p: Vec<bool> = y.iter().map(|&v| v > 3.0).collect();
        if let Some(a) = auroc(&x, &p) {
            assert!((a - auroc_brute(&x, &p)).abs() < 1e-12, "n = {n}");
        }
    }
}
