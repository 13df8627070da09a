//! Images decoded before, kept by whoever reads a folder again (its workspace): a photo folder is
//! decoded and resized once, not by every later `show`, `export` or explorer that opens it (300 phone
//! photos took 27 s a command, most of it resizing 12 megapixels down to a few hundred). A file is taken
//! from the store only while it is the same file with the same size and times as when it was decoded
//! ([`FileStamp`]), and only at the shape it was read at.

use std::path::Path;

/// A file's size, modification and status-change times and inode, by which a decoded image is known to be
/// still the file's: an edit, a copy over it or a rename onto its path (`mv b.png a.png`: another inode)
/// changes one of them, even where sizes and times agree (files unpacked from one archive), and even
/// `touch -r`, which can set the modification time but not the status-change time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// The size in bytes.
    pub bytes: u64,
    /// The modification time in nanoseconds since the Unix epoch.
    pub modified_ns: i64,
    /// The status-change time (ctime) in nanoseconds since the Unix epoch (0 where there is none).
    pub changed_ns: i64,
    /// The inode (0 where there is none).
    pub inode: u64,
}

impl FileStamp {
    /// The stamp of the file at `path` (`None` where the file system gives no modification time).
    pub fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        let since = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
        #[cfg(unix)]
        let (changed_ns, inode) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ctime().saturating_mul(1_000_000_000).saturating_add(meta.ctime_nsec()), meta.ino())
        };
        #[cfg(not(unix))]
        let (changed_ns, inode) = (0, 0);
        Some(FileStamp {
            bytes: meta.len(),
            modified_ns: i64::try_from(since.as_nanos()).ok()?,
            changed_ns,
            inode,
        })
    }

    /// The stamp as four numbers, as a workspace stores it: size, modification time, status-change time,
    /// inode.
    pub fn key(&self) -> [i64; 4] {
        [self.bytes as i64, self.modified_ns, self.changed_ns, self.inode as i64]
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
