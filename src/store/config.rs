//! Key/value settings stored as JSON (for example the estimation plan).

use rusqlite::{params, OptionalExtension};

use super::{AtPath, StoreError, Workspace};

/// Config key under which the injected-corruption settings are kept (written by `project`, checked by
/// `pipeline`'s merge).
pub const CORRUPTION_KEY: &str = "corruption";

impl Workspace {
    /// The JSON text stored under `key`, if any.
    pub fn config(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM config WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .at(&self.path)
    }

    /// Stores `json` under `key`, replacing any earlier value; `json` must be valid JSON.
    pub fn set_config(&self, key: &str, json: &str) -> Result<(), StoreError> {
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(json) {
            return Err(self.invalid(format!("config {key}: not valid JSON ({e})")));
        }
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO config (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, json],
        )
        .at(&self.path)?;
        tx.commit().at(&self.path)
    }
}
