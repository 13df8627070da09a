//! Dataset loading (IDX, CIFAR binary, image folders, `.npz`), per-channel statistics and injected
//! corruption.

mod cifar;
mod dataset;
mod decoded;
mod detect;
mod folder;
mod folder_layout;
mod folder_size;
mod idx;
mod idx_names;
mod inject;
pub(crate) mod npy;
mod npy_header;
mod npz;
mod ood;
mod read;
mod stats;
mod truncated;
mod unreadable;

use std::path::{Path, PathBuf};

pub use dataset::{pixel_hash, Dataset, Format};
pub use decoded::{DecodedImages, FileStamp, WORTH_KEEPING};
pub use detect::detect_format;
pub use folder::{open_image, read_example};
pub use folder_layout::layout_warning;
pub use inject::{inject, inject_labels, Corruption, InjectedKind, Injection};
pub use stats::ChannelStats;
pub use unreadable::{error as unreadable_error, Unreadable, FLAG as SKIP_UNREADABLE_FLAG};

/// A dataset could not be loaded or corrupted; the message names the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Any problem with a named file or folder.
    #[error("{path}: {problem}")]
    Invalid {
        /// The file or folder at fault.
        path: std::path::PathBuf,
        /// What is wrong with it.
        problem: String,
    },
}

/// Builds a [`DataError::Invalid`] for `path`.
pub(crate) fn invalid(path: &Path, problem: impl Into<String>) -> DataError {
    DataError::Invalid { path: path.to_path_buf(), problem: problem.into() }
}

/// How to read a dataset.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Read as this format instead of detecting it.
    pub format: Option<Format>,
    /// Resize image-folder images to (height, width); default: their most common size.
    pub image_size: Option<(usize, usize)>,
    /// Image folders: read only the images directly in each class folder, as cscore did before it read
    /// their subfolders too (to reopen a workspace made then).
    pub flat_folders: bool,
    /// Image folders: leave out the files that cannot be read as images (listed in
    /// [`Dataset::unreadable`] and a note) instead of refusing the folder.
    pub skip_unreadable: bool,
    /// Image folders: read every image with this many channels (1: grey, 3: colour) instead of deciding
    /// by the files' colour types, to reopen a workspace of grey images after one was saved in colour
    /// (a palette or RGB PNG of the same grey pixels).
    pub channels: Option<usize>,
    /// Image folders: images decoded before (a workspace's), taken instead of decoding unchanged files.
    pub decoded: Option<std::sync::Arc<dyn DecodedImages>>,
}

/// What a format reader returns: everything of a [`Dataset`] but its identity.
pub(crate) struct Loaded {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub pixels: Vec<u8>,
    pub labels: Vec<u32>,
    pub class_names: Vec<String>,
    pub paths: Option<Vec<PathBuf>>,
    /// What reading did that the user should hear of (images resized, files skipped).
    pub notes: Vec<String>,
    /// Files left out because they cannot be read (only with [`LoadOptions::skip_unreadable`]).
    pub unreadable: Unreadable,
}

/// A dataset's labels (and what else is known without its pixels), read without its pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelsOnly {
    /// Channels, height and width of the images, where the format says them without decoding any.
    pub shape: Option<(usize, usize, usize)>,
    /// The given label of each example.
    pub labels: Vec<u32>,
    /// Class names, where the format names its classes.
    pub class_names: Option<Vec<String>>,
    /// The source file of each example (image folders).
    pub paths: Option<Vec<PathBuf>>,
}

/// The labels of the dataset at `path` when its format stores them apart from the pixels (IDX: the
/// labels file and the images file's header; image folders: the folder listing; `.npz`: `y` and the
/// header of `x`), in a small part of [`load`]'s time; `None` for formats that keep labels among the
/// pixels (CIFAR). Only [`load`] checks the whole dataset.
pub fn load_labels(path: &Path, opts: &LoadOptions) -> Result<Option<LabelsOnly>, DataError> {
    match format_of(path, opts)? {
        Format::Idx => idx::load_labels(path).map(Some),
        Format::Folder => folder::load_labels(path, opts.flat_folders).map(Some),
        Format::Npz => npz::load_labels(path).map(Some),
        Format::Cifar => Ok(None),
    }
}

/// Loads the dataset at `path`, detecting its format unless `opts.format` names one.
pub fn load(path: &Path, opts: &LoadOptions) -> Result<Dataset, DataError> {
    let format = format_of(path, opts)?;
    let mut loaded = match format {
        Format::Idx => idx::load(path)?,
        Format::Cifar => cifar::load(path)?,
        Format::Folder => folder::load(
            path,
            opts.image_size,
            opts.channels,
            opts.flat_folders,
            opts.skip_unreadable,
            opts.decoded.as_ref(),
        )?,
        Format::Npz => npz::load(path)?,
    };
    if let Some((h, w)) =
        opts.image_size.filter(|&s| format != Format::Folder && s != (loaded.height, loaded.width))
    {
        loaded.notes.push(format!(
            "--image-size {h}x{w} applies to image folders only; these images are read at their own size, {}×{}",
            loaded.height, loaded.width
        ));
    }
    if opts.skip_unreadable && format != Format::Folder {
        loaded.notes.push(format!(
            "--skip-unreadable applies to image folders only; {} data is read whole or refused",
            format.name()
        ));
    }
    finish(path, format, loaded)
}

/// Whether a loader note is for every command that reads the dataset: those on options given now (they
/// name the option first) and the files left out (which a workspace goes on leaving out without the
/// flag). The others say how the images were read (in colour, stretched, files outside the class folders):
/// for when a workspace is made.
pub fn note_said_every_time(note: &str) -> bool {
    note.starts_with("--") || note.starts_with(unreadable::NOTE_START)
}

/// The name [`load`] gives the dataset at `path` (its default workspace is named after it), without
/// reading the dataset.
pub fn dataset_name_of(path: &Path, opts: &LoadOptions) -> Result<String, DataError> {
    Ok(dataset_name(path, format_of(path, opts)?))
}

/// The format `opts` names, else the one detected at `path` (which must exist).
fn format_of(path: &Path, opts: &LoadOptions) -> Result<Format, DataError> {
    if std::fs::symlink_metadata(path).is_err() {
        return Err(invalid(path, "no such file or directory"));
    }
    match opts.format {
        Some(f) => Ok(f),
        None => detect_format(path),
    }
}

/// Checks the reader's output and gives it a name and content hash.
fn finish(path: &Path, format: Format, l: Loaded) -> Result<Dataset, DataError> {
    let n = l.labels.len();
    if n == 0 {
        return Err(invalid(path, "the dataset holds no examples"));
    }
    let example_len = l
        .channels
        .checked_mul(l.height)
        .and_then(|v| v.checked_mul(l.width))
        .filter(|&v| v > 0)
        .ok_or_else(|| invalid(path, "images have an empty or oversized shape"))?;
    if n.checked_mul(example_len) != Some(l.pixels.len()) {
        return Err(invalid(path, "pixel count does not match the example count"));
    }
    let k = l.class_names.len();
    if let Some((i, &y)) = l.labels.iter().enumerate().find(|(_, &y)| y as usize >= k) {
        return Err(invalid(path, format!("example {i} has label {y} but there are only {k} classes")));
    }
    let content_hash = Dataset::compute_hash(l.channels, l.height, l.width, &l.pixels, &l.labels, k);
    Ok(Dataset {
        name: dataset_name(path, format),
        source: path.to_path_buf(),
        format,
        channels: l.channels,
        height: l.height,
        width: l.width,
        pixels: l.pixels,
        labels: l.labels,
        class_names: l.class_names,
        paths: l.paths,
        content_hash,
        notes: l.notes,
        unreadable: l.unreadable,
    })
}

/// The folder name, or the file stem; an IDX file given directly is named after its folder.
fn dataset_name(path: &Path, format: Format) -> String {
    let is_file = path.is_file();
    let named = match path.parent() {
        Some(parent) if is_file && format == Format::Idx => parent,
        _ => path,
    };
    let named = if named.as_os_str().is_empty() { Path::new(".") } else { named };
    let own = if is_file && format != Format::Idx { named.file_stem() } else { named.file_name() };
    // "." and ".." have no name of their own: use the folder they resolve to.
    let resolved = named.canonicalize().ok();
    own.or_else(|| resolved.as_deref().and_then(Path::file_name))
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "dataset".to_string())
}

/// `path` below `root`, `/`-separated (lossy where it is not UTF-8): how an image folder's example files
/// are recorded and matched.
pub fn file_below(root: &Path, path: &Path) -> String {
    let below = path.strip_prefix(root).unwrap_or(path);
    below.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Class names "0", "1", … for formats that store only label numbers.
pub(crate) fn numbered_classes(k: usize) -> Vec<String> {
    (0..k).map(|i| i.to_string()).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_folder_or_file_stem() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("fashion");
        std::fs::create_dir(&sub).unwrap();
        let images = sub.join("train-images-idx3-ubyte.gz");
        let npz = sub.join("toy.npz");
        std::fs::write(&images, b"").unwrap();
        std::fs::write(&npz, b"").unwrap();
        assert_eq!(dataset_name(&sub, Format::Idx), "fashion");
        assert_eq!(dataset_name(&images, Format::Idx), "fashion");
        assert_eq!(dataset_name(&npz, Format::Npz), "toy");
        assert_eq!(dataset_name(&sub.join("."), Format::Folder), "fashion");
        assert_eq!(
            dataset_name(&sub.join("../fashion/.."), Format::Folder),
            dataset_name(dir.path(), Format::Folder)
        );
    }
}
