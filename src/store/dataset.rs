//! The single `dataset` row: which dataset a workspace was made from.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use super::{AtPath, StoreError};

/// Identity and shape of the dataset a workspace belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetInfo {
    /// Short name (folder or file stem).
    pub name: String,
    /// The path it was loaded from.
    pub source: String,
    /// The format it was read as (`idx`, `cifar`, `folder`, `npz`).
    pub format: String,
    /// SHA-256 (hex) of shape, pixels and labels; a workspace refuses any other dataset.
    pub content_hash: String,
    /// Number of examples.
    pub num_examples: usize,
    /// Number of classes.
    pub num_classes: usize,
    /// Channels per image.
    pub channels: usize,
    /// Image height in pixels.
    pub height: usize,
    /// Image width in pixels.
    pub width: usize,
    /// One name per class.
    pub class_names: Vec<String>,
}

impl DatasetInfo {
    /// A toy dataset of `num_examples` 2×2 grey images in two classes, for unit tests of the workspace.
    #[cfg(test)]
    pub(crate) fn toy(num_examples: usize) -> Self {
        DatasetInfo {
            name: "toy".into(),
            source: "/data/toy".into(),
            format: "idx".into(),
            content_hash: "0123456789abcdef".into(),
            num_examples,
            num_classes: 2,
            channels: 1,
            height: 2,
            width: 2,
            class_names: vec!["a".into(), "b".into()],
        }
    }

    /// Checks what the workspace relies on; `Some` names the problem.
    pub(super) fn problem(&self) -> Option<String> {
        if self.content_hash.is_empty() {
            return Some("the dataset has no content hash".into());
        }
        if self.num_classes == 0 {
            return Some("the dataset has no classes".into());
        }
        if self.class_names.len() != self.num_classes {
            return Some(format!(
                "the dataset has {} classes but {} class names",
                self.num_classes,
                self.class_names.len()
            ));
        }
        let too_big = |v: usize| u32::try_from(v).is_err();
        if [self.num_examples, self.num_classes, self.channels, self.height, self.width]
            .into_iter()
            .any(too_big)
        {
            return Some("the dataset's shape is too large to store".into());
        }
        None
    }
}

/// The first 12 characters of a hash, for messages.
pub(super) fn short_hash(hash: &str) -> String {
    hash.chars().take(12).collect()
}

/// Writes the dataset row; call inside the creating transaction.
pub(super) fn insert(conn: &Connection, path: &Path, info: &DatasetInfo) -> Result<(), StoreError> {
    let class_names = serde_json::to_string(&info.class_names).map_err(|e| StoreError::Invalid {
        path: path.to_path_buf(),
        problem: format!("class names cannot be stored: {e}"),
    })?;
    conn.execute(
        "INSERT INTO dataset (id, name, source, format, content_hash, num_examples, num_classes,
                              channels, height, width, class_names)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            info.name,
            info.source,
            info.format,
            info.content_hash,
            info.num_examples,
            info.num_classes,
            info.channels,
            info.height,
            info.width,
            class_names
        ],
    )
    .at(path)?;
    Ok(())
}

/// Reads the dataset row; `None` when the workspace has none.
pub(super) fn load(conn: &Connection, path: &Path) -> Result<Option<DatasetInfo>, StoreError> {
    let row = conn
        .query_row(
            "SELECT name, source, format, content_hash, num_examples, num_classes,
                    channels, height, width, class_names
             FROM dataset WHERE id = 1",
            [],
            |r| {
                Ok((
                    DatasetInfo {
                        name: r.get(0)?,
                        source: r.get(1)?,
                        format: r.get(2)?,
                        content_hash: r.get(3)?,
                        num_examples: r.get(4)?,
                        num_classes: r.get(5)?,
                        channels: r.get(6)?,
                        height: r.get(7)?,
                        width: r.get(8)?,
                        class_names: Vec::new(),
                    },
                    r.get::<_, String>(9)?,
                ))
            },
        )
        .optional()
        .at(path)?;
    let Some((mut info, names)) = row else {
        return Ok(None);
    };
    info.class_names = serde_json::from_str(&names).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        problem: format!("class names are not a JSON list of strings ({e})"),
    })?;
    Ok(Some(info))
}
