//! Labeling: tags on the selected row, a range or the whole filter; notes; undo and redo. Every change
//! is committed to the workspace before the explorer shows it.

use super::app::{App, Mode};
use super::history::Change;
use super::prompt::{PendingTag, Prompt, PromptKind, Relabel};
use super::tags::TagKind;

impl App {
    /// The rows a tag applies to: the range selection, else the selected row.
    pub fn targets(&self) -> Vec<usize> {
        match self.visual {
            Some(anchor) => {
                let (a, b) = (anchor.min(self.cursor), anchor.max(self.cursor));
                self.order.get(a..=b).map_or_else(Vec::new, |s| s.iter().map(|&i| i as usize).collect())
            }
            None => self.selected().into_iter().collect(),
        }
    }

    fn take_targets(&mut self) -> (Vec<usize>, bool) {
        if std::mem::take(&mut self.bulk_armed) {
            (self.order.iter().map(|&i| i as usize).collect(), true)
        } else {
            (self.targets(), false)
        }
    }

    /// A tag key: apply now, or ask first when it covers the whole filter.
    pub(super) fn tag_command(&mut self, tag: Option<TagKind>, relabel: Relabel) {
        let (targets, bulk) = self.take_targets();
        if targets.is_empty() {
            self.info("nothing selected");
            return;
        }
        let pending = PendingTag { targets, tag, relabel };
        if bulk {
            self.confirm(pending);
        } else {
            self.apply_tag(pending);
        }
    }

    /// `m`: ask for the correct class.
    pub(super) fn ask_class(&mut self) {
        let (targets, bulk) = self.take_targets();
        if targets.is_empty() {
            self.info("nothing selected");
            return;
        }
        let hint = match (targets.as_slice(), targets.first().and_then(|&i| self.suggested(i))) {
            ([_], Some(s)) => format!("number or name; Enter: suggested {}", self.data.class_name(s)),
            ([_], None) => "number or name; Enter: no class".to_string(),
            _ => "number or name; Enter: each one's suggested label".to_string(),
        };
        let label = format!("mislabeled ({}): correct class", targets.len());
        self.mode = Mode::Prompt(Prompt::new(
            PromptKind::Relabel { targets, confirm: bulk },
            label,
            hint,
            String::new(),
        ));
    }

    /// Asks before a bulk change.
    pub(super) fn confirm(&mut self, pending: PendingTag) {
        let what = pending.tag.map_or("clear the tags of".to_string(), |t| format!("tag {} as", t.name()));
        let label = format!("{what} {} examples?", pending.targets.len());
        self.mode = Mode::Prompt(Prompt::new(PromptKind::Confirm { pending }, label, "y / n", String::new()));
    }

    /// Commits a tag to every target, one transaction each, and records one undo step.
    pub(super) fn apply_tag(&mut self, pending: PendingTag) {
        let name = pending.tag.map(|t| t.name().to_string());
        let mut changes = Vec::new();
        let mut failure = None;
        for &i in &pending.targets {
            let relabel = match pending.relabel {
                Relabel::None => None,
                Relabel::Class(c) => Some(c),
                Relabel::Suggested => self.suggested(i),
            };
            let change =
                Change::Tag { example: i, before: self.tags.tag_state(i), after: (name.clone(), relabel) };
            match self.commit(&change) {
                Ok(true) => changes.push(change),
                Ok(false) => {}
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let n = changes.len();
        self.history.record(changes);
        self.visual = None;
        match failure {
            Some(e) => self.error(format!("{e} ({n} changed before the error)")),
            None => {
                let what = name.map_or("cleared".to_string(), |t| format!("tagged {t}"));
                let relabel = match (pending.relabel, pending.targets.as_slice()) {
                    (Relabel::Class(c), _) => format!(" → {}", self.data.class_name(c)),
                    (Relabel::Suggested, [i]) => self.tags.tag_state(*i).1.map_or_else(
                        || " (no suggested label)".to_string(),
                        |c| format!(" → {}", self.data.class_name(c)),
                    ),
                    _ => String::new(),
                };
                let whom = match pending.targets.as_slice() {
                    [i] => format!("#{i}"),
                    t => format!("{} examples", t.len()),
                };
                self.info(format!("{whom} {what}{relabel}"));
            }
        }
        self.reorder();
    }

    /// `e`: edit the selected example's note.
    pub(super) fn open_note(&mut self) {
        let Some(example) = self.selected() else { return };
        let text = self.tags.note(example).unwrap_or_default();
        let label = format!("note on #{example}");
        self.mode =
            Mode::Prompt(Prompt::new(PromptKind::Note { example }, label, "Enter saves; empty clears", text));
    }

    /// Commits a note.
    pub(super) fn save_note(&mut self, example: usize, text: &str) {
        let after = Some(text.trim().to_string()).filter(|t| !t.is_empty());
        let change = Change::Note { example, before: self.tags.note(example), after };
        match self.commit(&change) {
            Ok(changed) => {
                if changed {
                    self.history.record(vec![change]);
                }
                self.info(format!("note on #{example} saved"));
            }
            Err(e) => self.error(e),
        }
    }

    /// Writes one change to the workspace, then to memory; `false` when it changes nothing.
    fn commit(&mut self, change: &Change) -> Result<bool, String> {
        match change {
            Change::Tag { example, before, after } => {
                if before == after {
                    return Ok(false);
                }
                self.ws.set_tag(*example, after.0.as_deref(), after.1).map_err(|e| e.to_string())?;
                self.tags.set_tag(*example, after.0.clone(), after.1);
            }
            Change::Note { example, before, after } => {
                if before == after {
                    return Ok(false);
                }
                self.ws.set_note(*example, after.as_deref()).map_err(|e| e.to_string())?;
                self.tags.set_note(*example, after.clone());
            }
        }
        Ok(true)
    }

    /// Re-applies a step of undo or redo, skipping examples changed elsewhere since.
    fn replay(&mut self, changes: Vec<Change>, verb: &str) {
        let (mut done, mut skipped) = (0, 0);
        for change in changes {
            let current_matches = match &change {
                Change::Tag { example, before, .. } => &self.tags.tag_state(*example) == before,
                Change::Note { example, before, .. } => &self.tags.note(*example) == before,
            };
            if !current_matches {
                skipped += 1;
                continue;
            }
            match self.commit(&change) {
                Ok(_) => done += 1,
                Err(e) => {
                    self.error(e);
                    self.reorder();
                    return;
                }
            }
        }
        let note = if skipped > 0 {
            format!(" ({skipped} skipped: changed by someone else since)")
        } else {
            String::new()
        };
        self.info(format!("{verb}: {done} example{}{note}", if done == 1 { "" } else { "s" }));
        self.reorder();
    }

    /// Undoes this session's newest label step.
    pub(super) fn undo(&mut self) {
        match self.history.undo() {
            Some(changes) => self.replay(changes, "undone"),
            None => self.info("nothing to undo"),
        }
    }

    /// Redoes the newest undone step.
    pub(super) fn redo(&mut self) {
        match self.history.redo() {
            Some(changes) => self.replay(changes, "redone"),
            None => self.info("nothing to redo"),
        }
    }
}
