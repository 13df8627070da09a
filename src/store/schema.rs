//! The workspace schema: ordered migration steps, the version kept in `PRAGMA user_version`.

use rusqlite::Connection;

/// Marks a SQLite file as a cscore workspace (`PRAGMA application_id`, "CSCR").
pub(super) const APPLICATION_ID: i64 = 0x4353_4352;

/// Migration steps; step `i` brings a workspace from version `i` to `i + 1`. Append, never edit.
const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8];

/// The schema version this cscore writes (the number of migration steps).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Version 1: dataset, config, runs with per-epoch stats, scores, injected ground truth, tags with history.
const V1: &str = r#"
CREATE TABLE dataset (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    num_examples INTEGER NOT NULL CHECK (num_examples >= 0),
    num_classes INTEGER NOT NULL CHECK (num_classes >= 1),
    channels INTEGER NOT NULL,
    height INTEGER NOT NULL,
    width INTEGER NOT NULL,
    class_names TEXT NOT NULL CHECK (json_valid(class_names)),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE config (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL CHECK (json_valid(value))
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holdout', 'proxy')),
    ratio_index INTEGER NOT NULL,
    run_index INTEGER NOT NULL,
    subset_ratio REAL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    failure TEXT,
    train_seconds REAL,
    eval_seconds REAL,
    final_loss REAL,
    finished_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    heldout_mask BLOB NOT NULL,
    heldout_correct BLOB NOT NULL,
    heldout_predictions BLOB NOT NULL,
    UNIQUE (kind, ratio_index, run_index)
);
CREATE TABLE epoch_stats (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    given_prob BLOB NOT NULL,
    predicted BLOB NOT NULL,
    margin BLOB NOT NULL,
    PRIMARY KEY (run_id, epoch)
);
CREATE TABLE proxy_scores (
    name TEXT PRIMARY KEY,
    scores BLOB NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE reference_scores (
    name TEXT PRIMARY KEY,
    scores BLOB NOT NULL,
    source TEXT NOT NULL,
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE injected (
    example INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    original_label INTEGER NOT NULL
);
CREATE TABLE tags (
    example INTEGER PRIMARY KEY,
    tag TEXT,
    relabel INTEGER,
    note TEXT,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE tag_history (
    id INTEGER PRIMARY KEY,
    example INTEGER NOT NULL,
    old_tag TEXT,
    new_tag TEXT,
    old_relabel INTEGER,
    new_relabel INTEGER,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1))
);
CREATE INDEX tag_history_by_undone ON tag_history (undone, id);
"#;

/// Version 2: a `meta` table; `written_by` names the cscore release that last created or migrated the
/// schema, so an older cscore refusing a newer workspace can say which release wrote it.
const V2: &str = r#"
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#;

/// Version 3: held-out predicted probabilities, summed per source workspace, ratio and chunk of
/// examples (see `prob_sums.rs`), and per run the source its probabilities were summed under (NULL for
/// runs stored without them, e.g. by an earlier cscore).
const V3: &str = r#"
ALTER TABLE runs ADD COLUMN prob_source TEXT;
CREATE TABLE heldout_prob_sums (
    source TEXT NOT NULL,
    ratio_index INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    sums BLOB NOT NULL,
    PRIMARY KEY (source, ratio_index, chunk)
);
"#;

/// Version 4: a shard's share of the input-space neighbour statistics (see `neighbour_parts.rs`), which
/// `cscore merge` joins into the input-space proxies of the whole dataset.
const V4: &str = r#"
CREATE TABLE neighbour_parts (
    start INTEGER PRIMARY KEY,
    len INTEGER NOT NULL,
    k INTEGER NOT NULL,
    bandwidth REAL NOT NULL,
    proxies TEXT NOT NULL,
    kernel_sum BLOB NOT NULL,
    same_class_kernel_sum BLOB NOT NULL,
    neighbours BLOB NOT NULL,
    neighbour_dist BLOB NOT NULL,
    knn_agreement BLOB NOT NULL
);
"#;

/// Version 5: a workspace holding density values (proxies ending in `density`, or a shard's kernel sums)
/// from before the kernel-bandwidth rule changed records the old rule under `config.density_kernel`, so
/// that they are recomputed (see `proxy::kernel_rule`); one without such values records nothing.
const V5: &str = r#"
INSERT OR IGNORE INTO config (key, value)
SELECT 'density_kernel', '{"bandwidth":"half_mean_distance"}'
WHERE EXISTS (SELECT 1 FROM proxy_scores WHERE name LIKE '%density')
   OR EXISTS (SELECT 1 FROM neighbour_parts);
"#;

/// Version 6: the workspace's own record of its examples' labels and files (see `example_record.rs`),
/// written when a command first opens the workspace with its dataset.
const V6: &str = r#"
CREATE TABLE IF NOT EXISTS example_record (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    labels BLOB NOT NULL,
    paths BLOB
);
"#;

/// Version 7: each example's pixel hash (see `example_hashes.rs`), by which a changed dataset's refusal
/// names the examples and files whose content changed.
const V7: &str = r#"
CREATE TABLE IF NOT EXISTS example_hashes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    hashes BLOB NOT NULL
);
"#;

/// Version 8: an image folder's large images as decoded and resized (see `decoded_images.rs`), taken by
/// a later reading of the folder instead of decoding a file again whose size and time are unchanged.
const V8: &str = r#"
CREATE TABLE IF NOT EXISTS decoded_images (
    file TEXT PRIMARY KEY,
    bytes INTEGER NOT NULL,
    modified_ns INTEGER NOT NULL,
    changed_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    channels INTEGER NOT NULL,
    height INTEGER NOT NULL,
    width INTEGER NOT NULL,
    pixels BLOB NOT NULL
);
"#;

/// This binary's release, as recorded in `meta.written_by`.
pub(super) const WRITTEN_BY: &str = env!("CARGO_PKG_VERSION");

/// The release that last created or migrated the schema, if the file records one (version 2 and later).
pub(super) fn written_by(conn: &Connection) -> Option<String> {
    conn.query_row("SELECT value FROM meta WHERE key = 'written_by'", [], |r| r.get(0)).ok()
}

/// Reads `(application_id, user_version)` from the file header.
pub(super) fn header(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    let app = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    Ok((app, version))
}

/// True when the database holds no table, index or view at all.
pub(super) fn is_blank(conn: &Connection) -> rusqlite::Result<bool> {
    let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    Ok(n == 0)
}

/// Applies every step newer than the stored version; call inside one write transaction.
///
/// Reads the version again under the write lock, so two processes migrating at once apply each step once.
pub(super) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let (_, version) = header(conn)?;
    let from = usize::try_from(version.max(0)).unwrap_or(usize::MAX);
    for step in MIGRATIONS.iter().skip(from) {
        conn.execute_batch(step)?;
    }
    if version < SCHEMA_VERSION {
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('written_by', ?1)", [WRITTEN_BY])?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_a_blank_database_marks_it_and_is_idempotent() -> rusqlite::Result<()> {
        let conn = Connection::open_in_memory()?;
        assert!(is_blank(&conn)?);
        migrate(&conn)?;
        assert_eq!(header(&conn)?, (APPLICATION_ID, SCHEMA_VERSION));
        let tables: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", [], |r| r.get(0))?;
        migrate(&conn)?;
        let again: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", [], |r| r.get(0))?;
        assert_eq!((tables, again), (15, 15));
        assert_eq!(written_by(&conn).as_deref(), Some(WRITTEN_BY));
        Ok(())
    }

    #[test]
    fn a_version_1_database_gains_the_meta_table_and_keeps_its_rows() -> rusqlite::Result<()> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(V1)?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        conn.pragma_update(None, "user_version", 1)?;
        conn.execute("INSERT INTO config (key, value) VALUES ('plan', '{}')", [])?;
        assert_eq!(written_by(&conn), None);
        migrate(&conn)?;
        assert_eq!(header(&conn)?, (APPLICATION_ID, SCHEMA_VERSION));
        assert_eq!(written_by(&conn).as_deref(), Some(WRITTEN_BY));
        let kept: i64 = conn.query_row("SELECT count(*) FROM config", [], |r| r.get(0))?;
        assert_eq!(kept, 1);
        let sums: i64 = conn.query_row("SELECT count(*) FROM heldout_prob_sums", [], |r| r.get(0))?;
        assert_eq!(sums, 0, "version 3's table is there, empty");
        Ok(())
    }
}
