//! The crate-wide error type: one variant per module, each with a message that names the problem.

/// Any error the library returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Loading or corrupting a dataset failed.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// The workspace (SQLite) refused or failed an operation.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Building or training a model failed.
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
    /// The estimation configuration is invalid or does not match the workspace.
    #[error("{0}")]
    Config(String),
    /// The first runs of an estimate all learned nothing (the learning check), so it stopped.
    #[error("{0}")]
    NotLearning(String),
    /// A stop request (Ctrl-C, a time limit) ended the work before it finished; nothing was stored.
    #[error("stopped before it finished")]
    Interrupted,
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `e`, an error of reading or writing `path`, said plainly where the folder that should hold `path` is
/// missing (the operating system's "No such file or directory" names neither): "the folder X does not
/// exist".
pub(crate) fn missing_folder(path: &std::path::Path, e: std::io::Error) -> std::io::Error {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    match parent {
        Some(folder) if e.kind() == std::io::ErrorKind::NotFound && !folder.exists() => std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the folder {} does not exist", folder.display()),
        ),
        Some(folder) if e.kind() == std::io::ErrorKind::NotADirectory => std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is not a folder", nearest_file(folder).display()),
        ),
        _ => e,
    }
}

/// The first of `path` and the folders above it that is a file (what makes a path below it impossible).
fn nearest_file(path: &std::path::Path) -> &std::path::Path {
    path.ancestors().find(|p| p.is_file()).unwrap_or(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_missing_folder_is_named() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("nope/deeper/x.csv");
        let e = std::fs::File::create(&path).err().unwrap_or_else(|| panic!("created"));
        let said = super::missing_folder(&path, e).to_string();
        assert_eq!(said, format!("the folder {} does not exist", dir.path().join("nope/deeper").display()));
        let here = std::path::Path::new("x.csv");
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(super::missing_folder(here, e).kind(), std::io::ErrorKind::NotFound, "kept as it was");
        let file = dir.path().join("data.npz");
        std::fs::write(&file, b"x").unwrap_or_else(|e| panic!("{e}"));
        let below = file.join("sub/ws.cscore");
        let e = std::fs::File::create(&below).err().unwrap_or_else(|| panic!("created"));
        assert_eq!(
            super::missing_folder(&below, e).to_string(),
            format!("{} is not a folder", file.display())
        );
    }
}
