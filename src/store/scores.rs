//! Per-example score vectors: proxies computed here and reference C-scores imported from elsewhere.

use rusqlite::{params, OptionalExtension};

use super::blob::{bytes_to_f32s, f32s_to_bytes};
use super::{AtPath, StoreError, Workspace};

impl Workspace {
    /// Stores (or replaces) proxy `name`: one score per example, NaN where missing.
    pub fn set_proxy_scores(&self, name: &str, scores: &[f32]) -> Result<(), StoreError> {
        self.check_scores("proxy", name, scores)?;
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO proxy_scores (name, scores) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET scores = excluded.scores, updated_at = excluded.updated_at",
            params![name, f32s_to_bytes(scores)],
        )
        .at(&self.path)?;
        tx.commit().at(&self.path)
    }

    /// The scores of proxy `name`, if stored.
    pub fn proxy_scores(&self, name: &str) -> Result<Option<Vec<f32>>, StoreError> {
        self.load_scores("proxy", "SELECT scores FROM proxy_scores WHERE name = ?1", name)
    }

    /// Names of the stored proxies, sorted.
    pub fn proxy_names(&self) -> Result<Vec<String>, StoreError> {
        self.names("SELECT name FROM proxy_scores ORDER BY name")
    }

    /// Removes the proxies among `names` that are stored; returns those removed.
    pub fn remove_proxy_scores(&self, names: &[&str]) -> Result<Vec<String>, StoreError> {
        let tx = self.write()?;
        let stored = self.proxy_names()?;
        let gone: Vec<String> = stored.into_iter().filter(|s| names.contains(&s.as_str())).collect();
        for name in &gone {
            tx.execute("DELETE FROM proxy_scores WHERE name = ?1", [name]).at(&self.path)?;
        }
        tx.commit().at(&self.path)?;
        Ok(gone)
    }

    /// Stores (or replaces) reference scores `name` imported from `source` (a file, a paper …).
    pub fn set_reference_scores(&self, name: &str, scores: &[f32], source: &str) -> Result<(), StoreError> {
        self.check_scores("reference", name, scores)?;
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO reference_scores (name, scores, source) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET scores = excluded.scores, source = excluded.source,
                 imported_at = excluded.imported_at",
            params![name, f32s_to_bytes(scores), source],
        )
        .at(&self.path)?;
        tx.commit().at(&self.path)
    }

    /// The reference scores `name`, if stored.
    pub fn reference_scores(&self, name: &str) -> Result<Option<Vec<f32>>, StoreError> {
        let sql = "SELECT scores FROM reference_scores WHERE name = ?1";
        self.load_scores("reference", sql, name)
    }

    /// Names of the stored reference scores, sorted.
    pub fn reference_names(&self) -> Result<Vec<String>, StoreError> {
        self.names("SELECT name FROM reference_scores ORDER BY name")
    }

    fn check_scores(&self, what: &str, name: &str, scores: &[f32]) -> Result<(), StoreError> {
        if name.trim().is_empty() {
            return Err(self.invalid(format!("{what} scores need a name")));
        }
        if scores.len() != self.num_examples {
            return Err(self.invalid(format!(
                "{what} scores {name:?} have {} values but the dataset has {} examples",
                scores.len(),
                self.num_examples
            )));
        }
        Ok(())
    }

    fn load_scores(&self, what: &str, sql: &str, name: &str) -> Result<Option<Vec<f32>>, StoreError> {
        let blob: Option<Vec<u8>> =
            self.conn.query_row(sql, [name], |r| r.get(0)).optional().at(&self.path)?;
        let Some(blob) = blob else {
            return Ok(None);
        };
        match bytes_to_f32s(&blob) {
            Some(scores) if scores.len() == self.num_examples => Ok(Some(scores)),
            _ => Err(self.corrupt(format!("{what} scores {name:?} do not hold one value per example"))),
        }
    }

    fn names(&self, sql: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql).at(&self.path)?;
        let rows = stmt.query_map([], |r| r.get(0)).at(&self.path)?;
        rows.collect::<rusqlite::Result<Vec<String>>>().at(&self.path)
    }
}
