//! Errors of the explorer: bad config and theme files, terminal failures, workspace errors.

/// Something stopped the explorer from starting or running.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// A config or theme file is malformed; `line` is 1-based (0 when unknown).
    #[error("{path}: {}{problem}", if *.line > 0 { format!("line {}: ", .line) } else { String::new() })]
    Config {
        /// The file.
        path: String,
        /// The line at fault.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {problem}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        problem: String,
    },
    /// `--theme` names no theme.
    #[error("unknown theme {name:?} (built in: {known}; or a path to a .toml theme file)")]
    UnknownTheme {
        /// The name asked for.
        name: String,
        /// The built-in names.
        known: String,
    },
    /// The terminal could not be set up or drawn to.
    #[error("terminal: {0}")]
    Terminal(String),
    /// The workspace failed.
    #[error(transparent)]
    Store(Box<crate::store::StoreError>),
    /// Another part of cscore failed.
    #[error(transparent)]
    Cscore(Box<crate::Error>),
}

impl From<crate::store::StoreError> for TuiError {
    fn from(e: crate::store::StoreError) -> Self {
        TuiError::Store(Box::new(e))
    }
}

impl From<crate::Error> for TuiError {
    fn from(e: crate::Error) -> Self {
        TuiError::Cscore(Box::new(e))
    }
}
