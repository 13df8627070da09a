//! CIFAR-10 (`data_batch_*.bin`) and CIFAR-100 (`train.bin`) binary folders; records are already C×H×W.

use super::read::{open, plural};
use super::{invalid, numbered_classes, DataError, Loaded};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

const SIDE: usize = 32;
const IMAGE_BYTES: usize = 3 * SIDE * SIDE;

/// The two CIFAR variants: where labels sit in a record and how many classes there are.
struct Variant {
    name: &'static str,
    /// Label bytes before the pixels; the last one is the label used.
    label_bytes: usize,
    classes: usize,
    names_file: &'static str,
}

const CIFAR10: Variant =
    Variant { name: "CIFAR-10", label_bytes: 1, classes: 10, names_file: "batches.meta.txt" };
const CIFAR100: Variant =
    Variant { name: "CIFAR-100", label_bytes: 2, classes: 100, names_file: "fine_label_names.txt" };

/// True when `dir` looks like a CIFAR binary folder.
pub(super) fn is_cifar_dir(dir: &Path) -> bool {
    dir.join("data_batch_1.bin").is_file() || dir.join("train.bin").is_file()
}

/// Loads the training batches of a CIFAR-10 or CIFAR-100 binary folder.
pub(super) fn load(dir: &Path) -> Result<Loaded, DataError> {
    let (variant, files) = if dir.join("data_batch_1.bin").is_file() {
        (CIFAR10, cifar10_batches(dir)?)
    } else if dir.join("train.bin").is_file() {
        (CIFAR100, vec![dir.join("train.bin")])
    } else {
        return Err(invalid(
            dir,
            "no CIFAR batch files (expected data_batch_1.bin … data_batch_5.bin or train.bin)",
        ));
    };
    let record = variant.label_bytes + IMAGE_BYTES;
    let mut sizes = Vec::with_capacity(files.len());
    for f in &files {
        let (_, len) = open(f)?;
        if len % record as u64 != 0 {
            return Err(invalid(
                f,
                format!(
                    "truncated file: {len} bytes is not a whole number of {record}-byte {} records \
                     (the last one has only {})",
                    variant.name,
                    plural(len % record as u64, "byte", "bytes")
                ),
            ));
        }
        sizes.push(len / record as u64);
    }
    let n: u64 = sizes.iter().sum();
    let n = usize::try_from(n).map_err(|_| invalid(dir, "too many records"))?;
    let bytes = n.checked_mul(IMAGE_BYTES).ok_or_else(|| invalid(dir, "too many records"))?;
    let mut pixels = Vec::with_capacity(bytes);
    let mut labels = Vec::with_capacity(n);
    for (f, &count) in files.iter().zip(&sizes) {
        read_records(f, count, &variant, &mut pixels, &mut labels)?;
    }
    Ok(Loaded {
        channels: 3,
        height: SIDE,
        width: SIDE,
        pixels,
        labels,
        class_names: class_names(dir, &variant)?,
        paths: None,
        notes: Vec::new(),
        unreadable: Vec::new(),
    })
}

/// `data_batch_1.bin`, `data_batch_2.bin`, … in order; a gap in the numbering is an error.
fn cifar10_batches(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    let mut numbered: Vec<(u32, PathBuf)> = super::read::sorted_entries(dir)?
        .into_iter()
        .filter(|p| p.is_file())
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?;
            let number = name.strip_prefix("data_batch_")?.strip_suffix(".bin")?.parse().ok()?;
            Some((number, p))
        })
        .collect();
    numbered.sort();
    let mut files = Vec::with_capacity(numbered.len());
    for (want, (got, p)) in (1u32..).zip(numbered) {
        if got != want {
            return Err(invalid(dir, format!("data_batch_{want}.bin is missing")));
        }
        files.push(p);
    }
    Ok(files)
}

/// Appends the `count` records of `f` to `pixels` and `labels`.
fn read_records(
    f: &Path,
    count: u64,
    v: &Variant,
    pixels: &mut Vec<u8>,
    labels: &mut Vec<u32>,
) -> Result<(), DataError> {
    let (file, _) = open(f)?;
    let mut r = BufReader::with_capacity(1 << 20, file);
    let mut head = [0u8; 2];
    let mut image = [0u8; IMAGE_BYTES];
    for i in 0..count {
        r.read_exact(&mut head[..v.label_bytes])
            .and_then(|()| r.read_exact(&mut image))
            .map_err(|e| invalid(f, format!("cannot read record {i}: {e}")))?;
        let label = head[v.label_bytes - 1];
        if usize::from(label) >= v.classes {
            return Err(invalid(
                f,
                format!("record {i}: label {label} is out of range for {} (0–{})", v.name, v.classes - 1),
            ));
        }
        labels.push(u32::from(label));
        pixels.extend_from_slice(&image);
    }
    Ok(())
}

/// Class names from the variant's names file (one per line) when present, else "0", "1", ….
fn class_names(dir: &Path, v: &Variant) -> Result<Vec<String>, DataError> {
    let f = dir.join(v.names_file);
    if !f.is_file() {
        return Ok(numbered_classes(v.classes));
    }
    let text = std::fs::read_to_string(&f).map_err(|e| invalid(&f, format!("cannot read: {e}")))?;
    let names: Vec<String> =
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
    if names.len() != v.classes {
        return Err(invalid(&f, format!("lists {} class names, expected {}", names.len(), v.classes)));
    }
    Ok(names)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_records_and_rejects_bad_labels() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("train.bin");
        let mut bytes = vec![3u8, 42];
        bytes.extend(std::iter::repeat_n(7u8, IMAGE_BYTES));
        std::fs::write(&f, &bytes).unwrap();
        let (mut p, mut l) = (Vec::new(), Vec::new());
        read_records(&f, 1, &CIFAR100, &mut p, &mut l).unwrap();
        assert_eq!((l, p.len()), (vec![42], IMAGE_BYTES));
        bytes[1] = 100;
        std::fs::write(&f, &bytes).unwrap();
        let err = read_records(&f, 1, &CIFAR100, &mut p, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
    }

    #[test]
    fn finds_batches_and_gaps() {
        let dir = tempfile::tempdir().unwrap();
        for i in [1, 2] {
            std::fs::write(dir.path().join(format!("data_batch_{i}.bin")), b"").unwrap();
        }
        assert_eq!(cifar10_batches(dir.path()).unwrap().len(), 2);
        std::fs::write(dir.path().join("data_batch_4.bin"), b"").unwrap();
        assert!(cifar10_batches(dir.path()).unwrap_err().to_string().contains("data_batch_3.bin is missing"));
    }
}
