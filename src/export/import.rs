//! Reading per-example scores from elsewhere: `.npy` (1-D numbers), `.npz` (array `scores`, and `labels`
//! when present, as in the published CIFAR C-score files), JSON Lines (`.jsonl`) and CSV (`index,score`
//! or one score per line).

use std::io::Read;
use std::path::Path;

use super::import_csv::read_csv_scores;
use super::import_jsonl::read_jsonl_scores;
use super::ExportError;
use crate::data::npy::{self, Kind, Npy};

/// Largest array read from an archive entry (the published CIFAR-100 files are well under this).
const MAX_ENTRY_BYTES: u64 = 1 << 32;

/// Scores read from a file, one per example (NaN where the file has none), and its labels if it has some.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedScores {
    /// One score per example, NaN where missing.
    pub scores: Vec<f32>,
    /// Labels stored beside the scores (`.npz` key `labels`), to check against the dataset.
    pub labels: Option<Vec<u32>>,
}

impl ImportedScores {
    /// Number of examples with a score.
    pub fn present(&self) -> usize {
        self.scores.iter().filter(|v| !v.is_nan()).count()
    }
}

/// Checks a name for imported scores: letters, digits and `_` (it becomes the column `ref_<name>`).
pub fn valid_score_name(name: &str) -> Result<(), String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "--name {name:?}: use letters, digits and _ only (it becomes the column ref_{name})"
        ));
    }
    Ok(())
}

/// Reads the scores in `path` for a dataset of `n` examples; `field` picks the `.npz` array (default
/// `scores`), the JSON Lines key (default `score`) or the CSV column.
pub fn read_scores(path: &Path, n: usize, field: Option<&str>) -> Result<ImportedScores, ExportError> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let (values, labels) = match ext.as_str() {
        "npy" => (vector(path, &read_npy_file(path)?, "the array")?, None),
        "npz" => read_npz(path, field.unwrap_or("scores"))?,
        "jsonl" | "ndjson" => {
            let text = std::fs::read_to_string(path).map_err(|e| ExportError::io(path, e))?;
            (read_jsonl_scores(&text, n, field).map_err(|p| ExportError::invalid(path, p))?, None)
        }
        _ => {
            let text = std::fs::read_to_string(path).map_err(|e| ExportError::io(path, e))?;
            (read_csv_scores(&text, n, field).map_err(|p| ExportError::invalid(path, p))?, None)
        }
    };
    if values.len() != n {
        let problem = format!("holds {} scores but the dataset has {n} examples", values.len());
        return Err(ExportError::invalid(path, problem));
    }
    if let Some(labels) = &labels {
        if labels.len() != n {
            let problem = format!("holds {} labels but the dataset has {n} examples", labels.len());
            return Err(ExportError::invalid(path, problem));
        }
    }
    Ok(ImportedScores { scores: values.into_iter().map(|v| v as f32).collect(), labels })
}

/// Fails unless the file's labels equal the dataset's, naming how many differ and the first.
pub fn check_labels(path: &Path, file: &[u32], dataset: &[u32]) -> Result<(), ExportError> {
    if file.len() != dataset.len() {
        let problem = format!("holds {} labels but the dataset has {} examples", file.len(), dataset.len());
        return Err(ExportError::invalid(path, problem));
    }
    let differ: Vec<usize> = (0..file.len()).filter(|&i| file[i] != dataset[i]).collect();
    if let Some(&first) = differ.first() {
        let problem = format!(
            "its labels disagree with the dataset's at {} of {} examples (first at index {first}: {} in the \
             file, {} in the dataset); are these scores for this dataset, in this order?",
            differ.len(),
            file.len(),
            file[first],
            dataset[first]
        );
        return Err(ExportError::invalid(path, problem));
    }
    Ok(())
}

/// Reads and parses a whole `.npy` file.
pub(crate) fn read_npy_file(path: &Path) -> Result<Npy, ExportError> {
    let bytes = std::fs::read(path).map_err(|e| ExportError::io(path, e))?;
    numeric(npy::parse(bytes)).map_err(|p| ExportError::invalid(path, p))
}

/// The array, unless it holds strings (scores are numbers).
fn numeric(parsed: Result<Npy, String>) -> Result<Npy, String> {
    let a = parsed?;
    if a.kind == Kind::Unicode {
        return Err(format!("holds strings (dtype '{}'), not numbers", a.descr));
    }
    Ok(a)
}

/// Every element as f64 (integers converted).
pub(crate) fn npy_values(a: &Npy) -> Vec<f64> {
    a.data
        .chunks_exact(a.size)
        .map(|e| if a.kind == Kind::Float { a.float_at(e) } else { a.int_at(e) as f64 })
        .collect()
}

/// The values of a 1-D (or N×1) numeric array.
fn vector(path: &Path, a: &Npy, what: &str) -> Result<Vec<f64>, ExportError> {
    match a.shape.as_slice() {
        [_] | [_, 1] => Ok(npy_values(a)),
        other => {
            let problem = format!("{what} has shape {other:?}; expected one score per example (N,)");
            Err(ExportError::invalid(path, problem))
        }
    }
}

/// Scores (array `key`) and labels (array `labels`, if present) from a `.npz`.
fn read_npz(path: &Path, key: &str) -> Result<(Vec<f64>, Option<Vec<u32>>), ExportError> {
    let file = std::fs::File::open(path).map_err(|e| ExportError::io(path, e))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| ExportError::invalid(path, format!("not a zip archive (a .npz must be one): {e}")))?;
    let Some(scores) = npz_array(path, &mut zip, key)? else {
        let mut keys: Vec<String> =
            zip.file_names().map(|n| n.strip_suffix(".npy").unwrap_or(n).to_string()).collect();
        keys.sort_unstable();
        let problem = format!("no array '{key}' (it holds: {}); pass --field NAME", keys.join(", "));
        return Err(ExportError::invalid(path, problem));
    };
    let scores = vector(path, &scores, &format!("array '{key}'"))?;
    let labels = match npz_array(path, &mut zip, "labels")? {
        Some(a) => Some(a.labels().map_err(|p| ExportError::invalid(path, format!("labels: {p}")))?),
        None => None,
    };
    Ok((scores, labels))
}

/// Array `key` of an archive, if it has one.
fn npz_array<R: Read + std::io::Seek>(
    path: &Path,
    zip: &mut zip::ZipArchive<R>,
    key: &str,
) -> Result<Option<Npy>, ExportError> {
    let Some(name) =
        [format!("{key}.npy"), key.to_string()].into_iter().find(|n| zip.index_for_name(n).is_some())
    else {
        return Ok(None);
    };
    let entry = zip.by_name(&name).map_err(|e| ExportError::invalid(path, format!("{name}: {e}")))?;
    let size = entry.size();
    if size > MAX_ENTRY_BYTES {
        return Err(ExportError::invalid(path, format!("{name}: {size} bytes is too large for scores")));
    }
    let mut bytes = Vec::new();
    entry
        .take(size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ExportError::invalid(path, format!("{name}: corrupt zip entry: {e}")))?;
    if bytes.len() as u64 != size {
        return Err(ExportError::invalid(path, format!("{name}: corrupt zip entry (size does not match)")));
    }
    numeric(npy::parse(bytes)).map(Some).map_err(|p| ExportError::invalid(path, format!("{name}: {p}")))
}
