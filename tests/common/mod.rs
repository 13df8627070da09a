//! Synthetic datasets for whole-program tests: class prototypes plus noise, with known flipped labels.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use cscore::data::{Dataset, Format};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `n` 12×12 grey images of `classes` prototype patterns with pixel noise; `flip` of the labels are
/// moved to another class. Returns the dataset and the flipped indices.
pub fn synthetic(n: usize, classes: usize, flip: f64, seed: u64) -> (Dataset, Vec<usize>) {
    let (h, w) = (12, 12);
    let d = h * w;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let protos: Vec<Vec<f64>> = (0..classes).map(|_| (0..d).map(|_| rng.random::<f64>()).collect()).collect();
    let mut pixels = Vec::with_capacity(n * d);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % classes;
        for p in &protos[c] {
            let v = (p + rng.random_range(-0.35..0.35)).clamp(0.0, 1.0);
            pixels.push((v * 255.0).round() as u8);
        }
        labels.push(c as u32);
    }
    let k = (flip * n as f64).round() as usize;
    let mut flipped: Vec<usize> = Vec::new();
    while flipped.len() < k {
        let i = rng.random_range(0..n);
        if !flipped.contains(&i) {
            flipped.push(i);
        }
    }
    for &i in &flipped {
        let shift = rng.random_range(1..classes) as u32;
        labels[i] = (labels[i] + shift) % classes as u32;
    }
    flipped.sort_unstable();
    let hash = Dataset::compute_hash(1, h, w, &pixels, &labels, classes);
    let ds = Dataset {
        name: "synthetic".into(),
        source: PathBuf::from("synthetic"),
        format: Format::Idx,
        channels: 1,
        height: h,
        width: w,
        pixels,
        labels,
        class_names: (0..classes).map(|c| c.to_string()).collect(),
        paths: None,
        content_hash: hash,
        notes: Vec::new(),
        unreadable: Vec::new(),
    };
    (ds, flipped)
}

/// Writes `ds` as an IDX folder (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`) under `dir`.
pub fn write_idx(dir: &Path, ds: &Dataset) {
    std::fs::create_dir_all(dir).unwrap();
    let mut img = std::fs::File::create(dir.join("train-images-idx3-ubyte")).unwrap();
    for v in [0x803u32, ds.len() as u32, ds.height as u32, ds.width as u32] {
        img.write_all(&v.to_be_bytes()).unwrap();
    }
    img.write_all(&ds.pixels).unwrap();
    let mut lab = std::fs::File::create(dir.join("train-labels-idx1-ubyte")).unwrap();
    for v in [0x801u32, ds.len() as u32] {
        lab.write_all(&v.to_be_bytes()).unwrap();
    }
    lab.write_all(&ds.labels.iter().map(|&l| l as u8).collect::<Vec<_>>()).unwrap();
}

/// Area under the ROC curve of `scores` (higher = more likely positive) for the `positives`.
pub fn auroc(scores: &[f64], positives: &[usize]) -> f64 {
    let mut pos = vec![false; scores.len()];
    for &p in positives {
        pos[p] = true;
    }
    let (mut wins, mut pairs) = (0.0, 0.0);
    for i in 0..scores.len() {
        if !pos[i] {
            continue;
        }
        for j in 0..scores.len() {
            if pos[j] {
                continue;
            }
            pairs += 1.0;
            wins += if scores[i] > scores[j] {
                1.0
            } else if scores[i] == scores[j] {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / pairs
}

/// Copies the files of `from` (not recursive) into a new folder `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(from).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
        }
    }
}

/// A `.npy` file: version 1.0 header for `descr` (e.g. `<f4`), `shape` (a Python tuple, e.g. `(2, 3)`)
/// and memory order, then `data` as given (which may disagree with the header, for bad-input tests).
pub fn npy(descr: &str, shape: &str, data: &[u8], fortran: bool) -> Vec<u8> {
    let f = if fortran { "True" } else { "False" };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': {f}, 'shape': {shape}, }}");
    while (header.len() + 11) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut v = b"\x93NUMPY\x01\x00".to_vec();
    v.extend((header.len() as u16).to_le_bytes());
    v.extend(header.as_bytes());
    v.extend(data);
    v
}

/// A deflated zip archive with the entries as named (give `x.npy`, not `x`).
pub fn write_npz(path: &Path, entries: &[(&str, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(*name, o).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

/// Little-endian int64 bytes.
pub fn i64_bytes(v: &[i64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Runs the binary with `args` in `dir`, sends `signal` (`INT`, `TERM`, …) once the workspace `ws` holds
/// `runs` finished runs (or after two minutes), and returns what it printed and how it ended.
pub fn signal_after_runs(
    args: &[&str],
    dir: &Path,
    ws: &Path,
    runs: usize,
    signal: &str,
) -> std::process::Output {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let child = Command::new(env!("CARGO_BIN_EXE_cscore"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let done =
        || cscore::store::Workspace::open(ws).ok().and_then(|w| w.run_counts().ok()).map_or(0, |c| c.done);
    while done() < runs && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill").args([format!("-{signal}"), child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    child.wait_with_output().unwrap()
}

/// `dir/{cat,dog}/00.png…`: `per_class` 8×8 RGB images a class, each a little different.
pub fn pets(dir: &Path, per_class: u8) {
    for (k, class) in ["cat", "dog"].iter().enumerate() {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for j in 0..per_class {
            image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([j * 20, (x * y) as u8, 120 * k as u8]))
                .save(dir.join(class).join(format!("{j:02}.png")))
                .unwrap();
        }
    }
}
