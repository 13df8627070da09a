//! The export module's error: one line naming the file (or the expression) and the problem.

use std::path::PathBuf;

use super::filter::FilterError;

/// Exporting, importing or evaluating failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Loading the dataset, opening the workspace or aggregating failed (boxed: it is large).
    #[error(transparent)]
    Cscore(Box<crate::Error>),
    /// Reading or writing a file failed.
    #[error("{path}: {source}", path = .path.display())]
    Io {
        /// The file at fault.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// An input file (scores, indices) is malformed or does not fit the dataset.
    #[error("{path}: {problem}", path = .path.display())]
    Invalid {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// A filter expression is malformed or names an unknown column.
    #[error("filter expression: {0}")]
    Filter(#[from] FilterError),
    /// The request cannot be carried out as asked (the message says why and what to do).
    #[error("{0}")]
    Usage(String),
}

impl From<crate::Error> for ExportError {
    fn from(e: crate::Error) -> Self {
        ExportError::Cscore(Box::new(e))
    }
}

impl From<crate::store::StoreError> for ExportError {
    fn from(e: crate::store::StoreError) -> Self {
        ExportError::Cscore(Box::new(e.into()))
    }
}

impl From<crate::data::DataError> for ExportError {
    fn from(e: crate::data::DataError) -> Self {
        ExportError::Cscore(Box::new(e.into()))
    }
}

impl ExportError {
    /// An [`ExportError::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        let source = crate::error::missing_folder(&path, source);
        ExportError::Io { path, source }
    }

    /// An [`ExportError::Invalid`] for `path`.
    pub(crate) fn invalid(path: impl Into<PathBuf>, problem: impl Into<String>) -> Self {
        ExportError::Invalid { path: path.into(), problem: problem.into() }
    }
}
