//! Confidence intervals for a held-out accuracy.

/// The 95% Wilson score interval of a proportion `p` estimated from `n` Bernoulli trials; with no
/// evaluation the interval is the whole of [0, 1].
pub fn wilson_interval(p: f64, n: u32) -> (f64, f64) {
    wilson_interval_eff(p, f64::from(n))
}

/// [`wilson_interval`] for an effective (not necessarily whole) number of trials `n`: for the C-score,
/// a mean over ratios of per-ratio accuracies, `n` is the number of Bernoulli trials that would give its
/// sampling variance (see `Aggregate::interval`).
pub fn wilson_interval_eff(p: f64, n: f64) -> (f64, f64) {
    if n.is_nan() || n <= 0.0 || !p.is_finite() {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).max(0.0).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::{wilson_interval, wilson_interval_eff};

    #[test]
    fn hand_computed() {
        // 8 of 10: Wilson 95% is (0.4902, 0.9433).
        let (lo, hi) = wilson_interval(0.8, 10);
        assert!((lo - 0.4902).abs() < 1e-3 && (hi - 0.9433).abs() < 1e-3, "{lo} {hi}");
        // all 4 of 4: (0.5101, 1.0)
        let (lo, hi) = wilson_interval(1.0, 4);
        assert!((lo - 0.5101).abs() < 1e-3 && (hi - 1.0).abs() < 1e-12, "{lo} {hi}");
        assert_eq!(wilson_interval(0.5, 0), (0.0, 1.0));
        assert_eq!(wilson_interval_eff(0.5, 10.0), wilson_interval(0.5, 10));
    }
}
