//! Which files make an IDX dataset: `<prefix>images-idx3-ubyte` and `<prefix>labels-idx1-ubyte`
//! (or the `images.idx3-ubyte` spelling), each plain or `.gz`.

use super::read::sorted_entries;
use super::{invalid, DataError};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Images,
    Labels,
}

const SUFFIXES: [(&str, Role); 4] = [
    ("images-idx3-ubyte", Role::Images),
    ("images.idx3-ubyte", Role::Images),
    ("labels-idx1-ubyte", Role::Labels),
    ("labels.idx1-ubyte", Role::Labels),
];

/// The role of an IDX file and the prefix before `images`/`labels` (e.g. `train-`).
fn role(path: &Path) -> Option<(Role, String)> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let base = lower.strip_suffix(".gz").unwrap_or(&lower);
    SUFFIXES.iter().find_map(|&(suffix, role)| {
        let prefix = base.strip_suffix(suffix)?;
        Some((role, prefix.to_string()))
    })
}

fn is_gz(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// True when `path` is named like an IDX images or labels file.
pub(super) fn is_idx_file(path: &Path) -> bool {
    role(path).is_some()
}

/// True when the folder holds an IDX images file.
pub(super) fn dir_has_idx(dir: &Path) -> bool {
    sorted_entries(dir).is_ok_and(|entries| {
        entries.iter().any(|p| p.is_file() && matches!(role(p), Some((Role::Images, _))))
    })
}

/// Files of `dir` with `want` role and `prefix`, plain before gzip.
fn with_role(dir: &Path, want: Role, prefix: Option<&str>) -> Result<Vec<(String, PathBuf)>, DataError> {
    let mut found: Vec<(String, PathBuf)> = sorted_entries(dir)?
        .into_iter()
        .filter(|p| p.is_file())
        .filter_map(|p| match role(&p) {
            Some((r, pre)) if r == want && prefix.is_none_or(|x| x == pre) => Some((pre, p)),
            _ => None,
        })
        .collect();
    found.sort_by_key(|(pre, p)| (pre.clone(), is_gz(p), p.clone()));
    Ok(found)
}

/// The images and labels files of the IDX dataset at `path` (a folder, or one of its two files).
pub(super) fn locate(path: &Path) -> Result<(PathBuf, PathBuf), DataError> {
    if path.is_dir() {
        let images = with_role(path, Role::Images, None)?;
        let mut prefixes: Vec<&str> = images.iter().map(|(pre, _)| pre.as_str()).collect();
        prefixes.dedup();
        let train: Vec<&str> = prefixes.iter().copied().filter(|p| p.contains("train")).collect();
        let chosen = match (train.as_slice(), prefixes.as_slice()) {
            ([one], _) | ([], [one]) => *one,
            ([], []) => {
                return Err(invalid(
                    path,
                    "no IDX images file (expected train-images-idx3-ubyte[.gz] \
                     or train-images.idx3-ubyte[.gz])",
                ))
            }
            _ => {
                let names: Vec<String> = prefixes.iter().map(|p| format!("{p}images-idx3-ubyte")).collect();
                return Err(invalid(
                    path,
                    format!(
                        "several IDX datasets here ({}); give the images file directly",
                        names.join(", ")
                    ),
                ));
            }
        };
        let images_file = images
            .iter()
            .find(|(pre, _)| pre == chosen)
            .map(|(_, p)| p.clone())
            .ok_or_else(|| invalid(path, "no IDX images file"))?;
        let labels_file = partner(&images_file, path, chosen, Role::Labels)?;
        return Ok((images_file, labels_file));
    }
    let Some((r, prefix)) = role(path) else {
        return Err(invalid(
            path,
            "not an IDX file name (expected …images-idx3-ubyte[.gz] or …labels-idx1-ubyte[.gz])",
        ));
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match r {
        Role::Images => Ok((path.to_path_buf(), partner(path, &dir, &prefix, Role::Labels)?)),
        Role::Labels => Ok((partner(path, &dir, &prefix, Role::Images)?, path.to_path_buf())),
    }
}

/// The other file of the pair, found beside `file` in `dir`.
fn partner(file: &Path, dir: &Path, prefix: &str, want: Role) -> Result<PathBuf, DataError> {
    let found = with_role(dir, want, Some(prefix))?;
    match found.into_iter().next() {
        Some((_, p)) => Ok(p),
        None => {
            let what = match want {
                Role::Images => "images-idx3-ubyte",
                Role::Labels => "labels-idx1-ubyte",
            };
            Err(invalid(file, format!("no matching file beside it (looked for {prefix}{what}[.gz])")))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_prefixes() {
        let r = |s: &str| role(Path::new(s));
        assert_eq!(r("train-images-idx3-ubyte"), Some((Role::Images, "train-".into())));
        assert_eq!(r("TRAIN-IMAGES.IDX3-UBYTE.GZ"), Some((Role::Images, "train-".into())));
        assert_eq!(
            r("emnist-letters-train-labels-idx1-ubyte.gz"),
            Some((Role::Labels, "emnist-letters-train-".into()))
        );
        assert_eq!(r("train-images-idx3-ubyte.zip"), None);
        assert_eq!(r("data_batch_1.bin"), None);
    }
}
