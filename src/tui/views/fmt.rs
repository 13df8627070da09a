//! Small text formatting helpers shared by the views.

pub use crate::fmt::{count, duration};

/// A score with 3 decimals, or "-" when missing.
pub fn score(v: f32) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        format!("{v:.3}")
    }
}

/// A proxy's score with 3 decimals, or in scientific notation for a proxy of a small scale (`small`:
/// [`crate::fmt::small_scale`]), or "-" when missing.
pub fn proxy(v: f32, small: bool) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        crate::fmt::score_value(f64::from(v), 3, small)
    }
}

/// An optional statistic with 3 decimals.
pub fn stat(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.3}"))
}

/// `text` in at most `width` characters, its start replaced by `…` when cut (the end of a path matters most).
pub fn clip_start(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let tail: String = text.chars().skip(n - (width - 1)).collect();
    format!("…{tail}")
}

/// `text` cut to `width` characters (with an ellipsis when cut).
pub fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats() {
        assert_eq!(super::count(1234567), "1,234,567");
        assert_eq!(super::count(999), "999");
        assert_eq!(super::duration(3725.0), "1h02m");
        assert_eq!(super::clip("mislabeled", 5), "misl…");
        assert_eq!(super::score(f32::NAN), "-");
        assert_eq!(super::proxy(f32::NAN, true), "-");
        assert_eq!(super::proxy(0.000_213_4, true), "2.13e-4");
    }
}
