//! Key/value settings stored as JSON (for example the estimation plan).

use rusqlite::{params, OptionalExtension};

use super::{AtPath, StoreError, Workspace};

/// Config key under which the injected-corruption settings are kept (written by `project`, checked by
/// `pipeline`'s merge).
pub const CORRUPTION_KEY: &str = "corruption";

/// Config key listing the image-folder files (below the folder) left out because they could not be read
/// (`--skip-unreadable`): a workspace that records it reads its folder so again.
pub const UNREADABLE_KEY: &str = "dataset.unreadable";

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

    /// The files below the dataset's folder that were left out as unreadable, where the workspace records
    /// any ([`UNREADABLE_KEY`]).
    pub fn unreadable_files(&self) -> Result<Option<Vec<String>>, StoreError> {
        let Some(json) = self.config(UNREADABLE_KEY)? else { return Ok(None) };
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| self.invalid(format!("config {UNREADABLE_KEY}: {e}")))
    }

    /// Records the files left out as unreadable.
    pub fn set_unreadable_files(&self, files: &[String]) -> Result<(), StoreError> {
        let json = serde_json::to_string(files).map_err(|e| self.invalid(e.to_string()))?;
        self.set_config(UNREADABLE_KEY, &json)
    }
}
