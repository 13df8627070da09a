//! Tags in memory (a mirror of the workspace's `tags` table) and the session summary.

use super::history::Change;
use crate::store::TagRow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The tags the explorer's keys set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    /// Looked at; nothing wrong.
    Ok,
    /// The given label is wrong (a relabel may say which is right).
    Mislabeled,
    /// Not an image of any class of the dataset.
    Ood,
    /// Could be more than one class.
    Ambiguous,
    /// A copy of another example.
    Duplicate,
}

impl TagKind {
    /// The stored tag name.
    pub fn name(self) -> &'static str {
        match self {
            TagKind::Ok => "ok",
            TagKind::Mislabeled => "mislabeled",
            TagKind::Ood => "ood",
            TagKind::Ambiguous => "ambiguous",
            TagKind::Duplicate => "duplicate",
        }
    }
}

/// The tag, relabel and note of every example, indexed by example. The rows are shared with the jobs
/// that read them (copied only when changed while a job holds them).
#[derive(Debug, Clone, Default)]
pub struct Tags {
    rows: Arc<Vec<Option<TagRow>>>,
    /// Examples whose labels changed in this session.
    touched: BTreeSet<usize>,
    /// Per example, the id of this session's newest committed label write to it (0: none).
    written: Arc<Vec<u64>>,
    version: u64,
}

impl Tags {
    /// `n` untagged examples with `rows` applied.
    pub fn new(n: usize, rows: Vec<TagRow>) -> Self {
        // What `merge_snapshot` into empty rows gives, with one allocation of the slots instead of two (a
        // million examples: a tenth of a second each).
        let mut slots = vec![None; n];
        for row in rows {
            if let Some(slot) = slots.get_mut(row.example) {
                *slot = Some(row);
            }
        }
        Tags { rows: Arc::new(slots), touched: BTreeSet::new(), written: Arc::new(vec![0; n]), version: 1 }
    }

    /// Takes every row from what the workspace held when `rows` were read (another explorer may have
    /// written), except on examples this session wrote with a label write newer than `writes_seen` (the
    /// newest of this session's writes the snapshot includes): those rows here are newer than it.
    pub fn merge_snapshot(&mut self, rows: Vec<TagRow>, writes_seen: u64) {
        self.version += 1;
        let mut slots = vec![None; self.rows.len()];
        for row in rows {
            if let Some(slot) = slots.get_mut(row.example) {
                *slot = Some(row);
            }
        }
        for (slot, (&w, mine)) in slots.iter_mut().zip(self.written.iter().zip(self.rows.iter())) {
            if w > writes_seen {
                slot.clone_from(mine);
            }
        }
        self.rows = Arc::new(slots);
    }

    /// The rows alone (shared, without this session's summary), for a job.
    pub fn snapshot(&self) -> Tags {
        Tags {
            rows: Arc::clone(&self.rows),
            touched: BTreeSet::new(),
            written: Arc::clone(&self.written),
            version: self.version,
        }
    }

    /// Changes with every change of the rows.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Records a change committed by this session's label write `write`.
    pub fn apply(&mut self, change: &Change, write: u64) {
        if let Some(w) = Arc::make_mut(&mut self.written).get_mut(change.example()) {
            *w = write;
        }
        match change {
            Change::Tag { example, after, .. } => self.set_tag(*example, after.0.clone(), after.1),
            Change::Note { example, after, .. } => self.set_note(*example, after.clone()),
        }
    }

    /// The row of example `i`.
    pub fn get(&self, i: usize) -> Option<&TagRow> {
        self.rows.get(i).and_then(Option::as_ref)
    }

    /// The tag of example `i`.
    pub fn tag(&self, i: usize) -> Option<&str> {
        self.get(i).and_then(|r| r.tag.as_deref())
    }

    /// Tag and relabel of `i`.
    pub fn tag_state(&self, i: usize) -> (Option<String>, Option<u32>) {
        self.get(i).map_or((None, None), |r| (r.tag.clone(), r.relabel))
    }

    /// The note of `i`.
    pub fn note(&self, i: usize) -> Option<String> {
        self.get(i).and_then(|r| r.note.clone())
    }

    /// Records a committed tag change of `i`.
    pub fn set_tag(&mut self, i: usize, tag: Option<String>, relabel: Option<u32>) {
        let note = self.note(i);
        self.put(i, tag, relabel, note);
    }

    /// Records a committed note change of `i`.
    pub fn set_note(&mut self, i: usize, note: Option<String>) {
        let (tag, relabel) = self.tag_state(i);
        self.put(i, tag, relabel, note.filter(|n| !n.trim().is_empty()));
    }

    fn put(&mut self, i: usize, tag: Option<String>, relabel: Option<u32>, note: Option<String>) {
        let Some(slot) = Arc::make_mut(&mut self.rows).get_mut(i) else { return };
        self.version += 1;
        self.touched.insert(i);
        *slot = (tag.is_some() || relabel.is_some() || note.is_some()).then_some(TagRow {
            example: i,
            tag,
            relabel,
            note,
        });
    }

    /// How many examples carry each tag, in the whole workspace.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        count(self.rows.iter().flatten())
    }

    /// How many of the examples labelled in this session carry each tag now.
    pub fn session_counts(&self) -> BTreeMap<String, usize> {
        count(self.touched.iter().filter_map(|&i| self.get(i)))
    }
}

fn count<'a>(rows: impl Iterator<Item = &'a TagRow>) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for row in rows {
        if let Some(t) = &row.tag {
            *out.entry(t.clone()).or_insert(0) += 1;
        }
    }
    out
}
