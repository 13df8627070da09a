//! The workspace: one SQLite file per dataset holding runs, scores, tags and injected ground truth.
//!
//! This is the only module that writes SQL. Every write is one `IMMEDIATE` transaction, so concurrent
//! writers (workers, the explorer, a separate `cscore estimate`) queue on the busy timeout instead of
//! failing.

mod blob;
mod config;
mod dataset;
mod decoded_images;
mod example_hashes;
mod example_record;
mod injected;
mod neighbour_parts;
mod prob_sums;
mod records;
mod run_reads;
mod runs;
mod schema;
mod scores;
mod tags;
mod workspace;
mod write;

use std::path::{Path, PathBuf};

pub use config::{CORRUPTION_KEY, UNREADABLE_KEY};
pub use dataset::DatasetInfo;
pub use decoded_images::DecodedRow;
pub use example_record::ExampleRecord;
pub use injected::InjectedRow;
pub use neighbour_parts::StoredNeighbours;
pub use prob_sums::HeldOutProbSums;
pub use records::*;
pub use run_reads::RunCounts;
pub use schema::SCHEMA_VERSION;
pub use tags::TagRow;
pub use workspace::{remove_workspace_files, Workspace};

/// A workspace operation failed; the message is one line naming the workspace file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("{path}: {source}", path = .path.display())]
    Sqlite {
        /// The workspace file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// Reading or creating the file failed.
    #[error("{path}: {source}", path = .path.display())]
    Io {
        /// The workspace file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Another connection held the lock the operation needed (SQLite's "busy" or "locked").
    #[error("{path}: the workspace was locked by another cscore process (waited up to {seconds} s; SQLite: {code})", path = .path.display())]
    Busy {
        /// The workspace file.
        path: PathBuf,
        /// The busy timeout.
        seconds: u64,
        /// SQLite's extended result code, by name: which lock, and whether it waited at all.
        code: &'static str,
    },
    /// `create` was asked for a path that already exists.
    #[error("{path}: a file already exists there; open it or choose another -w path", path = .path.display())]
    Exists {
        /// The path.
        path: PathBuf,
    },
    /// `open` was asked for a path that does not exist.
    #[error("{path}: no such workspace", path = .path.display())]
    Missing {
        /// The path.
        path: PathBuf,
    },
    /// The file is not a cscore workspace (not SQLite, empty, or another program's database).
    #[error("{path}: not a cscore workspace ({problem})", path = .path.display())]
    NotAWorkspace {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        problem: String,
    },
    /// The workspace was written by a newer cscore.
    #[error("{path}: workspace schema version {found} (written{written_by}) is newer than this cscore {ours} supports (version {supported}); upgrade cscore to open it", path = .path.display(), ours = env!("CARGO_PKG_VERSION"))]
    TooNew {
        /// The workspace file.
        path: PathBuf,
        /// The version in the file.
        found: i64,
        /// The newest version this binary knows.
        supported: i64,
        /// " by cscore X.Y.Z" when the file records the release that wrote it, else empty.
        written_by: String,
    },
    /// The workspace cannot be written: the file, its folder or the file system is read-only.
    #[error("{path}: the workspace is read-only (no write permission to the file or its folder, or a read-only file system); nothing was changed — fix the permissions or copy it somewhere writable", path = .path.display())]
    ReadOnly {
        /// The workspace file.
        path: PathBuf,
    },
    /// Writing failed (disk full, a file-size limit, an I/O error); SQLite rolled the transaction back.
    #[error("{path}: writing the workspace failed ({detail}); the unfinished transaction was rolled back and the workspace is intact — free disk space and run the same command again to continue", path = .path.display())]
    WriteFailed {
        /// The workspace file.
        path: PathBuf,
        /// What SQLite and the operating system said.
        detail: String,
    },
    /// The workspace was made from a different dataset.
    #[error("{path}: {mismatch}; give the dataset it was made from, or use another workspace (its tags and scores still export: cscore export {path} -o scores.csv; and cscore import-tags NEW.cscore {path} carries its tags into a new workspace of this dataset, each found by its pixels)", path = .path.display())]
    DatasetMismatch {
        /// The workspace file.
        path: PathBuf,
        /// The two datasets and what differs.
        mismatch: Box<Mismatch>,
    },
    /// A value passed in does not fit the workspace's dataset (index out of range, wrong length …).
    #[error("{path}: {problem}", path = .path.display())]
    Invalid {
        /// The workspace file.
        path: PathBuf,
        /// What is wrong with the value.
        problem: String,
    },
    /// Something stored in the workspace cannot be decoded.
    #[error("{path}: the workspace is damaged: {problem}", path = .path.display())]
    Corrupt {
        /// The workspace file.
        path: PathBuf,
        /// What could not be read.
        problem: String,
    },
}

impl StoreError {
    /// Wraps a SQLite error, turning lock time-outs and non-database files into their own variants.
    pub(crate) fn sqlite(path: &Path, source: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy {
                path: path.to_path_buf(),
                seconds: workspace::BUSY_TIMEOUT.as_secs(),
                code: busy_code(&source),
            },
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path: path.to_path_buf() },
            Some(ErrorCode::DiskFull) => {
                StoreError::WriteFailed { path: path.to_path_buf(), detail: "the disk is full".into() }
            }
            Some(ErrorCode::SystemIoFailure) => {
                StoreError::WriteFailed { path: path.to_path_buf(), detail: io_failure(&source) }
            }
            Some(ErrorCode::NotADatabase) => StoreError::NotAWorkspace {
                path: path.to_path_buf(),
                problem: "not an SQLite database".into(),
            },
            _ => StoreError::Sqlite { path: path.to_path_buf(), source },
        }
    }
}

/// Names a busy or locked error by its extended code (a snapshot or recovery conflict returns at once).
fn busy_code(source: &rusqlite::Error) -> &'static str {
    let rusqlite::Error::SqliteFailure(e, _) = source else { return "busy" };
    match e.extended_code {
        rusqlite::ffi::SQLITE_BUSY_SNAPSHOT => {
            "SQLITE_BUSY_SNAPSHOT, a read snapshot went stale before a write"
        }
        rusqlite::ffi::SQLITE_BUSY_RECOVERY => "SQLITE_BUSY_RECOVERY",
        rusqlite::ffi::SQLITE_BUSY_TIMEOUT => "SQLITE_BUSY_TIMEOUT",
        rusqlite::ffi::SQLITE_LOCKED => "SQLITE_LOCKED, a conflict within one connection",
        _ => "SQLITE_BUSY",
    }
}

/// Names an SQLite I/O error by its extended code (what the write was doing).
fn io_failure(source: &rusqlite::Error) -> String {
    use rusqlite::ffi;
    let extended = match source {
        rusqlite::Error::SqliteFailure(e, _) => e.extended_code,
        _ => 0,
    };
    let doing = match extended {
        ffi::SQLITE_IOERR_WRITE => "writing to the file",
        ffi::SQLITE_IOERR_FSYNC | ffi::SQLITE_IOERR_DIR_FSYNC => "flushing to the disk",
        ffi::SQLITE_IOERR_TRUNCATE => "truncating the file",
        ffi::SQLITE_IOERR_SHMSIZE | ffi::SQLITE_IOERR_SHMMAP | ffi::SQLITE_IOERR_SHMOPEN => {
            "growing the shared-memory index (-shm)"
        }
        ffi::SQLITE_IOERR_READ | ffi::SQLITE_IOERR_SHORT_READ => "reading the file",
        _ => "accessing the file",
    };
    format!("an I/O error {doing}: the disk may be full, a file-size limit hit, or the device failing")
}

/// Attaches the workspace path to a SQLite result.
pub(crate) trait AtPath<T> {
    /// Maps the error with [`StoreError::sqlite`].
    fn at(self, path: &Path) -> Result<T, StoreError>;
}

impl<T> AtPath<T> for rusqlite::Result<T> {
    fn at(self, path: &Path) -> Result<T, StoreError> {
        self.map_err(|e| StoreError::sqlite(path, e))
    }
}

/// The dataset a workspace was made from against the one offered ([`StoreError::DatasetMismatch`]).
#[derive(Debug)]
pub struct Mismatch {
    /// Source path of the dataset the workspace was made from.
    pub workspace_source: String,
    /// First 12 characters of that dataset's content hash.
    pub workspace_hash: String,
    /// Source path of the dataset offered now.
    pub dataset_source: String,
    /// First 12 characters of its content hash.
    pub dataset_hash: String,
    /// What differs, as far as the description says (count, image size, or the contents).
    pub difference: String,
}

impl std::fmt::Display for Mismatch {
    /// The two datasets by path and hash; one path said once when the dataset there has changed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (was, is) = (&self.workspace_hash, &self.dataset_hash);
        if self.workspace_source == self.dataset_source {
            write!(
                f,
                "this workspace belongs to dataset {} as it was (hash {was}…), not as it is now (hash {is}…)",
                self.workspace_source
            )?;
        } else {
            write!(
                f,
                "this workspace belongs to dataset {} (hash {was}…), not to {} (hash {is}…)",
                self.workspace_source, self.dataset_source
            )?;
        }
        write!(f, ": {}", self.difference)
    }
}
