//! An image folder's examples by their file below the folder, for rows that name examples by path
//! (`import-tags --by path`, `eval --truth` of files).

use std::collections::HashMap;

/// An image folder's examples by their file below the folder (`/`-separated).
pub(super) struct FileIndex<'a>(HashMap<&'a str, usize>);

impl<'a> FileIndex<'a> {
    /// The index of `files` (none: an empty index, which finds nothing).
    pub(super) fn new(files: Option<&'a [String]>) -> Self {
        FileIndex(files.unwrap_or_default().iter().enumerate().map(|(i, f)| (f.as_str(), i)).collect())
    }

    /// The example whose file is the longest ending of `path` (components compared, `\` read as `/`).
    pub(super) fn find(&self, path: &str) -> Option<usize> {
        let path = path.replace('\\', "/");
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        (0..parts.len()).find_map(|start| self.0.get(parts[start..].join("/").as_str()).copied())
    }
}
