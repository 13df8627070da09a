//! The workspace's own record of its examples: each one's label (as estimated, injected flips included)
//! and, for an image folder, its file below the folder. Written once, when a command first opens the
//! workspace together with its dataset; it lets the tags and scores be exported with their labels and
//! files after the dataset has changed or gone (a file fixed, moved or deleted), when nothing else can
//! say which example an index was.

use rusqlite::{params, OptionalExtension};

use super::{AtPath, StoreError, Workspace};

/// Separates the paths in the stored blob (no path holds a NUL).
const SEP: char = '\0';

/// What a workspace records of its examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleRecord {
    /// Each example's label, as estimated.
    pub labels: Vec<u32>,
    /// Each example's file below the dataset's folder, `/`-separated (image folders only).
    pub paths: Option<Vec<String>>,
}

impl Workspace {
    /// Whether the workspace holds its examples' record.
    pub fn has_example_record(&self) -> Result<bool, StoreError> {
        self.conn.query_row("SELECT EXISTS (SELECT 1 FROM example_record)", [], |r| r.get(0)).at(&self.path)
    }

    /// Stores the record unless one is there already (the first writer's stands).
    pub fn record_examples(&self, labels: &[u32], paths: Option<&[String]>) -> Result<(), StoreError> {
        if labels.len() != self.num_examples || paths.is_some_and(|p| p.len() != self.num_examples) {
            return Err(self.invalid(format!("an example record must hold {} examples", self.num_examples)));
        }
        if let Some(bad) = paths.and_then(|p| p.iter().find(|p| p.contains(SEP))) {
            return Err(self.invalid(format!("path {bad:?} holds a NUL")));
        }
        for &label in labels {
            self.check_label("label", label)?;
        }
        let label_bytes: Vec<u8> = labels.iter().flat_map(|l| l.to_le_bytes()).collect();
        let joined = paths.map(|p| p.join(&SEP.to_string()).into_bytes());
        let tx = self.write()?;
        tx.execute(
            "INSERT OR IGNORE INTO example_record (id, labels, paths) VALUES (1, ?1, ?2)",
            params![label_bytes, joined],
        )
        .at(&self.path)?;
        tx.commit().at(&self.path)
    }

    /// Gives the dataset's classes new names (as many as it has) and the record's files their new
    /// paths, in one transaction: class folders renamed after the workspace was made, the images and
    /// labels the same.
    pub fn rename_classes(&self, names: &[String], paths: Option<&[String]>) -> Result<(), StoreError> {
        if names.len() != self.num_classes || paths.is_some_and(|p| p.len() != self.num_examples) {
            return Err(self.invalid(format!(
                "renaming classes needs {} names and {} paths",
                self.num_classes, self.num_examples
            )));
        }
        if let Some(bad) = paths.and_then(|p| p.iter().find(|p| p.contains(SEP))) {
            return Err(self.invalid(format!("path {bad:?} holds a NUL")));
        }
        let json = serde_json::to_string(names).map_err(|e| self.invalid(e.to_string()))?;
        let tx = self.write()?;
        tx.execute("UPDATE dataset SET class_names = ?1 WHERE id = 1", params![json]).at(&self.path)?;
        if let Some(paths) = paths {
            let joined = paths.join(&SEP.to_string()).into_bytes();
            tx.execute(
                "UPDATE example_record SET paths = ?1 WHERE id = 1 AND paths IS NOT NULL",
                params![joined],
            )
            .at(&self.path)?;
        }
        tx.commit().at(&self.path)
    }

    /// The record, where the workspace holds one.
    pub fn example_record(&self) -> Result<Option<ExampleRecord>, StoreError> {
        let row: Option<(Vec<u8>, Option<Vec<u8>>)> = self
            .conn
            .query_row("SELECT labels, paths FROM example_record WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .at(&self.path)?;
        let Some((label_bytes, path_bytes)) = row else { return Ok(None) };
        let damaged = |what: &str| StoreError::Corrupt {
            path: self.path.clone(),
            problem: format!("the example record's {what} do not match its {} examples", self.num_examples),
        };
        if label_bytes.len() != 4 * self.num_examples {
            return Err(damaged("labels"));
        }
        let labels =
            label_bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        let paths = match path_bytes {
            None => None,
            Some(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| damaged("paths"))?;
                let paths: Vec<String> = text.split(SEP).map(str::to_string).collect();
                if paths.len() != self.num_examples {
                    return Err(damaged("paths"));
                }
                Some(paths)
            }
        };
        Ok(Some(ExampleRecord { labels, paths }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::store::DatasetInfo;

    fn workspace(dir: &std::path::Path, n: usize) -> Workspace {
        let info = DatasetInfo {
            name: "toy".into(),
            source: "/data/toy".into(),
            format: "folder".into(),
            content_hash: "abcdef0123456789".into(),
            num_examples: n,
            num_classes: 3,
            channels: 3,
            height: 4,
            width: 4,
            class_names: vec!["a".into(), "b".into(), "c".into()],
        };
        Workspace::create(&dir.join("ws.cscore"), &info).unwrap()
    }

    #[test]
    fn the_first_record_stands_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path(), 3);
        assert_eq!(ws.example_record().unwrap(), None);
        assert!(!ws.has_example_record().unwrap());
        let paths: Vec<String> = ["a/1.png", "b/ü 2.png", "c/x/3.jpg"].map(String::from).into();
        ws.record_examples(&[0, 1, 2], Some(&paths)).unwrap();
        ws.record_examples(&[2, 2, 2], None).unwrap();
        let record = ws.example_record().unwrap().unwrap();
        assert_eq!(record, ExampleRecord { labels: vec![0, 1, 2], paths: Some(paths) });
        assert!(ws.has_example_record().unwrap());
    }

    #[test]
    fn a_record_that_does_not_fit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path(), 2);
        assert!(ws.record_examples(&[0], None).is_err());
        assert!(ws.record_examples(&[0, 3], None).is_err(), "label 3 of 3 classes");
        assert!(ws.record_examples(&[0, 1], Some(&["a".into(), "b\0c".into()])).is_err());
        ws.record_examples(&[0, 1], None).unwrap();
        assert_eq!(ws.example_record().unwrap().unwrap().paths, None);
    }
}
