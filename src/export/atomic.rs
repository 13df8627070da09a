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
pub fn write_atomic<F>(path: &Path, write: F) -> Result<(), ExportError>
where
    F: FnOnce(&mut File) -> io::Result<()>,
{
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
}
