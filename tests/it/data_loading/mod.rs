//! Loading every dataset format through `cscore::data::load`, bad input, and injected corruption.

use crate::common;

use common::{i64_bytes, npy, write_npz};
use cscore::data::{detect_format, inject, load, Corruption, Dataset, Format, InjectedKind, LoadOptions};
use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};

mod cifar;
mod detection;
mod folder;
mod folder_real;
mod idx;
mod injection;
mod npz;
mod robustness;

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
