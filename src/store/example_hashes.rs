//! Each example's pixel hash, recorded once with the dataset the workspace was estimated on (before any
//! injected corruption), so that a changed dataset's refusal can name the examples and files whose
//! content changed, and `show` can say that a recorded file is no longer the image that was estimated.

use rusqlite::{params, OptionalExtension};

use super::{AtPath, StoreError, Workspace};

impl Workspace {
    /// Whether the workspace holds its examples' pixel hashes.
    pub fn has_example_hashes(&self) -> Result<bool, StoreError> {
        self.conn.query_row("SELECT EXISTS (SELECT 1 FROM example_hashes)", [], |r| r.get(0)).at(&self.path)
    }

    /// Stores the hashes unless some are there already (the first writer's stand).
    pub fn record_example_hashes(&self, hashes: &[u64]) -> Result<(), StoreError> {
        if hashes.len() != self.num_examples {
            return Err(self.invalid(format!("example hashes must number {}", self.num_examples)));
        }
        let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
        let tx = self.write()?;
        tx.execute("INSERT OR IGNORE INTO example_hashes (id, hashes) VALUES (1, ?1)", params![bytes])
            .at(&self.path)?;
        tx.commit().at(&self.path)
    }

    /// The hashes, where the workspace holds them (one made before they were recorded may not).
    pub fn example_hashes(&self) -> Result<Option<Vec<u64>>, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT hashes FROM example_hashes WHERE id = 1", [], |r| r.get(0))
            .optional()
            .at(&self.path)?;
        let Some(bytes) = bytes else { return Ok(None) };
        if bytes.len() != 8 * self.num_examples {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                problem: format!("the example hashes do not match its {} examples", self.num_examples),
            });
        }
        Ok(Some(
            bytes
                .chunks_exact(8)
                .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
                .collect(),
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::store::DatasetInfo;

    #[test]
    fn the_first_hashes_stand_and_a_wrong_count_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let info = DatasetInfo::toy(3);
        let ws = Workspace::create(&dir.path().join("ws.cscore"), &info).unwrap();
        assert_eq!(ws.example_hashes().unwrap(), None);
        assert!(!ws.has_example_hashes().unwrap());
        assert!(ws.record_example_hashes(&[1, 2]).is_err());
        ws.record_example_hashes(&[1, u64::MAX, 3]).unwrap();
        ws.record_example_hashes(&[7, 7, 7]).unwrap();
        assert_eq!(ws.example_hashes().unwrap(), Some(vec![1, u64::MAX, 3]));
        assert!(ws.has_example_hashes().unwrap());
    }
}
