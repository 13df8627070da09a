//! What each fuzz target does with one input, shared by the cargo-fuzz targets (`fuzz/fuzz_targets/`) and
//! the regression tests over the committed corpus (`tests/it/fuzz_regressions.rs`). Each returns the
//! reader's outcome: `Ok` with the number of examples (or selected rows), `Err` with the one-line message.
#![allow(dead_code, clippy::unwrap_used)]

use cscore::data::{load, load_labels, Dataset, Format, LoadOptions};
use cscore::export::{read_scores, Cells, Filter, Table};
use std::path::PathBuf;

/// IDX: the first byte picks plain or `.gz` file names (bit 0) and where the rest is split into the images
/// file and the labels file (bits 1–7, in 128ths).
pub fn idx(input: &[u8]) -> Result<usize, String> {
    let Some((&head, rest)) = input.split_first() else { return Err("empty input".into()) };
    let split = (usize::from(head >> 1) * rest.len() / 128).min(rest.len());
    let (images, labels) = rest.split_at(split);
    let suffix = if head & 1 == 1 { ".gz" } else { "" };
    let dir = scratch("idx");
    std::fs::write(dir.join(format!("train-images-idx3-ubyte{suffix}")), images).unwrap();
    std::fs::write(dir.join(format!("train-labels-idx1-ubyte{suffix}")), labels).unwrap();
    let opts = LoadOptions {
        format: Some(Format::Idx),
        image_size: None,
        flat_folders: false,
        skip_unreadable: false,
        channels: None,
        decoded: None,
    };
    let out = load(&dir, &opts);
    labels_agree(&out, &dir, &opts);
    std::fs::remove_dir_all(&dir).unwrap();
    out.map(|d| d.len()).map_err(|e| e.to_string())
}

/// CIFAR: the first byte picks the layout (bits 0–1: CIFAR-10 one batch, two batches, one batch and
/// `batches.meta.txt`, or CIFAR-100 `train.bin` and `fine_label_names.txt`) and where the rest is split
/// between the two files (bits 2–7, in 64ths).
pub fn cifar(input: &[u8]) -> Result<usize, String> {
    let Some((&head, rest)) = input.split_first() else { return Err("empty input".into()) };
    let split = (usize::from(head >> 2) * rest.len() / 64).min(rest.len());
    let (first, second) = rest.split_at(split);
    let dir = scratch("cifar");
    let files: &[&str] = match head & 3 {
        0 => &["data_batch_1.bin"],
        1 => &["data_batch_1.bin", "data_batch_2.bin"],
        2 => &["data_batch_1.bin", "batches.meta.txt"],
        _ => &["train.bin", "fine_label_names.txt"],
    };
    for (name, bytes) in files.iter().zip([first, second]) {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let out = load(
        &dir,
        &LoadOptions {
            format: Some(Format::Cifar),
            image_size: None,
            flat_folders: false,
            skip_unreadable: false,
            channels: None,
            decoded: None,
        },
    );
    std::fs::remove_dir_all(&dir).unwrap();
    out.map(|d| d.len()).map_err(|e| e.to_string())
}

/// `.npz`: the input is the archive.
pub fn npz(input: &[u8]) -> Result<usize, String> {
    let dir = scratch("npz");
    let path = dir.join("data.npz");
    std::fs::write(&path, input).unwrap();
    let opts = LoadOptions {
        format: Some(Format::Npz),
        image_size: None,
        flat_folders: false,
        skip_unreadable: false,
        channels: None,
        decoded: None,
    };
    let out = load(&path, &opts);
    labels_agree(&out, &path, &opts);
    std::fs::remove_dir_all(&dir).unwrap();
    out.map(|d| d.len()).map_err(|e| e.to_string())
}

/// The labels-first reading (what the explorer shows before the pixels) never panics, and wherever the
/// whole load succeeds it gives the same labels and image shape.
fn labels_agree(
    whole: &Result<Dataset, cscore::data::DataError>,
    path: &std::path::Path,
    opts: &LoadOptions,
) {
    let first = load_labels(path, opts);
    if let Ok(d) = whole {
        let first =
            first.unwrap_or_else(|e| panic!("the whole load succeeds but the labels alone fail: {e}"));
        let first = first.expect("this format keeps its labels apart");
        assert_eq!(first.labels, d.labels, "labels first and whole disagree");
        assert_eq!(first.shape, Some((d.channels, d.height, d.width)), "image shapes disagree");
    }
}

/// Filter expressions: the input (UTF-8) is parsed, and what parses is evaluated on a small table with a
/// column of every kind.
pub fn filter(input: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(input).map_err(|e| e.to_string())?;
    let filter = Filter::parse(text).map_err(|e| e.to_string())?;
    filter.select(&table()).map(|rows| rows.len()).map_err(|e| e.to_string())
}

/// Imported score CSV (`cscore import-scores`): the first byte gives the dataset's size (bits 0–5) and
/// whether `--field cscore` is passed (bit 6); the rest is the file.
pub fn csv(input: &[u8]) -> Result<usize, String> {
    let Some((&head, rest)) = input.split_first() else { return Err("empty input".into()) };
    let field = (head & 64 != 0).then_some("cscore");
    let dir = scratch("csv");
    let path = dir.join("scores.csv");
    std::fs::write(&path, rest).unwrap();
    let out = read_scores(&path, usize::from(head & 63), field);
    std::fs::remove_dir_all(&dir).unwrap();
    out.map(|s| s.scores.len()).map_err(|e| e.to_string())
}

/// Three rows with columns named and typed as in an export.
fn table() -> Table {
    let mut t = Table::new();
    t.push("cscore", Cells::F64(vec![0.1, f64::NAN, 0.9])).unwrap();
    t.push("proxy_aum", Cells::F32(vec![-1.5, 2.0, f32::INFINITY])).unwrap();
    t.push("tag", Cells::Text(vec![Some("mislabeled".into()), None, Some("ok".into())])).unwrap();
    t.push("label", Cells::Int(vec![Some(3), Some(0), None])).unwrap();
    t.push("injected", Cells::Bool(vec![Some(true), Some(false), None])).unwrap();
    t
}

/// A fresh directory of this process and thread, in memory-backed /dev/shm when there is one.
fn scratch(what: &str) -> PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() };
    let thread = format!("{:?}", std::thread::current().id()).replace(|c: char| !c.is_ascii_digit(), "");
    let dir = base.join(format!("cscore-fuzz-{what}-{}-{thread}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
