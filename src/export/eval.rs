//! Evaluation of every score against ground truth: AUROC and average precision against known-bad examples,
//! Spearman's ρ and Kendall's τ-b against reference C-scores (also where the reference is below 1).

use std::path::Path;

use super::import::{npy_values, read_npy_file};
use super::metrics::{auroc, average_precision, kendall_tau_b, spearman};
use super::{ExportError, NamedScores};

/// How well one score finds the known-bad examples.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthRow {
    /// The score's name.
    pub name: String,
    /// Examples with a value (the others are skipped).
    pub used: usize,
    /// Known-bad examples among them.
    pub positives: usize,
    /// AUROC with low regularity as the positive prediction.
    pub auroc: Option<f64>,
    /// Average precision, likewise.
    pub average_precision: Option<f64>,
}

/// How well one score agrees with a reference C-score.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceRow {
    /// The score's name.
    pub name: String,
    /// Examples where both have a value.
    pub used: usize,
    /// Spearman's ρ, the score oriented so that high means regular.
    pub spearman: Option<f64>,
    /// Kendall's τ-b, likewise.
    pub kendall_tau_b: Option<f64>,
    /// Examples used whose reference is below 1.
    pub used_below_one: usize,
    /// ρ on those.
    pub spearman_below_one: Option<f64>,
    /// τ-b on those.
    pub kendall_tau_b_below_one: Option<f64>,
}

/// AUROC and AP of each score for the examples marked in `bad` (one flag per example).
pub fn eval_truth(scores: &[NamedScores], bad: &[bool]) -> Vec<TruthRow> {
    scores
        .iter()
        .map(|s| {
            let (values, flags): (Vec<f64>, Vec<bool>) =
                (0..bad.len()).filter_map(|i| Some((s.irregularity(i)?, bad[i]))).unzip();
            TruthRow {
                name: s.name.clone(),
                used: values.len(),
                positives: flags.iter().filter(|&&b| b).count(),
                auroc: auroc(&values, &flags),
                average_precision: average_precision(&values, &flags),
            }
        })
        .collect()
}

/// ρ and τ-b of each score against `reference` (NaN where missing; high = regular).
pub fn eval_reference(scores: &[NamedScores], reference: &[f64]) -> Vec<ReferenceRow> {
    scores
        .iter()
        .map(|s| {
            let pairs: Vec<(f64, f64)> = (0..reference.len())
                .filter(|&i| !reference[i].is_nan())
                .filter_map(|i| Some((-s.irregularity(i)?, reference[i])))
                .collect();
            let below: Vec<(f64, f64)> = pairs.iter().copied().filter(|&(_, r)| r < 1.0).collect();
            let (x, y): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
            let (bx, by): (Vec<f64>, Vec<f64>) = below.iter().copied().unzip();
            ReferenceRow {
                name: s.name.clone(),
                used: x.len(),
                spearman: spearman(&x, &y),
                kendall_tau_b: kendall_tau_b(&x, &y),
                used_below_one: bx.len(),
                spearman_below_one: spearman(&bx, &by),
                kendall_tau_b_below_one: kendall_tau_b(&bx, &by),
            }
        })
        .collect()
}

/// Reads known-bad example indices: a `.npy` of integers, or text with one index per line (blank lines,
/// `#` comments and a non-numeric header line are skipped; a CSV line counts by its first field). With
/// `files` (an image folder's examples' files below the folder), a text line may name a file instead:
/// the example whose file is the longest ending of the line. Returns one flag per example.
pub fn read_truth_indices(path: &Path, n: usize, files: Option<&[String]>) -> Result<Vec<bool>, ExportError> {
    let by_file = super::file_index::FileIndex::new(files);
    let is_npy = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    let mut indices: Vec<(i128, String)> = Vec::new();
    if is_npy {
        let array = read_npy_file(path)?;
        if array.shape.len() != 1 {
            let problem = format!("expected a 1-D array of indices, found shape {:?}", array.shape);
            return Err(ExportError::invalid(path, problem));
        }
        for (k, v) in npy_values(&array).into_iter().enumerate() {
            if v.fract() != 0.0 || !v.is_finite() {
                let problem = format!("value {v} at position {k} is not an example index");
                return Err(ExportError::invalid(path, problem));
            }
            indices.push((v as i128, format!("position {k}")));
        }
    } else {
        let text = std::fs::read_to_string(path).map_err(|e| ExportError::io(path, e))?;
        for (k, line) in text.lines().enumerate() {
            let field = line.split(['#', ',']).next().unwrap_or("").trim();
            if field.is_empty() {
                continue;
            }
            let parsed = field.parse::<i128>();
            // A file only where the line is no index: the whole line (a path may hold ',' or '#'), else its field.
            let file =
                parsed.is_err().then(|| by_file.find(line.trim()).or_else(|| by_file.find(field))).flatten();
            match (parsed, file) {
                (Ok(v), _) => indices.push((v, format!("line {}", k + 1))),
                (Err(_), Some(i)) => indices.push((i as i128, format!("line {}", k + 1))),
                (Err(_), None) if indices.is_empty() && k == 0 => {}
                (Err(_), None) if files.is_some() => {
                    let problem = format!(
                        "line {}: '{field}' is neither an example index nor an example's file",
                        k + 1
                    );
                    return Err(ExportError::invalid(path, problem));
                }
                (Err(_), None) => {
                    let problem = format!("line {}: '{field}' is not an example index", k + 1);
                    return Err(ExportError::invalid(path, problem));
                }
            }
        }
    }
    let mut bad = vec![false; n];
    for (v, at) in indices {
        match usize::try_from(v).ok().filter(|&i| i < n) {
            Some(i) => bad[i] = true,
            None => {
                let problem = format!("{at}: index {v} is out of range (the dataset has {n} examples)");
                return Err(ExportError::invalid(path, problem));
            }
        }
    }
    Ok(bad)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn named(name: &str, values: &[f64], higher_is_regular: bool) -> NamedScores {
        NamedScores { name: name.into(), values: values.to_vec(), higher_is_regular }
    }

    #[test]
    fn orientation_and_missing_values() {
        // Bad examples 0 and 1 have the lowest C-scores; example 4 is not estimated.
        let c = named("cscore", &[0.1, 0.2, 0.8, 0.9, f64::NAN], true);
        let f = named("proxy_forgetting_events", &[5.0, 4.0, 1.0, 0.0, 2.0], false);
        let bad = [true, true, false, false, false];
        let rows = eval_truth(&[c.clone(), f], &bad);
        assert_eq!((rows[0].used, rows[0].positives), (4, 2));
        assert_eq!(rows[0].auroc, Some(1.0));
        assert_eq!(rows[0].average_precision, Some(1.0));
        assert_eq!((rows[1].used, rows[1].auroc), (5, Some(1.0)));
        let reference = [0.0, 0.5, 1.0, 1.0, 0.2];
        let r = &eval_reference(&[c], &reference)[0];
        assert_eq!((r.used, r.used_below_one), (4, 2));
        assert!((r.spearman.unwrap() - 0.9486832980505139).abs() < 1e-12, "{r:?}");
        assert_eq!(r.spearman_below_one, Some(1.0));
        assert_eq!(r.kendall_tau_b_below_one, Some(1.0));
    }

    #[test]
    fn truth_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.txt");
        std::fs::write(&p, "index\n3\n\n1 # flipped\n").unwrap();
        assert_eq!(read_truth_indices(&p, 4, None).unwrap(), [false, true, false, true]);
        std::fs::write(&p, "1\n9\n").unwrap();
        let e = read_truth_indices(&p, 4, None).unwrap_err().to_string();
        assert!(e.contains("line 2: index 9 is out of range"), "{e}");
        std::fs::write(&p, "1\nx\n").unwrap();
        assert!(read_truth_indices(&p, 4, None)
            .unwrap_err()
            .to_string()
            .contains("'x' is not an example index"));
        let npy = dir.path().join("bad.npy");
        let bytes = crate::export::npy_bytes(&[2], crate::export::NpyData::I64(&[0, 2])).unwrap();
        std::fs::write(&npy, bytes).unwrap();
        assert_eq!(read_truth_indices(&npy, 3, None).unwrap(), [true, false, true]);
    }
}
