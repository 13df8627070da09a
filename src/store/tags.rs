//! What the user said about examples: tags, relabels and notes, with an undo history of tag changes.

use rusqlite::{params, Connection, OptionalExtension};

use super::{AtPath, StoreError, Workspace};

/// The user's marks on one example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRow {
    /// Index of the example.
    pub example: usize,
    /// A tag such as `mislabeled` or `ood`, if any.
    pub tag: Option<String>,
    /// The label the user thinks is right, if they gave one.
    pub relabel: Option<u32>,
    /// A free-text note, if any.
    pub note: Option<String>,
}

impl Workspace {
    /// Sets the tag and relabel of `example`, recording the change for undo (one transaction).
    ///
    /// Setting the values the example already has writes nothing.
    pub fn set_tag(&self, example: usize, tag: Option<&str>, relabel: Option<u32>) -> Result<(), StoreError> {
        self.check_example(example)?;
        if let Some(label) = relabel {
            self.check_label("relabel", label)?;
        }
        if tag.is_some_and(|t| t.trim().is_empty()) {
            return Err(self.invalid(format!("example {example}: an empty tag (use none to clear it)")));
        }
        let tx = self.write()?;
        let (old_tag, old_relabel) = current(&tx, example).at(&self.path)?;
        if old_tag.as_deref() == tag && old_relabel == relabel {
            return Ok(());
        }
        put_tag(&tx, example, tag, relabel).at(&self.path)?;
        tx.prepare_cached(
            "INSERT INTO tag_history (example, old_tag, new_tag, old_relabel, new_relabel)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| s.execute(params![example, old_tag, tag, old_relabel, relabel]))
        .at(&self.path)?;
        tx.commit().at(&self.path)
    }

    /// Sets (or with `None` or an empty string, clears) the note on `example`.
    pub fn set_note(&self, example: usize, note: Option<&str>) -> Result<(), StoreError> {
        self.check_example(example)?;
        let note = note.filter(|n| !n.trim().is_empty());
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO tags (example, note) VALUES (?1, ?2)
             ON CONFLICT (example) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at",
            params![example, note],
        )
        .at(&self.path)?;
        drop_if_blank(&tx, example).at(&self.path)?;
        tx.commit().at(&self.path)
    }

    /// Writes many examples' marks in one transaction (all or none): each row's tag and relabel, as
    /// [`Workspace::set_tag`] does (recorded for undo), and its note where it has one. Returns how many
    /// examples changed.
    pub fn import_tags(&self, rows: &[TagRow]) -> Result<usize, StoreError> {
        for row in rows {
            self.check_example(row.example)?;
            if let Some(label) = row.relabel {
                self.check_label("relabel", label)?;
            }
        }
        let tx = self.write()?;
        let mut changed = 0;
        for row in rows {
            let (tag, relabel) = (row.tag.as_deref().filter(|t| !t.trim().is_empty()), row.relabel);
            let (old_tag, old_relabel) = current(&tx, row.example).at(&self.path)?;
            let mut touched = false;
            if (old_tag.as_deref(), old_relabel) != (tag, relabel) && (tag.is_some() || relabel.is_some()) {
                put_tag(&tx, row.example, tag, relabel).at(&self.path)?;
                tx.prepare_cached(
                    "INSERT INTO tag_history (example, old_tag, new_tag, old_relabel, new_relabel)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .and_then(|mut s| s.execute(params![row.example, old_tag, tag, old_relabel, relabel]))
                .at(&self.path)?;
                touched = true;
            }
            if let Some(note) = row.note.as_deref().filter(|n| !n.trim().is_empty()) {
                let n = tx
                    .execute(
                        "INSERT INTO tags (example, note) VALUES (?1, ?2)
                         ON CONFLICT (example) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at
                         WHERE tags.note IS NOT excluded.note",
                        params![row.example, note],
                    )
                    .at(&self.path)?;
                touched |= n > 0;
            }
            changed += usize::from(touched);
        }
        tx.commit().at(&self.path)?;
        Ok(changed)
    }

    /// Every example with a tag, relabel or note, by example.
    pub fn tags(&self) -> Result<Vec<TagRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT example, tag, relabel, note FROM tags ORDER BY example")
            .at(&self.path)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(TagRow { example: r.get(0)?, tag: r.get(1)?, relabel: r.get(2)?, note: r.get(3)? })
            })
            .at(&self.path)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().at(&self.path)
    }

    /// The marks on `example`, `None` when it has none.
    pub fn tag_row(&self, example: usize) -> Result<Option<TagRow>, StoreError> {
        self.conn
            .prepare_cached("SELECT tag, relabel, note FROM tags WHERE example = ?1")
            .and_then(|mut s| {
                s.query_row([example], |r| {
                    Ok(TagRow { example, tag: r.get(0)?, relabel: r.get(1)?, note: r.get(2)? })
                })
                .optional()
            })
            .at(&self.path)
    }

    /// Undoes the newest tag change not yet undone, returning the example's restored state.
    pub fn undo_last_tag(&self) -> Result<Option<TagRow>, StoreError> {
        let tx = self.write()?;
        let last = tx
            .query_row(
                "SELECT id, example, old_tag, old_relabel FROM tag_history
                 WHERE undone = 0 ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, usize>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<u32>>(3)?,
                    ))
                },
            )
            .optional()
            .at(&self.path)?;
        let Some((id, example, tag, relabel)) = last else {
            return Ok(None);
        };
        tx.execute("UPDATE tag_history SET undone = 1 WHERE id = ?1", [id]).at(&self.path)?;
        put_tag(&tx, example, tag.as_deref(), relabel).at(&self.path)?;
        let note: Option<String> = tx
            .query_row("SELECT note FROM tags WHERE example = ?1", [example], |r| r.get(0))
            .optional()
            .at(&self.path)?
            .flatten();
        tx.commit().at(&self.path)?;
        Ok(Some(TagRow { example, tag, relabel, note }))
    }
}

/// The current tag and relabel of `example` (both `None` without a row).
fn current(conn: &Connection, example: usize) -> rusqlite::Result<(Option<String>, Option<u32>)> {
    Ok(conn
        .prepare_cached("SELECT tag, relabel FROM tags WHERE example = ?1")?
        .query_row([example], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or_default())
}

/// Writes tag and relabel, keeping the note; a row left with nothing in it is removed.
fn put_tag(
    conn: &Connection,
    example: usize,
    tag: Option<&str>,
    relabel: Option<u32>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO tags (example, tag, relabel) VALUES (?1, ?2, ?3)
         ON CONFLICT (example) DO UPDATE SET tag = excluded.tag, relabel = excluded.relabel,
             updated_at = excluded.updated_at",
    )?
    .execute(params![example, tag, relabel])?;
    drop_if_blank(conn, example)
}

fn drop_if_blank(conn: &Connection, example: usize) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "DELETE FROM tags
         WHERE example = ?1 AND tag IS NULL AND relabel IS NULL AND note IS NULL",
    )?
    .execute([example])?;
    Ok(())
}
