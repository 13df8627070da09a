//! The in-memory dataset every other module works on.

use std::path::PathBuf;

/// The on-disk format a dataset was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// IDX files (MNIST, Fashion-MNIST, KMNIST, EMNIST), plain or gzip-compressed.
    Idx,
    /// CIFAR-10 / CIFAR-100 binary batches.
    Cifar,
    /// An image folder `root/<class>/*.png|jpg|…`.
    Folder,
    /// A NumPy `.npz` archive with arrays `x` and `y`.
    Npz,
}

impl Format {
    /// The lowercase name used on the command line and in the workspace.
    pub fn name(self) -> &'static str {
        match self {
            Format::Idx => "idx",
            Format::Cifar => "cifar",
            Format::Folder => "folder",
            Format::Npz => "npz",
        }
    }

    /// Parses the lowercase name written by [`Format::name`].
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "idx" => Some(Format::Idx),
            "cifar" => Some(Format::Cifar),
            "folder" => Some(Format::Folder),
            "npz" => Some(Format::Npz),
            _ => None,
        }
    }
}

/// A labelled image dataset held in memory: u8 pixels in N×C×H×W order, one label per example.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Short name (the folder or file stem), used for the default workspace name.
    pub name: String,
    /// The path the dataset was loaded from.
    pub source: PathBuf,
    /// The format it was read as.
    pub format: Format,
    /// Channels per image (1 for grey, 3 for RGB).
    pub channels: usize,
    /// Image height in pixels.
    pub height: usize,
    /// Image width in pixels.
    pub width: usize,
    /// All pixels, example-major, then channel, row, column.
    pub pixels: Vec<u8>,
    /// The given label of each example, in `0..class_names.len()`.
    pub labels: Vec<u32>,
    /// One name per class.
    pub class_names: Vec<String>,
    /// The source file of each example, for formats that have one (image folders).
    pub paths: Option<Vec<PathBuf>>,
    /// SHA-256 (hex) of shape, pixels and labels as loaded, before any injected corruption.
    pub content_hash: String,
    /// What reading did that the user should hear of (images resized, files skipped), one line each.
    pub notes: Vec<String>,
    /// Image-folder files left out because they cannot be read, each with its problem (empty unless
    /// loaded with `skip_unreadable`).
    pub unreadable: super::Unreadable,
}

impl Dataset {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when the dataset holds no example.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Number of classes.
    pub fn num_classes(&self) -> usize {
        self.class_names.len()
    }

    /// Values per example (C·H·W), the input width of a flattened model.
    pub fn example_len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// Whether the pixels are in (the explorer opens a large dataset labels first and its pixels later).
    pub fn has_pixels(&self) -> bool {
        self.len().checked_mul(self.example_len()) == Some(self.pixels.len()) && !self.is_empty()
    }

    /// The pixels of example `index` (C×H×W).
    pub fn image(&self, index: usize) -> &[u8] {
        let d = self.example_len();
        &self.pixels[index * d..(index + 1) * d]
    }

    /// Each example's pixel hash ([`pixel_hash`]), in dataset order; empty while the pixels are not in.
    pub fn example_hashes(&self) -> Vec<u64> {
        use rayon::prelude::*;
        if !self.has_pixels() {
            return Vec::new();
        }
        self.pixels.par_chunks(self.example_len()).map(pixel_hash).collect()
    }

    /// Computes the content hash of shape, pixels, labels and class count.
    pub fn compute_hash(
        channels: usize,
        height: usize,
        width: usize,
        pixels: &[u8],
        labels: &[u32],
        num_classes: usize,
    ) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for v in [channels, height, width, labels.len(), num_classes] {
            h.update((v as u64).to_le_bytes());
        }
        h.update(pixels);
        for l in labels {
            h.update(l.to_le_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// A stable 64-bit hash of one example's pixels (the first 8 bytes of their SHA-256), by which a
/// workspace tells which examples changed when its dataset did.
pub fn pixel_hash(pixels: &[u8]) -> u64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(pixels);
    u64::from_le_bytes([
        digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
    ])
}
