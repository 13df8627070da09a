//! Opening and creating a workspace file: identity check, pragmas, migrations, dataset match.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::dataset::{self, short_hash, DatasetInfo};
use super::schema::{self, APPLICATION_ID, SCHEMA_VERSION};
use super::{AtPath, Mismatch, StoreError};

/// How long a writer waits for another connection's write lock before giving up.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long `open_or_create` waits for a file another process has just created to be initialised.
const CREATE_RACE_WAIT: Duration = Duration::from_secs(2);

/// An open workspace: one SQLite connection. Open one per thread; connections may write concurrently.
#[derive(Debug)]
pub struct Workspace {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
    pub(super) num_examples: usize,
    pub(super) num_classes: usize,
}

impl Workspace {
    /// Creates a new workspace for `info`; fails if anything exists at `path`.
    pub fn create(path: &Path, info: &DatasetInfo) -> Result<Self, StoreError> {
        if let Some(problem) = info.problem() {
            return Err(StoreError::Invalid { path: path.to_path_buf(), problem });
        }
        // `create_new` is the atomic "does it exist" check; SQLite then fills the empty file.
        match OpenOptions::new().write(true).create_new(true).open(path) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                return Err(StoreError::Exists { path: path.to_path_buf() })
            }
            Err(e) => {
                let source = crate::error::missing_folder(path, e);
                return Err(StoreError::Io { path: path.to_path_buf(), source });
            }
        }
        let made = Self::initialise(path, info);
        if made.is_err() {
            remove_workspace_files(path);
        }
        made
    }

    /// Fills a freshly created empty file. An exclusive transaction keeps concurrent openers waiting
    /// until the schema and dataset row are there; WAL is switched on afterwards.
    fn initialise(path: &Path, info: &DatasetInfo) -> Result<Self, StoreError> {
        let conn = connect(path)?;
        {
            let tx = Transaction::new_unchecked(&conn, TransactionBehavior::Exclusive).at(path)?;
            schema::migrate(&tx).at(path)?;
            dataset::insert(&tx, path, info)?;
            tx.commit().at(path)?;
        }
        retry_busy(|| configure(&conn, path))?;
        Ok(Workspace {
            conn,
            path: path.to_path_buf(),
            num_examples: info.num_examples,
            num_classes: info.num_classes,
        })
    }

    /// Opens an existing workspace, migrating an older schema.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => {
                return Err(StoreError::NotAWorkspace {
                    path: path.to_path_buf(),
                    problem: "a directory".into(),
                })
            }
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(StoreError::Missing { path: path.to_path_buf() })
            }
            Err(source) => return Err(StoreError::Io { path: path.to_path_buf(), source }),
        }
        let conn = match retry_busy(|| open_writable(path)) {
            // Readable but not writable (permissions, a read-only mount): read it as an immutable file,
            // which needs no -shm; any write then fails as ReadOnly. Not when a WAL holds commits that
            // were never checkpointed: reading without them would show an old state.
            Err(StoreError::ReadOnly { .. }) if !has_wal(path) => {
                let conn = connect_immutable(path)?;
                check_identity(&conn, path)?;
                conn
            }
            other => other?,
        };
        let (_, version) = schema::header(&conn).at(path)?;
        if version < SCHEMA_VERSION {
            let tx = Transaction::new_unchecked(&conn, TransactionBehavior::Immediate).at(path)?;
            schema::migrate(&tx).at(path)?;
            tx.commit().at(path)?;
            tracing::info!(path = %path.display(), from = version, to = SCHEMA_VERSION, "migrated the workspace schema");
        }
        let Some(info) = dataset::load(&conn, path)? else {
            return Err(StoreError::NotAWorkspace {
                path: path.to_path_buf(),
                problem: "it has no dataset row".into(),
            });
        };
        Ok(Workspace {
            conn,
            path: path.to_path_buf(),
            num_examples: info.num_examples,
            num_classes: info.num_classes,
        })
    }

    /// Opens the workspace at `path` if there is one (it must belong to the same dataset), else creates it.
    pub fn open_or_create(path: &Path, info: &DatasetInfo) -> Result<Self, StoreError> {
        let started = std::time::Instant::now();
        let ws = loop {
            match Self::create(path, info) {
                Err(StoreError::Exists { .. }) => {}
                made => return made,
            }
            // A zero-length file is one another process has just created and not yet initialised.
            let empty = std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(false);
            if empty && started.elapsed() < CREATE_RACE_WAIT {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            break Self::open(path)?;
        };
        let have = ws.dataset_info()?;
        if have.content_hash != info.content_hash || have.num_examples != info.num_examples {
            return Err(StoreError::DatasetMismatch {
                path: path.to_path_buf(),
                mismatch: Box::new(Mismatch {
                    workspace_source: have.source.clone(),
                    workspace_hash: short_hash(&have.content_hash),
                    dataset_source: info.source.clone(),
                    dataset_hash: short_hash(&info.content_hash),
                    difference: difference(&have, info),
                }),
            });
        }
        Ok(ws)
    }

    /// The workspace file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of examples of the workspace's dataset.
    pub fn num_examples(&self) -> usize {
        self.num_examples
    }

    /// Number of classes of the workspace's dataset.
    pub fn num_classes(&self) -> usize {
        self.num_classes
    }

    /// The dataset the workspace was made from.
    pub fn dataset_info(&self) -> Result<DatasetInfo, StoreError> {
        dataset::load(&self.conn, &self.path)?.ok_or_else(|| StoreError::Corrupt {
            path: self.path.clone(),
            problem: "the dataset row is missing".into(),
        })
    }

    /// Changes whenever another connection commits; followers poll it to notice new data.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn.pragma_query_value(None, "data_version", |r| r.get(0)).at(&self.path)
    }

    /// An [`StoreError::Invalid`] naming this workspace.
    pub(super) fn invalid(&self, problem: String) -> StoreError {
        StoreError::Invalid { path: self.path.clone(), problem }
    }

    /// A [`StoreError::Corrupt`] naming this workspace.
    pub(super) fn corrupt(&self, problem: String) -> StoreError {
        StoreError::Corrupt { path: self.path.clone(), problem }
    }

    /// Checks an example index against the dataset.
    pub(super) fn check_example(&self, example: usize) -> Result<(), StoreError> {
        if example >= self.num_examples {
            return Err(self.invalid(format!(
                "example {example} is out of range (the dataset has {} examples)",
                self.num_examples
            )));
        }
        Ok(())
    }

    /// Checks a label value against the dataset; `what` names it in the message.
    pub(super) fn check_label(&self, what: &str, label: u32) -> Result<(), StoreError> {
        if usize::try_from(label).map_or(true, |l| l >= self.num_classes) {
            return Err(self.invalid(format!(
                "{what} {label} is out of range (the dataset has {} classes)",
                self.num_classes
            )));
        }
        Ok(())
    }
}

/// Opens a connection to an existing file (never creating one) with the busy timeout set.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    // No URI flag: a path such as `file:x` is a file name, not an SQLite URI.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).at(path)?;
    conn.busy_timeout(BUSY_TIMEOUT).at(path)?;
    Ok(conn)
}

/// Opens for reading and writing: identity first (before any pragma that could write), then the pragmas.
fn open_writable(path: &Path) -> Result<Connection, StoreError> {
    let conn = connect(path)?;
    check_identity(&conn, path)?;
    configure(&conn, path)?;
    Ok(conn)
}

/// True when a non-empty `-wal` file lies beside the workspace.
fn has_wal(path: &Path) -> bool {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(PathBuf::from(wal)).is_ok_and(|m| m.len() > 0)
}

/// A read-only connection that treats the file as immutable (no locks, no -shm).
fn connect_immutable(path: &Path) -> Result<Connection, StoreError> {
    let abs =
        std::path::absolute(path).map_err(|source| StoreError::Io { path: path.to_path_buf(), source })?;
    let mut uri = String::from("file:");
    for &b in abs.as_os_str().as_encoded_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                uri.push(char::from(b))
            }
            _ => uri.push_str(&format!("%{b:02X}")),
        }
    }
    uri.push_str("?immutable=1");
    let flags =
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&uri, flags).at(path)?;
    tracing::info!(path = %path.display(), "the workspace is read-only: opened as an immutable file");
    Ok(conn)
}

/// Refuses files that are not cscore workspaces, or come from a newer cscore, without writing to them.
fn check_identity(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let not_ours =
        |problem: &str| StoreError::NotAWorkspace { path: path.to_path_buf(), problem: problem.into() };
    let (app, version) = schema::header(conn).at(path)?;
    if app != APPLICATION_ID {
        return Err(if app == 0 && version == 0 && schema::is_blank(conn).at(path)? {
            not_ours("an empty file")
        } else {
            not_ours("an SQLite database of another program")
        });
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
            written_by: schema::written_by(conn).map_or_else(String::new, |v| format!(" by cscore {v}")),
        });
    }
    Ok(())
}

/// Runs `f` again while it fails with [`StoreError::Busy`], until [`BUSY_TIMEOUT`] has passed. SQLite
/// answers "busy" at once, without waiting, where waiting could deadlock — two connections switching a
/// new file to WAL at the same moment, one of them an opener that came between its creation and the
/// switch — so a busy error is not always the busy timeout run out.
fn retry_busy<T>(mut f: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    let started = std::time::Instant::now();
    loop {
        match f() {
            Err(StoreError::Busy { .. }) if started.elapsed() < BUSY_TIMEOUT => {
                tracing::debug!("the workspace was busy while opening it; trying again");
                std::thread::sleep(Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

/// WAL (readers never block the writer), relaxed fsync that WAL makes safe, foreign keys on.
fn configure(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let _mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).at(path)?;
    conn.pragma_update(None, "synchronous", "NORMAL").at(path)?;
    conn.pragma_update(None, "foreign_keys", true).at(path)?;
    Ok(())
}

/// What differs between the dataset a workspace was made from (`have`) and the one offered (`given`).
fn difference(have: &DatasetInfo, given: &DatasetInfo) -> String {
    let shape = |d: &DatasetInfo| format!("{}×{}×{}", d.channels, d.height, d.width);
    if have.num_examples != given.num_examples && have.source == given.source {
        format!(
            "the dataset at that path has changed since the workspace was made: {} examples then, {} now",
            have.num_examples, given.num_examples
        )
    } else if have.num_examples != given.num_examples {
        format!("it has {} examples, this dataset {}", have.num_examples, given.num_examples)
    } else if shape(have) != shape(given) {
        let same_size = (have.height, have.width) == (given.height, given.width);
        let hint = if have.format == "folder" && given.format == "folder" && same_size {
            " (a folder is read in colour when any of its images is stored in colour)".to_string()
        } else if have.format == "folder" && given.format == "folder" {
            format!(
                " (an image folder is read at the workspace's size with --image-size {}x{})",
                have.height, have.width
            )
        } else {
            String::new()
        };
        format!("its images are {}, these {}{hint}", shape(have), shape(given))
    } else if have.source == given.source {
        match have.format.as_str() {
            "folder" => "the files have changed since the workspace was made".into(),
            _ => "its images or labels have changed since the workspace was made".into(),
        }
    } else {
        "the images or labels differ".into()
    }
}

/// Removes a workspace file and its SQLite side files (`-wal`, `-shm`, `-journal`), ignoring any that are
/// not there: for a workspace made by a command that was then refused before it stored anything. The
/// workspace must be closed first.
pub fn remove_workspace_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}
