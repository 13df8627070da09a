//! Guessing a dataset's format from what is at its path.

use super::{cifar, folder, idx_names, invalid, DataError, Format};
use std::path::Path;

const EXPECTED: &str = "expected an IDX folder (train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]), \
    a CIFAR binary folder (data_batch_*.bin or train.bin), an image folder (root/<class>/*.png) or a .npz file";

/// Detects the format of the dataset at `path`.
pub fn detect_format(path: &Path) -> Result<Format, DataError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => invalid(path, "no such file or directory"),
        _ => invalid(path, format!("cannot read: {e}")),
    })?;
    if meta.is_file() {
        let npz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("npz"));
        if npz {
            return Ok(Format::Npz);
        }
        if idx_names::is_idx_file(path) {
            return Ok(Format::Idx);
        }
        return Err(invalid(path, format!("no dataset found: {EXPECTED}")));
    }
    if cifar::is_cifar_dir(path) {
        return Ok(Format::Cifar);
    }
    if idx_names::dir_has_idx(path) {
        return Ok(Format::Idx);
    }
    if folder::is_image_folder(path) {
        return Ok(Format::Folder);
    }
    let empty = std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_none());
    let what = if empty { "no dataset found (the folder is empty)" } else { "no dataset found" };
    Err(invalid(path, format!("{what}: {EXPECTED}")))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        let err = detect_format(p).unwrap_err().to_string();
        assert!(err.contains("no dataset found (the folder is empty)"), "{err}");
        std::fs::write(p.join("a.npz"), b"").unwrap();
        assert_eq!(detect_format(&p.join("a.npz")).unwrap(), Format::Npz);
        std::fs::write(p.join("t10k-images-idx3-ubyte.gz"), b"").unwrap();
        assert_eq!(detect_format(p).unwrap(), Format::Idx);
        assert_eq!(detect_format(&p.join("t10k-images-idx3-ubyte.gz")).unwrap(), Format::Idx);
        std::fs::write(p.join("train.bin"), b"").unwrap();
        assert_eq!(detect_format(p).unwrap(), Format::Cifar);
        let f = p.join("f");
        std::fs::create_dir_all(f.join("cat")).unwrap();
        std::fs::write(f.join("cat/1.png"), b"").unwrap();
        assert_eq!(detect_format(&f).unwrap(), Format::Folder);
        assert!(detect_format(&p.join("nope"))
            .unwrap_err()
            .to_string()
            .contains("no such file or directory"));
    }
}
