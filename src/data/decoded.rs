//! Images decoded before, kept by whoever reads a folder again (its workspace): a photo folder is
//! decoded and resized once, not by every later `show`, `export` or explorer that opens it (300 phone
//! photos took 27 s a command, most of it resizing 12 megapixels down to a few hundred). A file is taken
//! from the store only while its size and modification time are those it had when it was decoded — as
//! make and rsync judge a file unchanged — and only at the shape it was read at.

use std::path::Path;

/// A file's size and modification time, by which a decoded image is known to be still the file's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// The size in bytes.
    pub bytes: u64,
    /// The modification time in nanoseconds since the Unix epoch.
    pub modified_ns: i64,
}

impl FileStamp {
    /// The stamp of the file at `path` (`None` where the file system gives no modification time).
    pub fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        let since = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some(FileStamp { bytes: meta.len(), modified_ns: i64::try_from(since.as_nanos()).ok()? })
    }
}

/// Where a folder's reading finds images decoded before, and says which it decoded itself.
pub trait DecodedImages: Send + Sync + std::fmt::Debug {
    /// The pixels (C×H×W, `shape` = [C, H, W]) decoded from `file` (below the folder, `/`-separated)
    /// when it had `stamp`, if kept.
    fn get(&self, file: &str, stamp: FileStamp, shape: [usize; 3]) -> Option<Vec<u8>>;
    /// `file`, of `stamp`, was decoded now (worth keeping: its source is much larger than what was read).
    fn decoded(&self, file: &str, stamp: FileStamp);
}

/// Sources with at least this many times the pixels that are read from them are worth keeping decoded
/// (a 4000×3000 photo read at 32×24 is; a 32×32 PNG decodes faster than it is looked up).
pub const WORTH_KEEPING: usize = 16;
