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

/// A score of any scale in a few characters: `decimals` decimals, or 3 significant digits in scientific
/// notation (2 when negative, to keep the width) when it is nonzero and below 0.01 in magnitude, where fixed
/// decimals would print 0 (a density proxy is about 1/N: `2.13e-4` on 10,000 examples). Not for NaN.
pub fn score_value(v: f64, decimals: usize) -> String {
    if v == 0.0 || !v.is_finite() || v.abs() >= 0.01 {
        format!("{v:.decimals$}")
    } else if v < 0.0 {
        format!("{v:.1e}")
    } else {
        format!("{v:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use super::{duration, score_value};

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
        assert_eq!(score_value(0.0002134, 3), "2.13e-4");
        assert_eq!(score_value(-0.0002134, 4), "-2.1e-4");
        assert_eq!(score_value(0.0, 3), "0.000");
        assert_eq!(score_value(0.25, 3), "0.250");
        assert_eq!(score_value(-1.5, 4), "-1.5000");
        assert_eq!(score_value(0.01, 3), "0.010");
    }
}
