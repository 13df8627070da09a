//! Labeling: tags on the selected row, a range or the whole filter; notes; undo and redo. Every change
//! goes to the workspace thread as one write and shows once it is committed.

use super::app::{App, Mode, Request};
use super::command::Command;
use super::history::Change;
use super::labels::{LabelWrite, WriteKind};
use super::prompt::{PendingTag, Prompt, PromptKind, Relabel};
use super::tags::TagKind;

impl App {
    fn take_targets(&mut self) -> (Vec<usize>, bool) {
        if std::mem::take(&mut self.bulk_armed) {
            (self.list.shown(), true)
        } else {
            (self.list.targets(), false)
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
        let n = pending.targets.len();
        let label = match pending.tag {
            None => format!("clear the tags of {n} examples?"),
            Some(t) => {
                // Say what a bulk tag replaces: a tag by hand is work too.
                let other = pending
                    .targets
                    .iter()
                    .filter(|&&i| self.tags.tag_state(i).0.is_some_and(|old| old != t.name()))
                    .count();
                let replaced =
                    if other > 0 { format!(" ({other} tagged otherwise: replaced)") } else { String::new() };
                format!("tag {n} examples as {}?{replaced}", t.name())
            }
        };
        self.mode = Mode::Prompt(Prompt::new(PromptKind::Confirm { pending }, label, "y / n", String::new()));
    }

    /// Sends the tag of every target to the workspace as one write; it shows once committed.
    pub(super) fn apply_tag(&mut self, pending: PendingTag) {
        let name = pending.tag.map(|t| t.name().to_string());
        let changes: Vec<Change> = pending
            .targets
            .iter()
            .map(|&i| {
                let relabel = match pending.relabel {
                    Relabel::None => None,
                    Relabel::Class(c) => Some(c),
                    Relabel::Suggested => self.suggested(i),
                };
                Change::Tag { example: i, before: self.tags.tag_state(i), after: (name.clone(), relabel) }
            })
            .collect();
        let what = name.map_or("cleared".to_string(), |t| format!("tagged {t}"));
        let relabel = match (pending.relabel, changes.as_slice()) {
            (Relabel::Class(c), _) => format!(" → {}", self.data.class_name(c)),
            (Relabel::Suggested, [Change::Tag { after, .. }]) => after.1.map_or_else(
                || " (no suggested label)".to_string(),
                |c| format!(" → {}", self.data.class_name(c)),
            ),
            _ => String::new(),
        };
        let whom = match pending.targets.as_slice() {
            [i] => format!("#{i}"),
            t => format!("{} examples", t.len()),
        };
        self.list.clear_visual();
        self.save(WriteKind::New, changes, format!("{whom} {what}{relabel}"));
    }

    /// `e`: edit the selected example's note.
    pub(super) fn open_note(&mut self) {
        let Some(example) = self.selected() else { return };
        let text = self.tags.note(example).unwrap_or_default();
        let label = format!("note on #{example}");
        self.mode =
            Mode::Prompt(Prompt::new(PromptKind::Note { example }, label, "Enter saves; empty clears", text));
    }

    /// Sends a note to the workspace.
    pub(super) fn save_note(&mut self, example: usize, text: &str) {
        let after = Some(text.trim().to_string()).filter(|t| !t.is_empty());
        let change = Change::Note { example, before: self.tags.note(example), after };
        self.save(WriteKind::New, vec![change], format!("note on #{example} saved"));
    }

    /// Queues a label write for the workspace thread; "saving…" shows until it reports back.
    fn save(&mut self, kind: WriteKind, changes: Vec<Change>, done: String) {
        self.next_write += 1;
        self.saving += 1;
        self.info("saving…");
        self.requests.push(Request::Save(LabelWrite { id: self.next_write, kind, changes, done }));
    }

    /// Undoes this session's newest label step (after the writes before it are committed).
    pub(super) fn undo(&mut self) {
        if self.saving > 0 {
            self.deferred.push(Command::Undo);
            return;
        }
        match self.history.undo() {
            Some(changes) => self.save(WriteKind::Undo, changes, "undone".into()),
            None => self.info("nothing to undo"),
        }
    }

    /// Redoes the newest undone step (after the writes before it are committed).
    pub(super) fn redo(&mut self) {
        if self.saving > 0 {
            self.deferred.push(Command::Redo);
            return;
        }
        match self.history.redo() {
            Some(changes) => self.save(WriteKind::Redo, changes, "redone".into()),
            None => self.info("nothing to redo"),
        }
    }
}
