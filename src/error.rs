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
