//! Text formatting shared by the command line and the explorer.

/// 12,345: a count with thousands separators, as the explorer shows counts.
pub fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (k, c) in s.chars().enumerate() {
        if k > 0 && (s.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration in seconds as 3h05m, 4m10s or 12s (rounded to the second); "-" when unknown (not finite
/// or negative).
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "-".into();
    }
    let s = seconds.round() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// True when a score's values are of a small scale: 90% of its finite values are below 0.01 in magnitude
/// and not all of those are 0, where fixed decimals would print most of them as 0 (a density proxy is
/// about 1/N). A score mostly near 0 with larger values where it matters (data-map variability, EL2N)
/// is not small.
pub fn small_scale(values: impl Iterator<Item = f64>) -> bool {
    let mut m: Vec<f64> = values.filter(|v| v.is_finite()).map(f64::abs).collect();
    if m.is_empty() {
        return false;
    }
    let at = (m.len() * 9 / 10).min(m.len() - 1);
    let (_, &mut p90, _) = m.select_nth_unstable_by(at, f64::total_cmp);
    p90 > 0.0 && p90 < 0.01
}

/// A score in a few characters: `decimals` decimals, or, for a score of a small scale ([`small_scale`]),
/// 3 significant digits in scientific notation (2 when negative, to keep the width; 0 as decimals), so
/// that a column of densities reads `2.13e-4` rather than `0.000`. Not for NaN.
pub fn score_value(v: f64, decimals: usize, small: bool) -> String {
    if !small || v == 0.0 || !v.is_finite() {
        format!("{v:.decimals$}")
    } else if v < 0.0 {
        format!("{v:.1e}")
    } else {
        format!("{v:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use super::{duration, score_value, small_scale};

    #[test]
    fn durations() {
        assert_eq!(duration(0.0), "0s");
        assert_eq!(duration(12.4), "12s");
        assert_eq!(duration(59.4), "59s");
        assert_eq!(duration(59.5), "1m00s");
        assert_eq!(duration(250.0), "4m10s");
        assert_eq!(duration(3599.0), "59m59s");
        assert_eq!(duration(3600.0), "1h00m");
        assert_eq!(duration(3725.0), "1h02m");
        assert_eq!(duration(11_100.0), "3h05m");
        assert_eq!(duration(90_000.0), "25h00m");
    }

    #[test]
    fn unknown_durations() {
        for s in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0] {
            assert_eq!(duration(s), "-");
        }
    }

    #[test]
    fn small_scores_keep_their_digits() {
        assert_eq!(score_value(0.0002134, 3, true), "2.13e-4");
        assert_eq!(score_value(0.0134, 3, true), "1.34e-2");
        assert_eq!(score_value(-0.0002134, 4, true), "-2.1e-4");
        assert_eq!(score_value(0.0, 3, true), "0.000");
        assert_eq!(score_value(0.0002134, 3, false), "0.000");
        assert_eq!(score_value(-1.5, 4, false), "-1.5000");
        let density: Vec<f64> = (1..=20).map(|i| f64::from(i) * 1e-4).chain([0.5, f64::NAN]).collect();
        assert!(small_scale(density.into_iter()));
        assert!(!small_scale([0.0; 9].into_iter().chain([1.0, 3.0])), "mostly 0: forgetting events");
        let variability: Vec<f64> = (1..=10).map(|i| f64::from(i) * 1e-3).chain([0.2, 0.3, 0.4]).collect();
        assert!(!small_scale(variability.into_iter()), "larger values where it matters");
        assert!(!small_scale(std::iter::empty()));
    }
}
