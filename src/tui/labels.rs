//! Label writes: what the explorer asks the workspace thread to commit, and what came of it. One write is
//! one transaction (a bulk tag of every shown row included), and the state each change starts from is
//! read inside that transaction, so neither a new step nor an undo trusts a stale copy in memory.

use super::history::Change;
use crate::store::{StoreError, Workspace};

/// Why changes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    /// A new label step: each change starts from whatever the workspace holds now.
    New,
    /// Undo of a step: a change applies only where the example still holds what the step left.
    Undo,
    /// Redo of an undone step (the same rule).
    Redo,
}

/// Label changes to commit in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelWrite {
    /// Sequence number of the write in this session.
    pub id: u64,
    /// New step, undo or redo.
    pub kind: WriteKind,
    /// The changes, in order.
    pub changes: Vec<Change>,
    /// What to tell the user once it is committed.
    pub done: String,
}

/// What came of a [`LabelWrite`].
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// The write's sequence number.
    pub id: u64,
    /// The write's kind.
    pub kind: WriteKind,
    /// The write's message.
    pub done: String,
    /// The committed changes, each starting from the state the workspace held.
    pub applied: Vec<Change>,
    /// Undo or redo changes left alone because their example changed elsewhere since.
    pub skipped: usize,
    /// Why the transaction failed (then nothing was written).
    pub error: Option<String>,
}

/// Commits `write` through `ws` in one transaction (waiting out other writers on the busy timeout).
pub fn commit(ws: &Workspace, write: &LabelWrite) -> Saved {
    let result = ws.transaction(|ws| -> Result<(Vec<Change>, usize), StoreError> {
        let mut applied = Vec::new();
        let mut skipped = 0;
        for change in &write.changes {
            let row = ws.tag_row(change.example())?;
            let tag_now = row.as_ref().map_or((None, None), |r| (r.tag.clone(), r.relabel));
            let note_now = row.and_then(|r| r.note);
            match change {
                Change::Tag { example, before, after } => {
                    if write.kind != WriteKind::New && &tag_now != before {
                        skipped += 1;
                    } else if &tag_now != after {
                        ws.set_tag(*example, after.0.as_deref(), after.1)?;
                        applied.push(Change::Tag {
                            example: *example,
                            before: tag_now,
                            after: after.clone(),
                        });
                    }
                }
                Change::Note { example, before, after } => {
                    if write.kind != WriteKind::New && &note_now != before {
                        skipped += 1;
                    } else if &note_now != after {
                        ws.set_note(*example, after.as_deref())?;
                        applied.push(Change::Note {
                            example: *example,
                            before: note_now,
                            after: after.clone(),
                        });
                    }
                }
            }
        }
        Ok((applied, skipped))
    });
    let (applied, skipped, error) = match result {
        Ok((applied, skipped)) => (applied, skipped, None),
        Err(e) => (Vec::new(), 0, Some(e.to_string())),
    };
    Saved { id: write.id, kind: write.kind, done: write.done.clone(), applied, skipped, error }
}
