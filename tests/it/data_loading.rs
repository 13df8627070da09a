//! Loading every dataset format through `cscore::data::load`, bad input, and injected corruption.

use crate::common;

use common::{i64_bytes, npy, write_npz};
use cscore::data::{detect_format, inject, load, Corruption, Dataset, Format, InjectedKind, LoadOptions};
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};

// ---------- helpers ----------

fn opts() -> LoadOptions {
    LoadOptions::default()
}

/// Loads `path`, expecting failure, and checks the message names `file` and `phrase`.
fn expect_err(path: &Path, o: &LoadOptions, file: &str, phrase: &str) -> String {
    let msg = match load(path, o) {
        Ok(ds) => panic!("{} loaded ({} examples) but should fail", path.display(), ds.len()),
        Err(e) => e.to_string(),
    };
    assert!(msg.contains(file), "message should name {file:?}: {msg}");
    assert!(msg.contains(phrase), "message should say {phrase:?}: {msg}");
    assert!(!msg.contains('\n'), "message should be one line: {msg}");
    println!("{msg}");
    msg
}

fn write(path: &Path, bytes: &[u8], gz: bool) {
    if gz {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).unwrap();
        std::fs::write(path, e.finish().unwrap()).unwrap();
    } else {
        std::fs::write(path, bytes).unwrap();
    }
}

fn idx_bytes(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut v = magic.to_be_bytes().to_vec();
    for d in dims {
        v.extend(d.to_be_bytes());
    }
    v.extend(data);
    v
}

const IDX_PIXELS: [u8; 18] = [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 255];

/// Writes a 3-image 2×3 IDX pair named with `dash` (`-idx3-`) or dot (`.idx3-`) spelling.
fn idx_dir(root: &Path, name: &str, dash: bool, gz: bool) -> (PathBuf, PathBuf) {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let sep = if dash { "-" } else { "." };
    let ext = if gz { ".gz" } else { "" };
    let images = dir.join(format!("train-images{sep}idx3-ubyte{ext}"));
    let labels = dir.join(format!("train-labels{sep}idx1-ubyte{ext}"));
    write(&images, &idx_bytes(0x803, &[3, 2, 3], &IDX_PIXELS), gz);
    write(&labels, &idx_bytes(0x801, &[3], &[1, 0, 2]), gz);
    (dir, images)
}

fn cifar_record(label: &[u8], fill: u8) -> Vec<u8> {
    let mut r = label.to_vec();
    for c in 0..3u8 {
        r.extend(std::iter::repeat_n(fill.wrapping_add(c), 1024));
    }
    r
}

// ---------- IDX ----------

#[test]
fn idx_folder_plain_and_gz_in_both_spellings() {
    let root = tempfile::tempdir().unwrap();
    for (i, (dash, gz)) in [(true, false), (true, true), (false, false), (false, true)].iter().enumerate() {
        let (dir, _) = idx_dir(root.path(), &format!("set{i}"), *dash, *gz);
        assert_eq!(detect_format(&dir).unwrap(), Format::Idx);
        let ds = load(&dir, &opts()).unwrap();
        assert_eq!((ds.len(), ds.channels, ds.height, ds.width), (3, 1, 2, 3));
        assert_eq!(ds.labels, vec![1, 0, 2]);
        assert_eq!(ds.class_names, vec!["0", "1", "2"]);
        assert_eq!(ds.pixels, IDX_PIXELS.to_vec());
        assert_eq!(ds.image(2), &IDX_PIXELS[12..]);
        assert_eq!(ds.name, format!("set{i}"));
        assert_eq!(ds.format, Format::Idx);
        assert!(ds.paths.is_none());
        assert_eq!(ds.content_hash, Dataset::compute_hash(1, 2, 3, &ds.pixels, &ds.labels, 3));
    }
}

#[test]
fn idx_images_file_given_directly() {
    let root = tempfile::tempdir().unwrap();
    let (dir, images) = idx_dir(root.path(), "digits", true, true);
    let direct = load(&images, &opts()).unwrap();
    let folder = load(&dir, &opts()).unwrap();
    assert_eq!(direct.name, "digits");
    assert_eq!(direct.content_hash, folder.content_hash);
    assert_eq!(direct.source, images);
}

#[test]
fn idx_bad_magic_number() {
    let root = tempfile::tempdir().unwrap();
    let (dir, images) = idx_dir(root.path(), "d", true, false);
    write(&images, &idx_bytes(0x1234_5678, &[3, 2, 3], &IDX_PIXELS), false);
    expect_err(&dir, &opts(), "train-images-idx3-ubyte", "bad magic number");
}

#[test]
fn idx_truncated_file() {
    let root = tempfile::tempdir().unwrap();
    let (dir, images) = idx_dir(root.path(), "d", true, true);
    write(&images, &idx_bytes(0x803, &[3, 2, 3], &IDX_PIXELS[..17]), true);
    expect_err(&dir, &opts(), "train-images-idx3-ubyte.gz", "truncated");
}

#[test]
fn idx_trailing_garbage() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = idx_dir(root.path(), "d", true, false);
    write(&dir.join("train-labels-idx1-ubyte"), &idx_bytes(0x801, &[3], &[1, 0, 2, 9]), false);
    expect_err(&dir, &opts(), "train-labels-idx1-ubyte", "trailing garbage");
}

#[test]
fn idx_image_label_count_mismatch() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = idx_dir(root.path(), "d", true, false);
    write(&dir.join("train-labels-idx1-ubyte"), &idx_bytes(0x801, &[2], &[1, 0]), false);
    expect_err(&dir, &opts(), "train-labels-idx1-ubyte", "count mismatch");
}

#[test]
fn idx_corrupt_gzip() {
    let root = tempfile::tempdir().unwrap();
    let (dir, images) = idx_dir(root.path(), "d", true, true);
    let mut bytes = std::fs::read(&images).unwrap();
    let len = bytes.len();
    bytes.truncate(len - 12);
    std::fs::write(&images, bytes).unwrap();
    expect_err(&dir, &opts(), "train-images-idx3-ubyte.gz", "corrupt gzip");
}

#[test]
fn idx_missing_labels_file() {
    let root = tempfile::tempdir().unwrap();
    let (dir, images) = idx_dir(root.path(), "d", true, false);
    std::fs::remove_file(dir.join("train-labels-idx1-ubyte")).unwrap();
    expect_err(&images, &opts(), "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
}

fn mnist_dir() -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/mnist");
    [local, PathBuf::from("/work/shared/data/mnist")]
        .into_iter()
        .find(|p| p.join("train-images-idx3-ubyte.gz").is_file())
}

#[test]
fn full_mnist_training_set() {
    let Some(dir) = mnist_dir() else {
        println!("note: skipped, MNIST not found at ../shared/data/mnist or /work/shared/data/mnist");
        return;
    };
    let t = std::time::Instant::now();
    let ds = load(&dir, &opts()).unwrap();
    println!("MNIST loaded in {:?}", t.elapsed());
    assert_eq!((ds.len(), ds.channels, ds.height, ds.width), (60_000, 1, 28, 28));
    assert_eq!(ds.pixels.len(), 60_000 * 784);
    assert_eq!(ds.labels[..10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    let mut counts = [0usize; 10];
    for &y in &ds.labels {
        counts[y as usize] += 1;
    }
    assert_eq!(counts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    assert_eq!(ds.class_names.len(), 10);
}

#[test]
fn shipped_mnist_sample() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/mnist-10k");
    if !dir.join("train-images-idx3-ubyte.gz").is_file() {
        println!("note: skipped, {} not found", dir.display());
        return;
    }
    let ds = load(&dir, &opts()).unwrap();
    assert_eq!((ds.len(), ds.name.as_str()), (10_000, "mnist-10k"));
    assert_eq!(ds.labels[..10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    let mut counts = [0usize; 10];
    for &y in &ds.labels {
        counts[y as usize] += 1;
    }
    assert_eq!(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
}

// ---------- CIFAR ----------

#[test]
fn cifar10_batches_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let b1: Vec<u8> = [cifar_record(&[3], 10), cifar_record(&[9], 20)].concat();
    let b2: Vec<u8> = cifar_record(&[0], 30);
    std::fs::write(p.join("data_batch_1.bin"), b1).unwrap();
    std::fs::write(p.join("data_batch_2.bin"), b2).unwrap();
    std::fs::write(p.join("test_batch.bin"), cifar_record(&[1], 0)).unwrap();
    let names = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";
    std::fs::write(p.join("batches.meta.txt"), names).unwrap();
    assert_eq!(detect_format(p).unwrap(), Format::Cifar);
    let ds = load(p, &opts()).unwrap();
    assert_eq!((ds.len(), ds.channels, ds.height, ds.width), (3, 3, 32, 32));
    assert_eq!(ds.labels, vec![3, 9, 0]);
    assert_eq!(ds.class_names[3], "cat");
    assert_eq!(ds.class_names.len(), 10);
    let img = ds.image(1);
    assert_eq!((img[0], img[1024], img[2048], img[3071]), (20, 21, 22, 22));
}

#[test]
fn cifar100_fine_labels_and_default_names() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = [cifar_record(&[1, 57], 0), cifar_record(&[19, 99], 5)].concat();
    std::fs::write(dir.path().join("train.bin"), bytes).unwrap();
    let ds = load(dir.path(), &opts()).unwrap();
    assert_eq!(ds.labels, vec![57, 99]);
    assert_eq!(ds.class_names.len(), 100);
    assert_eq!(ds.class_names[57], "57");
}

#[test]
fn cifar_label_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = [cifar_record(&[3], 0), cifar_record(&[10], 0)].concat();
    std::fs::write(dir.path().join("data_batch_1.bin"), bytes).unwrap();
    expect_err(dir.path(), &opts(), "data_batch_1.bin", "out of range");
}

#[test]
fn cifar_truncated_batch() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = cifar_record(&[1, 2], 0);
    bytes.pop();
    std::fs::write(dir.path().join("train.bin"), bytes).unwrap();
    expect_err(dir.path(), &opts(), "train.bin", "truncated");
}

#[test]
fn cifar_without_batches_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let o = LoadOptions { format: Some(Format::Cifar), ..opts() };
    expect_err(dir.path(), &o, &dir.path().display().to_string(), "no CIFAR batch files");
}

// ---------- image folders ----------

fn rgb(w: u32, h: u32, px: [u8; 3]) -> image::RgbImage {
    image::RgbImage::from_pixel(w, h, image::Rgb(px))
}

/// cat/a.png (6×4, red), cat/b.jpg (6×4), dog/c.PNG (8×8), plus files that must be ignored.
fn image_folder(root: &Path) -> PathBuf {
    let dir = root.join("pets");
    std::fs::create_dir_all(dir.join("cat")).unwrap();
    std::fs::create_dir_all(dir.join("dog")).unwrap();
    std::fs::create_dir_all(dir.join(".cache")).unwrap();
    rgb(6, 4, [200, 10, 30]).save(dir.join("cat/a.png")).unwrap();
    rgb(6, 4, [0, 128, 255]).save(dir.join("cat/b.jpg")).unwrap();
    rgb(8, 8, [50, 60, 70]).save_with_format(dir.join("dog/c.PNG"), image::ImageFormat::Png).unwrap();
    std::fs::write(dir.join("dog/notes.txt"), "not an image").unwrap();
    std::fs::write(dir.join("dog/.hidden.png"), "not an image either").unwrap();
    std::fs::write(dir.join("README"), "top-level file").unwrap();
    dir
}

#[test]
fn image_folder_resizes_to_the_most_common_size() {
    let root = tempfile::tempdir().unwrap();
    let dir = image_folder(root.path());
    assert_eq!(detect_format(&dir).unwrap(), Format::Folder);
    let ds = load(&dir, &opts()).unwrap();
    assert_eq!((ds.len(), ds.channels, ds.height, ds.width), (3, 3, 4, 6));
    assert_eq!(ds.class_names, vec!["cat", "dog"]);
    assert_eq!(ds.labels, vec![0, 0, 1]);
    assert_eq!(ds.name, "pets");
    let paths = ds.paths.clone().unwrap();
    let names: Vec<_> = paths.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(names, ["a.png", "b.jpg", "c.PNG"]);
    let a = ds.image(0);
    assert_eq!((a[0], a[24], a[48]), (200, 10, 30), "planar R, G, B");
    let c = ds.image(2);
    assert_eq!((c[0], c[24], c[48]), (50, 60, 70), "resized uniform image keeps its colour");
}

#[test]
fn image_folder_size_override() {
    let root = tempfile::tempdir().unwrap();
    let dir = image_folder(root.path());
    let o = LoadOptions { image_size: Some((5, 7)), ..opts() };
    let ds = load(&dir, &o).unwrap();
    assert_eq!((ds.height, ds.width, ds.pixels.len()), (5, 7, 3 * 3 * 5 * 7));
}

#[test]
fn grey_image_folder_has_one_channel() {
    let root = tempfile::tempdir().unwrap();
    for (class, v) in [("a", 10u8), ("b", 200)] {
        let d = root.path().join(class);
        std::fs::create_dir_all(&d).unwrap();
        image::GrayImage::from_pixel(3, 3, image::Luma([v])).save(d.join("x.png")).unwrap();
    }
    let ds = load(root.path(), &opts()).unwrap();
    assert_eq!((ds.channels, ds.height, ds.width), (1, 3, 3));
    assert_eq!(ds.pixels, [vec![10u8; 9], vec![200u8; 9]].concat());
}

#[test]
fn empty_image_folder() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("empty");
    std::fs::create_dir(&dir).unwrap();
    let o = LoadOptions { format: Some(Format::Folder), ..opts() };
    expect_err(&dir, &o, "empty", "empty folder");
    expect_err(&dir, &opts(), "empty", "no dataset found (the folder is empty)");
}

#[test]
fn class_folder_without_images() {
    let root = tempfile::tempdir().unwrap();
    let dir = image_folder(root.path());
    std::fs::create_dir(dir.join("emu")).unwrap();
    std::fs::write(dir.join("emu/readme.txt"), "x").unwrap();
    expect_err(&dir, &opts(), "emu", "holds no images");
}

#[test]
fn undecodable_image() {
    let root = tempfile::tempdir().unwrap();
    let dir = image_folder(root.path());
    std::fs::write(dir.join("dog/broken.png"), b"\x89PNG\r\n\x1a\nnot really").unwrap();
    expect_err(&dir, &opts(), "broken.png", "cannot decode image");
}

// ---------- .npz ----------

#[test]
fn npz_u8_images_n_h_w() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("tiny.npz");
    let x: Vec<u8> = (0..12).collect();
    write_npz(
        &f,
        &[
            ("x.npy", npy("|u1", "(3, 2, 2)", &x, false)),
            ("y.npy", npy("<i8", "(3,)", &i64_bytes(&[2, 0, 4]), false)),
        ],
    );
    assert_eq!(detect_format(&f).unwrap(), Format::Npz);
    let ds = load(&f, &opts()).unwrap();
    assert_eq!((ds.len(), ds.channels, ds.height, ds.width), (3, 1, 2, 2));
    assert_eq!(ds.pixels, x);
    assert_eq!(ds.labels, vec![2, 0, 4]);
    assert_eq!(ds.class_names, vec!["0", "1", "2", "3", "4"]);
    assert_eq!(ds.name, "tiny");
}

#[test]
fn npz_float_images_channels_last() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("rgb.npz");
    // Two 1×2 RGB images; values v/255 so they round back to v.
    let vals: Vec<u8> = vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255];
    let x: Vec<u8> = vals.iter().flat_map(|&v| (f32::from(v) / 255.0).to_le_bytes()).collect();
    let y: Vec<u8> = [1u16, 0].iter().flat_map(|v| v.to_le_bytes()).collect();
    write_npz(
        &f,
        &[("x.npy", npy("<f4", "(2, 1, 2, 3)", &x, false)), ("y.npy", npy("<u2", "(2,)", &y, false))],
    );
    let ds = load(&f, &opts()).unwrap();
    assert_eq!((ds.channels, ds.height, ds.width), (3, 1, 2));
    assert_eq!(ds.pixels, vec![1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 255]);
    assert_eq!(ds.labels, vec![1, 0]);
}

#[test]
fn npz_wrong_keys() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("keys.npz");
    write_npz(
        &f,
        &[("images.npy", npy("|u1", "(1, 1, 1)", &[0], false)), ("y.npy", npy("|u1", "(1,)", &[0], false))],
    );
    let msg = expect_err(&f, &opts(), "keys.npz", "no array 'x'");
    assert!(msg.contains("images, y"), "{msg}");
}

/// Entry names are the archive author's: control characters in them (a line break, an escape sequence)
/// are shown escaped, and a long list is cut, so the message stays one harmless line (found by fuzzing).
#[test]
fn npz_entry_names_with_control_characters_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("names.npz");
    let mut entries: Vec<(String, Vec<u8>)> = vec![("0evil\n\u{1b}[31mred.npy".into(), vec![0])];
    entries.extend((0..12).map(|i| (format!("a{i:02}.npy"), vec![0])));
    let refs: Vec<(&str, Vec<u8>)> = entries.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    write_npz(&f, &refs);
    let msg = expect_err(&f, &opts(), "names.npz", "no array 'x'");
    assert!(!msg.chars().any(char::is_control), "{msg:?}");
    assert!(msg.contains("evil\\n\\u{1b}[31mred"), "{msg}");
    assert!(msg.contains("and 3 more"), "{msg}");
}

#[test]
fn npz_wrong_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("flat.npz");
    write_npz(
        &f,
        &[("x.npy", npy("|u1", "(2, 4)", &[0; 8], false)), ("y.npy", npy("|u1", "(2,)", &[0, 1], false))],
    );
    expect_err(&f, &opts(), "flat.npz", "x.npy has shape (2, 4)");
    write_npz(
        &f,
        &[
            ("x.npy", npy("|u1", "(2, 1, 1)", &[0; 2], false)),
            ("y.npy", npy("|u1", "(2, 2)", &[0; 4], false)),
        ],
    );
    expect_err(&f, &opts(), "flat.npz", "y.npy has shape (2, 2)");
}

#[test]
fn npz_count_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("n.npz");
    write_npz(
        &f,
        &[("x.npy", npy("|u1", "(2, 1, 1)", &[0; 2], false)), ("y.npy", npy("|u1", "(3,)", &[0; 3], false))],
    );
    expect_err(&f, &opts(), "n.npz", "count mismatch");
}

#[test]
fn npz_float_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("scaled.npz");
    let x: Vec<u8> = [0.5f64, 255.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    write_npz(
        &f,
        &[("x.npy", npy("<f8", "(2, 1, 1)", &x, false)), ("y.npy", npy("|u1", "(2,)", &[0, 1], false))],
    );
    expect_err(&f, &opts(), "scaled.npz", "outside [0, 1]");
}

#[test]
fn npz_negative_label_unsupported_dtype_fortran_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.npz");
    let x = npy("|u1", "(2, 1, 1)", &[0; 2], false);
    write_npz(&f, &[("x.npy", x.clone()), ("y.npy", npy("<i8", "(2,)", &i64_bytes(&[0, -3]), false))]);
    expect_err(&f, &opts(), "bad.npz", "negative label -3");
    write_npz(
        &f,
        &[("x.npy", npy("<i4", "(1, 1, 1)", &[0; 4], false)), ("y.npy", npy("|u1", "(1,)", &[0], false))],
    );
    expect_err(&f, &opts(), "bad.npz", "unsupported dtype '<i4'");
    write_npz(
        &f,
        &[("x.npy", npy("|u1", "(2, 1, 1)", &[0; 2], true)), ("y.npy", npy("|u1", "(2,)", &[0; 2], false))],
    );
    expect_err(&f, &opts(), "bad.npz", "fortran_order");
    write_npz(
        &f,
        &[("x.npy", npy("|u1", "(2, 2, 2)", &[0; 5], false)), ("y.npy", npy("|u1", "(2,)", &[0; 2], false))],
    );
    expect_err(&f, &opts(), "bad.npz", "truncated");
}

#[test]
fn npz_that_is_not_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("plain.npz");
    std::fs::write(&f, npy("|u1", "(1,)", &[0], false)).unwrap();
    expect_err(&f, &opts(), "plain.npz", "not a zip archive");
}

// ---------- detection ----------

#[test]
fn directory_matching_no_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let name = dir.path().display().to_string();
    expect_err(dir.path(), &opts(), &name, "no dataset found: expected an IDX folder");
}

#[test]
fn nonexistent_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("missing-data");
    expect_err(&p, &opts(), "missing-data", "no such file or directory");
}

#[test]
fn format_override_wins_over_detection() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = idx_dir(root.path(), "d", true, false);
    let o = LoadOptions { format: Some(Format::Npz), ..opts() };
    expect_err(&dir, &o, "d", "is a folder, not a .npz file");
    let f = root.path().join("tiny.npz");
    write_npz(
        &f,
        &[("x.npy", npy("|u1", "(1, 1, 1)", &[0], false)), ("y.npy", npy("|u1", "(1,)", &[0], false))],
    );
    let o = LoadOptions { format: Some(Format::Idx), ..opts() };
    expect_err(&f, &o, "tiny.npz", "not an IDX file name");
}

// ---------- injection ----------

fn synthetic(n: usize, classes: usize) -> Dataset {
    let (c, h, w) = (1, 4, 4);
    let pixels: Vec<u8> = (0..n * 16).map(|i| ((i / 16) * 7 + (i % 16) * 13) as u8).collect();
    let labels: Vec<u32> = (0..n).map(|i| (i % classes) as u32).collect();
    let content_hash = Dataset::compute_hash(c, h, w, &pixels, &labels, classes);
    Dataset {
        name: "synthetic".into(),
        source: PathBuf::from("synthetic.npz"),
        format: Format::Npz,
        channels: c,
        height: h,
        width: w,
        pixels,
        labels,
        class_names: (0..classes).map(|k| k.to_string()).collect(),
        paths: None,
        content_hash,
    }
}

#[test]
fn injection_is_deterministic_exact_and_disjoint() {
    let clean = synthetic(200, 5);
    let c = Corruption { label_noise: 0.1, ood: 0.05, seed: 7 };
    let mut a = clean.clone();
    let ia = inject(&mut a, &c).unwrap();
    let mut b = clean.clone();
    let ib = inject(&mut b, &c).unwrap();
    assert_eq!(ia, ib);
    assert_eq!((a.pixels == b.pixels, a.labels == b.labels), (true, true));
    let mut other = clean.clone();
    assert_ne!(inject(&mut other, &Corruption { seed: 8, ..c }).unwrap(), ia);

    assert_eq!(a.content_hash, clean.content_hash);
    assert!(ia.windows(2).all(|w| w[0].index < w[1].index), "sorted and distinct");
    let flips: Vec<_> = ia.iter().filter(|i| i.kind == InjectedKind::LabelFlip).collect();
    let oods: Vec<_> = ia.iter().filter(|i| i.kind.is_ood()).collect();
    assert_eq!((flips.len(), oods.len()), (20, 10));
    for i in &flips {
        assert_eq!(i.original_label, clean.labels[i.index]);
        assert_ne!(a.labels[i.index], i.original_label);
        assert!((a.labels[i.index] as usize) < a.num_classes());
        assert_eq!(a.image(i.index), clean.image(i.index));
    }
    for i in &oods {
        assert_eq!(a.labels[i.index], clean.labels[i.index]);
        assert_eq!(i.original_label, clean.labels[i.index]);
        assert_ne!(a.image(i.index), clean.image(i.index), "{:?}", i.kind);
    }
    for kind in [
        InjectedKind::OodNoise,
        InjectedKind::OodInverted,
        InjectedKind::OodRotated,
        InjectedKind::OodShuffled,
    ] {
        assert!(oods.iter().any(|i| i.kind == kind), "{kind:?} applied");
    }
    let inverted = oods.iter().find(|i| i.kind == InjectedKind::OodInverted).unwrap();
    let expect: Vec<u8> = clean.image(inverted.index).iter().map(|p| 255 - p).collect();
    assert_eq!(a.image(inverted.index), expect.as_slice());
    let touched: Vec<usize> = ia.iter().map(|i| i.index).collect();
    for k in (0..clean.len()).filter(|k| !touched.contains(k)) {
        assert_eq!((a.labels[k], a.image(k)), (clean.labels[k], clean.image(k)));
    }
}

#[test]
fn injection_rejects_bad_fractions() {
    let ds = synthetic(10, 3);
    for (l, o, phrase) in [
        (1.0, 0.0, "outside [0, 1)"),
        (-0.1, 0.0, "outside [0, 1)"),
        (0.0, f64::NAN, "outside [0, 1)"),
        (0.6, 0.5, "holds only 10"),
    ] {
        let err =
            inject(&mut ds.clone(), &Corruption { label_noise: l, ood: o, seed: 0 }).unwrap_err().to_string();
        assert!(err.contains("synthetic.npz") && err.contains(phrase), "{err}");
    }
    let none = inject(&mut ds.clone(), &Corruption { label_noise: 0.0, ood: 0.0, seed: 0 }).unwrap();
    assert!(none.is_empty());
}

#[test]
fn injected_kind_names_round_trip() {
    for k in InjectedKind::ALL {
        assert_eq!(InjectedKind::from_name(k.name()), Some(k));
    }
    assert_eq!(InjectedKind::LabelFlip.name(), "label_flip");
    assert_eq!(InjectedKind::from_name("nonsense"), None);
}

// ---------- robustness ----------

/// Randomly truncates, overwrites or extends `bytes`.
fn mutate(bytes: &[u8], rng: &mut rand_chacha::ChaCha8Rng) -> Vec<u8> {
    use rand::Rng;
    let mut v = bytes.to_vec();
    match rng.random_range(0..4) {
        0 => v.truncate(rng.random_range(0..=v.len())),
        1 => v.extend((0..rng.random_range(1..20)).map(|_| rng.random::<u8>())),
        _ => {
            for _ in 0..rng.random_range(1..4) {
                // Favour the headers, where sizes and magic numbers live.
                let hi = if rng.random_bool(0.7) { v.len().min(128) } else { v.len() };
                if hi > 0 {
                    let at = rng.random_range(0..hi);
                    v[at] = rng.random();
                }
            }
        }
    }
    v
}

#[test]
fn mutated_files_never_panic() {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let root = tempfile::tempdir().unwrap();
    let (idx, images) = idx_dir(root.path(), "idx", true, false);
    let idx_clean = std::fs::read(&images).unwrap();
    let npz = root.path().join("m.npz");
    let x: Vec<u8> = (0..12u8).map(|v| (f32::from(v) / 12.0).to_le_bytes()).collect::<Vec<_>>().concat();
    let (x_npy, y_npy) =
        (npy("<f4", "(3, 2, 2)", &x, false), npy("<i8", "(3,)", &i64_bytes(&[0, 1, 2]), false));
    write_npz(&npz, &[("x.npy", x_npy.clone()), ("y.npy", y_npy.clone())]);
    let npz_clean = std::fs::read(&npz).unwrap();
    let cifar = root.path().join("cifar");
    std::fs::create_dir(&cifar).unwrap();
    let cifar_clean = [cifar_record(&[1], 3), cifar_record(&[2], 4)].concat();
    let pets = image_folder(root.path());
    let png_clean = std::fs::read(pets.join("cat/a.png")).unwrap();
    for _ in 0..150 {
        std::fs::write(&images, mutate(&idx_clean, &mut rng)).unwrap();
        let _ = load(&idx, &opts());
        write(&images, &mutate(&idx_clean, &mut rng), true);
        let _ = load(&idx, &opts());
        std::fs::write(&npz, mutate(&npz_clean, &mut rng)).unwrap();
        let _ = load(&npz, &opts());
        write_npz(&npz, &[("x.npy", mutate(&x_npy, &mut rng)), ("y.npy", mutate(&y_npy, &mut rng))]);
        let _ = load(&npz, &opts());
        std::fs::write(cifar.join("data_batch_1.bin"), mutate(&cifar_clean, &mut rng)).unwrap();
        let _ = load(&cifar, &opts());
        std::fs::write(pets.join("cat/a.png"), mutate(&png_clean, &mut rng)).unwrap();
        let _ = load(&pets, &opts());
    }
}
