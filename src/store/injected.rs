//! Ground truth of injected corruption (`--inject-label-noise`, `--inject-ood`).

use rusqlite::params;

use super::{AtPath, StoreError, Workspace};

/// One example that was corrupted on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedRow {
    /// Index of the corrupted example.
    pub example: usize,
    /// What was done to it (for example `label_noise` or `ood`).
    pub kind: String,
    /// Its label before corruption.
    pub original_label: u32,
}

impl Workspace {
    /// Replaces all injected-corruption rows in one transaction.
    pub fn set_injected(&self, rows: &[InjectedRow]) -> Result<(), StoreError> {
        let mut seen = vec![false; self.num_examples];
        for row in rows {
            self.check_example(row.example)?;
            self.check_label("original label", row.original_label)?;
            if row.kind.trim().is_empty() {
                return Err(self.invalid(format!("injected example {} has no kind", row.example)));
            }
            if std::mem::replace(&mut seen[row.example], true) {
                return Err(self.invalid(format!("example {} is injected twice", row.example)));
            }
        }
        let tx = self.write()?;
        tx.execute("DELETE FROM injected", []).at(&self.path)?;
        {
            let mut stmt = tx
                .prepare("INSERT INTO injected (example, kind, original_label) VALUES (?1, ?2, ?3)")
                .at(&self.path)?;
            for row in rows {
                stmt.execute(params![row.example, row.kind, row.original_label]).at(&self.path)?;
            }
        }
        tx.commit().at(&self.path)
    }

    /// All injected-corruption rows, by example.
    pub fn injected(&self) -> Result<Vec<InjectedRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT example, kind, original_label FROM injected ORDER BY example")
            .at(&self.path)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(InjectedRow { example: r.get(0)?, kind: r.get(1)?, original_label: r.get(2)? })
            })
            .at(&self.path)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().at(&self.path)
    }
}
