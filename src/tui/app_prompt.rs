//! Prompt editing and what each prompt does when accepted.

use super::app::{App, Mode, Request};
use super::command::InputKey;
use super::filter::{Filter, ScoreRange, TagFilter};
use super::filter_table::TableInputs;
use super::prompt::{PendingTag, Prompt, PromptKind, Relabel};
use super::tags::TagKind;

impl App {
    /// A key while a prompt is open.
    pub(super) fn input(&mut self, key: InputKey) {
        let Mode::Prompt(mut prompt) = std::mem::replace(&mut self.mode, Mode::Normal) else { return };
        match key {
            InputKey::Char(c) => {
                if let PromptKind::Relabel { targets, confirm } = &prompt.kind {
                    let digit = c.to_digit(10).filter(|&d| (d as usize) < self.data.dataset.num_classes());
                    if let (Some(d), true, true) =
                        (digit, prompt.text.is_empty(), self.data.dataset.num_classes() <= 10)
                    {
                        let pending = PendingTag {
                            targets: targets.clone(),
                            tag: Some(TagKind::Mislabeled),
                            relabel: Relabel::Class(d),
                        };
                        self.finish_tag(pending, *confirm);
                        return;
                    }
                }
                prompt.text.push(c);
                self.after_edit(&prompt);
                self.mode = Mode::Prompt(prompt);
            }
            InputKey::Backspace | InputKey::ClearLine | InputKey::DeleteWord => {
                match key {
                    InputKey::Backspace => drop(prompt.text.pop()),
                    InputKey::ClearLine => prompt.text.clear(),
                    _ => {
                        let kept = prompt.text.trim_end().len();
                        let word = prompt.text[..kept].rfind(char::is_whitespace).map_or(0, |i| i + 1);
                        prompt.text.truncate(word);
                    }
                }
                self.after_edit(&prompt);
                self.mode = Mode::Prompt(prompt);
            }
            InputKey::Cancel => {
                if let PromptKind::Search { origin } = prompt.kind {
                    self.list.set_cursor(origin);
                }
                self.message = None;
            }
            InputKey::Submit => self.submit(prompt),
        }
    }

    /// Incremental search moves as the query is typed.
    fn after_edit(&mut self, prompt: &Prompt) {
        if let PromptKind::Search { origin } = prompt.kind {
            let q = prompt.text.to_lowercase();
            if q.is_empty() || self.list.is_empty() {
                self.list.set_cursor(origin);
                self.message = None;
            } else {
                match self.find_row(origin.min(self.list.len() - 1), &q, true) {
                    Some(pos) => {
                        self.list.set_cursor(pos);
                        self.message = None;
                    }
                    None => self.error(format!("no row matches {:?}", prompt.text)),
                }
            }
        }
    }

    fn finish_tag(&mut self, pending: PendingTag, confirm: bool) {
        if confirm {
            self.confirm(pending);
        } else {
            self.apply_tag(pending);
        }
    }

    /// Keeps the prompt open with an error (the user can fix the text).
    fn reject(&mut self, prompt: Prompt, problem: String) {
        self.error(problem);
        self.mode = Mode::Prompt(prompt);
    }

    fn submit(&mut self, prompt: Prompt) {
        let text = prompt.text.trim().to_string();
        match prompt.kind.clone() {
            PromptKind::Search { .. } => {
                self.list.last_search = prompt.text.clone();
            }
            PromptKind::Jump => match text.parse::<usize>() {
                Ok(i) if i < self.data.len() => {
                    if !self.list.jump_to(i) {
                        self.error(format!(
                            "example {i} is hidden by the filter ({} clears filters)",
                            self.keymap.key_hint(super::Command::FilterClear)
                        ));
                    }
                }
                _ => self.reject(
                    prompt,
                    format!("{text:?} is not an example index (0 to {})", self.data.len().saturating_sub(1)),
                ),
            },
            PromptKind::Note { example } => self.save_note(example, &prompt.text),
            PromptKind::FilterClass => {
                if text.is_empty() {
                    self.list.filter.class = None;
                } else if let Some(c) = self.data.parse_class(&text) {
                    self.list.filter.class = Some(c);
                } else {
                    return self.reject(prompt, format!("no class {text:?}"));
                }
                self.reorder();
            }
            PromptKind::FilterTag => {
                self.list.filter.tag = TagFilter::parse(&text);
                self.reorder();
            }
            PromptKind::FilterRange => {
                if text.is_empty() {
                    self.list.filter.score = None;
                } else {
                    match ScoreRange::parse(&text) {
                        Ok(r) => self.list.filter.score = Some(r),
                        Err(e) => return self.reject(prompt, e),
                    }
                }
                self.reorder();
            }
            PromptKind::FilterExpr => {
                if text.is_empty() {
                    self.list.filter = Filter::default();
                } else {
                    let inputs = TableInputs { agg: &self.est.agg, data: &self.data, tags: &self.tags };
                    if let Err(e) = Filter::check(&text, &inputs) {
                        return self.reject(prompt, format!("filter: {e}"));
                    }
                    self.list.filter = Filter { expr: Some(text), ..Filter::default() };
                }
                self.reorder();
            }
            PromptKind::Relabel { targets, confirm } => {
                let relabel = if text.is_empty() {
                    Relabel::Suggested
                } else {
                    match self.data.parse_class(&text) {
                        Some(c) => Relabel::Class(c),
                        None => return self.reject(prompt, format!("no class {text:?}")),
                    }
                };
                self.finish_tag(PendingTag { targets, tag: Some(TagKind::Mislabeled), relabel }, confirm);
            }
            PromptKind::ExportPath { rows } => {
                if text.is_empty() {
                    return self.reject(prompt, "give a file name".into());
                }
                self.info(format!("exporting {} to {text} …", super::jobs::row_count(rows.len())));
                self.requests.push(Request::Export { path: text, rows });
            }
            PromptKind::Confirm { pending } => self.apply_tag(pending),
        }
    }

    /// `E`: ask where to export the selection (or every shown row).
    pub(super) fn open_export(&mut self) {
        let rows = if self.list.visual().is_some() { self.list.targets() } else { self.list.shown() };
        let stem =
            self.data.workspace_path.file_stem().map_or("cscore".into(), |s| s.to_string_lossy().to_string());
        let default = format!(
            "{stem}-{}.csv",
            if self.list.filter.is_empty() && self.list.visual().is_none() { "all" } else { "selection" }
        );
        let label = format!("export {} to", super::jobs::row_count(rows.len()));
        self.mode =
            Mode::Prompt(Prompt::new(PromptKind::ExportPath { rows }, label, ".csv or .jsonl", default));
    }
}
