//! Durations on the command line (`--time-limit`, `--proxy-wait`): humantime's `90s`, `10m`, `2h 30m`,
//! and Slurm's `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS` (as in `#SBATCH --time=`), so that a
//! job script can pass its own limit. Refused: a bare number (seconds to some tools, minutes to Slurm),
//! and months and years (`10M` is ten months to humantime, where `10m` was surely meant).

use std::time::Duration;

/// Parses a duration as described in the module documentation.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(format!("'{s}' has no unit: write {t}s, {t}m or {t}h (or Slurm's HH:MM:SS)"));
    }
    if t.contains(':') || t.contains('-') {
        return slurm(t).ok_or_else(|| {
            format!(
                "'{s}' is not a duration: expected e.g. 90s, 10m, 2h, or Slurm's MM:SS, HH:MM:SS, D-HH:MM:SS"
            )
        });
    }
    let d = humantime::parse_duration(t).map_err(|e| format!("'{s}': {e} (e.g. 90s, 10m, 2h 30m)"))?;
    let long = ["M", "month", "months", "y", "year", "years"];
    if t.split(|c: char| !c.is_ascii_alphabetic()).any(|unit| long.contains(&unit)) {
        return Err(format!(
            "'{s}' is counted in months or years (M is months); write minutes with a small m (10m), or hours (h) or days (d)"
        ));
    }
    Ok(d)
}

/// Slurm's time formats: `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`.
fn slurm(t: &str) -> Option<Duration> {
    let num = |p: &str| -> Option<u64> {
        (!p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok())?
    };
    let (days, rest) = match t.split_once('-') {
        Some((d, rest)) => (num(d)?, rest),
        None => (0, t),
    };
    let parts: Vec<u64> = rest.split(':').map(num).collect::<Option<_>>()?;
    let (h, m, s) = match (t.contains('-'), parts.as_slice()) {
        (false, [m, s]) => (0, *m, *s),
        (_, [h, m, s]) => (*h, *m, *s),
        (true, [h]) => (*h, 0, 0),
        (true, [h, m]) => (*h, *m, 0),
        _ => return None,
    };
    Some(Duration::from_secs(((days * 24 + h) * 60 + m) * 60 + s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> Result<u64, String> {
        parse_duration(s).map(|d| d.as_secs())
    }

    #[test]
    fn humantime_and_slurm_forms() {
        assert_eq!(secs("90s"), Ok(90));
        assert_eq!(secs("10m"), Ok(600));
        assert_eq!(secs("2h 30m"), Ok(9000));
        assert_eq!(secs("1d"), Ok(86_400));
        assert_eq!(secs("2days"), Ok(172_800));
        assert_eq!(secs("05:30"), Ok(330));
        assert_eq!(secs("00:30:00"), Ok(1800));
        assert_eq!(secs("1-02"), Ok(93_600));
        assert_eq!(secs("1-02:03"), Ok(93_780));
        assert_eq!(secs("2-00:00:10"), Ok(172_810));
    }

    #[test]
    fn ambiguous_or_malformed_durations_are_refused() {
        assert!(secs("90").unwrap_err().contains("has no unit: write 90s, 90m or 90h"));
        assert!(secs("10M").unwrap_err().contains("months or years"));
        assert!(secs("1y").unwrap_err().contains("months or years"));
        for bad in ["1:2:3:4", "a:b", "-5", "1-", ":30", "1-2:3:4:5", "ten minutes"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
