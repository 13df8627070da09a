//! Atomic output: write beside the target under a temporary name, fsync, then rename over it, so a reader
//! (or a crash) never sees a half-written file or dataset folder.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::ExportError;

/// Distinguishes temporary names made by one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A temporary name beside `target`: `.<name>.<tag>-<pid>-<n>` in the same folder.
fn temp_beside(target: &Path, tag: &str) -> PathBuf {
    let name = target.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = format!(".{name}.{tag}-{}-{n}", std::process::id());
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(temp),
        _ => PathBuf::from(temp),
    }
}

/// Flushes a folder's entries to disk (best effort: not every platform can open a folder).
fn sync_dir(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `path` atomically: `write` fills a temporary file in the same folder, which is fsynced and
/// renamed over `path`. On any error the temporary file is removed and `path` is left as it was.
///
/// A target that is not a regular file (`/dev/null`, `/dev/stdout`, a FIFO such as a shell's `>(…)`) is
/// written in place: renaming over it would replace the device or pipe with a file. A symbolic link is
/// followed, so the file it points to is replaced and the link kept.
pub fn write_atomic<F>(path: &Path, write: F) -> Result<(), ExportError>
where
    F: FnOnce(&mut File) -> io::Result<()>,
{
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => {
            let result = OpenOptions::new().write(true).open(path).and_then(|mut f| write(&mut f));
            return result.map_err(|e| ExportError::io(path, e));
        }
        _ => {}
    }
    let resolved =
        if path.is_symlink() { std::fs::canonicalize(path).ok().or_else(|| dangling(path)) } else { None };
    let path = resolved.as_deref().unwrap_or(path);
    let temp = temp_beside(path, "tmp");
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&temp)?;
        write(&mut file)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    match result {
        Ok(()) => {
            sync_dir(path.parent().unwrap_or(Path::new(".")));
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(ExportError::io(path, e))
        }
    }
}

/// Where a chain of symbolic links that ends at no file leads (each relative target read from its link's
/// folder), so that writing makes that file; `None` for a loop or an unreadable link.
fn dangling(path: &Path) -> Option<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        let Ok(next) = std::fs::read_link(&at) else { return Some(at) };
        at = at.parent().unwrap_or(Path::new(".")).join(next);
    }
    None
}

/// Writes `bytes` to a new file at `path` and fsyncs it (for files inside an [`AtomicDir`]).
pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let result = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
        io::Write::write_all(&mut file, bytes)?;
        file.sync_all()
    })();
    result.map_err(|e| ExportError::io(path, e))
}

/// A folder built under a temporary name beside its target and renamed into place by [`AtomicDir::commit`];
/// dropped without committing, it is removed.
#[derive(Debug)]
pub struct AtomicDir {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl AtomicDir {
    /// Starts building `target`, which must not exist or be an empty folder.
    pub fn new(target: &Path) -> Result<Self, ExportError> {
        match std::fs::read_dir(target) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(ExportError::Usage(format!(
                        "{}: the folder is not empty; choose a new --to folder",
                        target.display()
                    )));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) if target.exists() => {
                let problem = format!("cannot use it as the output folder: {e}");
                return Err(ExportError::invalid(target, problem));
            }
            Err(e) => return Err(ExportError::io(target, e)),
        }
        let temp = temp_beside(target, "partial");
        std::fs::create_dir_all(&temp).map_err(|e| ExportError::io(&temp, e))?;
        Ok(AtomicDir { temp, target: target.to_path_buf(), committed: false })
    }

    /// The folder to write into now.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Moves the finished folder to its target.
    pub fn commit(mut self) -> Result<(), ExportError> {
        sync_dir(&self.temp);
        if self.target.is_dir() {
            // An empty target folder (checked in `new`) is replaced.
            std::fs::remove_dir(&self.target).map_err(|e| ExportError::io(&self.target, e))?;
        }
        std::fs::rename(&self.temp, &self.target).map_err(|e| ExportError::io(&self.target, e))?;
        self.committed = true;
        sync_dir(self.target.parent().unwrap_or(Path::new(".")));
        Ok(())
    }
}

impl Drop for AtomicDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.temp);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn replaces_the_file_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.csv");
        std::fs::write(&p, "old").unwrap();
        write_atomic(&p, |f| f.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let failed = write_atomic(&p, |f| {
            f.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert!(failed.unwrap_err().to_string().contains("disk full"));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn dataset_folders_appear_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("clean");
        {
            let d = AtomicDir::new(&target).unwrap();
            write_synced(&d.path().join("a"), b"x").unwrap();
        }
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        std::fs::create_dir(&target).unwrap();
        let d = AtomicDir::new(&target).unwrap();
        write_synced(&d.path().join("a"), b"x").unwrap();
        d.commit().unwrap();
        assert_eq!(std::fs::read(target.join("a")).unwrap(), b"x");
        assert!(AtomicDir::new(&target).unwrap_err().to_string().contains("not empty"));
    }

    /// A FIFO (what `-o >(gzip > x.gz)` or `/dev/stdout` in a pipeline is) is written in place and
    /// stays a FIFO; renaming over it would have replaced it with a file (as it once replaced /dev/null).
    #[cfg(unix)]
    #[test]
    fn pipes_and_devices_are_written_in_place() {
        use std::io::Read;
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut s = String::new();
                File::open(fifo).unwrap().read_to_string(&mut s).unwrap();
                s
            })
        };
        write_atomic(&fifo, |f| f.write_all(b"through the pipe")).unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    /// A link to a file not there yet makes that file, as a shell's `>` does; the link stays.
    #[cfg(unix)]
    #[test]
    fn a_dangling_symlink_makes_its_target() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("out/real.csv", &link).unwrap();
        write_atomic(&link, |f| f.write_all(b"new")).unwrap();
        assert!(link.is_symlink());
        assert_eq!(std::fs::read_to_string(dir.path().join("out/real.csv")).unwrap(), "new");
    }

    /// A symbolic link is followed: the file it points to is replaced, the link stays a link.
    #[cfg(unix)]
    #[test]
    fn a_symlink_target_is_replaced_and_the_link_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, |f| f.write_all(b"new")).unwrap();
        assert!(link.is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }
}
