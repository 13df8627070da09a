//! IDX (MNIST-family) files: both spellings, gzip, and every way they can be broken.

use super::*;

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
