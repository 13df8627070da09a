//! Commands that move, sort, filter, search and switch views.

use super::app::{App, Mode, View};
use super::command::Command;
use super::prompt::{Prompt, PromptKind, Relabel};
use super::tags::TagKind;
use super::views::layout::list_rows;

impl App {
    /// A command in normal mode.
    pub(super) fn command(&mut self, c: Command) {
        use Command as C;
        if !matches!(c, C::Cancel) {
            self.message = None;
        }
        let looks_only = matches!(
            c,
            C::ViewList
                | C::ViewProfile
                | C::ViewTimeline
                | C::ViewCompare
                | C::ViewGallery
                | C::ViewClasses
                | C::ViewNext
                | C::Help
                | C::Cancel
                | C::ProxyNext
                | C::PreviewNext
                | C::PreviewPrev
        );
        if !looks_only {
            self.list.stop_following();
        }
        if self.view == View::Gallery && self.gallery_command(c) {
            return;
        }
        if self.view == View::Classes && self.classes_command(c) {
            return;
        }
        let page = list_rows(self.size).max(1);
        match c {
            C::Down => self.list.move_by(1),
            C::Up => self.list.move_by(-1),
            C::PageDown => self.list.move_by(page as isize),
            C::PageUp => self.list.move_by(-(page as isize)),
            C::Top => self.list.set_cursor(0),
            C::Bottom => self.list.set_cursor(usize::MAX),
            C::Left | C::Right | C::Open => {}
            C::SortNext => {
                self.list.sort.column = self.list.sort.column.next();
                self.reorder();
            }
            C::SortReverse => {
                self.list.sort.descending = !self.list.sort.descending;
                self.reorder();
            }
            C::FilterClass => {
                self.open_prompt(PromptKind::FilterClass, "class", "number or name; empty: all")
            }
            C::FilterTag => self.open_prompt(
                PromptKind::FilterTag,
                "tag",
                "ok, mislabeled, ood, …, any or none; empty: all",
            ),
            C::FilterRange => self.open_prompt(
                PromptKind::FilterRange,
                "C-score range",
                "e.g. 0-0.3, <0.5, >0.9; empty: all",
            ),
            C::FilterExpr => {
                let text = self.list.filter.expression().unwrap_or_default();
                let hint = "as export --filter: cscore < 0.3 and label == 7; empty: no filter";
                self.mode = Mode::Prompt(Prompt::new(PromptKind::FilterExpr, "filter", hint, text));
            }
            C::FilterDisagree => {
                self.list.filter.disagree = !self.list.filter.disagree;
                self.reorder();
            }
            C::FilterInjected => {
                if !self.data.has_injected {
                    self.info("this workspace has no injected examples (--inject-label-noise, --inject-ood)");
                    return;
                }
                self.list.filter.injected = !self.list.filter.injected;
                self.reorder();
            }
            C::FilterClear => {
                self.list.filter = Default::default();
                self.reorder();
            }
            C::Jump => self.open_prompt(PromptKind::Jump, "jump to example", "an index"),
            C::Search => {
                let origin = self.list.cursor();
                self.open_prompt(PromptKind::Search { origin }, "/", "index, label, tag or note");
            }
            C::SearchNext => self.search_step(true),
            C::SearchPrev => self.search_step(false),
            C::TagOk => self.tag_command(Some(TagKind::Ok), Relabel::None),
            C::TagMislabeled => self.ask_class(),
            C::TagMislabeledSuggested => self.tag_command(Some(TagKind::Mislabeled), Relabel::Suggested),
            C::TagOod => self.tag_command(Some(TagKind::Ood), Relabel::None),
            C::TagAmbiguous => self.tag_command(Some(TagKind::Ambiguous), Relabel::None),
            C::TagDuplicate => self.tag_command(Some(TagKind::Duplicate), Relabel::None),
            C::TagClear => self.tag_command(None, Relabel::None),
            C::Note => self.open_note(),
            C::Undo => self.undo(),
            C::Redo => self.redo(),
            C::Visual => self.list.toggle_visual(),
            C::TagAllFiltered => {
                self.bulk_armed = true;
                self.list.clear_visual();
                self.info(format!(
                    "the next tag key applies to all {} shown rows (Esc cancels)",
                    self.list.len()
                ));
            }
            C::ProxyNext => self.next_proxy(),
            C::PreviewNext => self.preview_step(true),
            C::PreviewPrev => self.preview_step(false),
            C::ViewList => self.set_view(View::List),
            C::ViewProfile => self.set_view(View::Profile),
            C::ViewTimeline => self.set_view(View::Timeline),
            C::ViewCompare => self.set_view(View::Compare),
            C::ViewGallery => self.set_view(View::Gallery),
            C::ViewClasses => self.set_view(View::Classes),
            C::ViewNext => {
                let i = View::ALL.iter().position(|&v| v == self.view).unwrap_or(0);
                self.set_view(View::ALL[(i + 1) % View::ALL.len()]);
            }
            C::Export => self.open_export(),
            C::Help => self.mode = Mode::Help(0),
            C::Cancel => {
                self.list.clear_visual();
                self.bulk_armed = false;
                self.message = None;
            }
            C::Quit => self.quit = true,
        }
    }

    /// Keys while the help overlay is open: scroll or close.
    pub(super) fn help_command(&mut self, c: Command) {
        let Mode::Help(scroll) = self.mode else { return };
        let page = self.size.1.saturating_sub(4).max(1);
        self.mode = match c {
            Command::Down => Mode::Help(scroll.saturating_add(1)),
            Command::Up => Mode::Help(scroll.saturating_sub(1)),
            Command::PageDown => Mode::Help(scroll.saturating_add(page)),
            Command::PageUp => Mode::Help(scroll.saturating_sub(page)),
            Command::Top => Mode::Help(0),
            Command::Help | Command::Cancel | Command::Quit => Mode::Normal,
            _ => Mode::Help(scroll),
        };
    }

    pub(super) fn open_prompt(&mut self, kind: PromptKind, label: &str, hint: &str) {
        self.mode = Mode::Prompt(Prompt::new(kind, label, hint, String::new()));
    }

    fn set_view(&mut self, view: View) {
        self.view = view;
        if view == View::Compare && self.comparison.is_none() {
            self.comparison_requested_for_view();
        }
    }

    /// `]` / `[`: the preview's next or previous page (wrapping), where the preview shows.
    fn preview_step(&mut self, forward: bool) {
        let pages = self.preview_pages();
        if pages == 0 {
            self.info("the preview shows in view 1 on terminals 56 columns or wider");
            return;
        }
        let page = self.preview_page.min(pages - 1);
        self.preview_page = if forward { (page + 1) % pages } else { (page + pages - 1) % pages };
    }

    fn next_proxy(&mut self) {
        let n = self.data.proxies.len();
        if n == 0 {
            self.info("this workspace has no proxy or reference scores yet");
            return;
        }
        self.proxy = Some(self.proxy.map_or(0, |p| (p + 1) % n));
        if let Some(p) = self.chosen_proxy() {
            let name = p.name.clone();
            self.info(format!("proxy column: {name}"));
            self.proxy_wanted = Some(name);
        }
        self.reorder();
    }

    /// Whether row `i` matches a (lowercase) search query: index, label name, tag, note, or (in an image
    /// folder) the file's name with the folder it is in.
    pub(super) fn row_matches(&self, i: usize, query: &str) -> bool {
        if query.is_empty() {
            return false;
        }
        let label = self.data.dataset.labels.get(i).copied().unwrap_or(0);
        let file = || {
            self.data.dataset.paths.as_ref().and_then(|p| p.get(i)).is_some_and(|p| file_matches(p, query))
        };
        i.to_string().contains(query)
            || self.data.class_name(label).to_lowercase().contains(query)
            || self.tags.tag(i).is_some_and(|t| t.contains(query))
            || self.tags.note(i).is_some_and(|n| n.to_lowercase().contains(query))
            || file()
    }

    /// The first row at or after `from` (wrapping; backwards when `!forward`) matching `query`.
    pub(super) fn find_row(&self, from: usize, query: &str, forward: bool) -> Option<usize> {
        let order = self.list.order();
        let n = order.len();
        (0..n)
            .map(|k| if forward { (from + k) % n } else { (from + n - k % n) % n })
            .find(|&pos| self.row_matches(order[pos] as usize, query))
    }

    fn search_step(&mut self, forward: bool) {
        let q = self.list.last_search.to_lowercase();
        let (n, cursor) = (self.list.len(), self.list.cursor());
        if q.is_empty() || n == 0 {
            self.info("no search yet (/ searches)");
            return;
        }
        let from = if forward { cursor + 1 } else { cursor + n - 1 };
        match self.find_row(from % n, &q, forward) {
            Some(pos) => self.list.set_cursor(pos),
            None => self.error(format!("no row matches {:?}", self.list.last_search)),
        }
    }
}

/// Whether a (lowercase) search query is in `folder/file name` of an image's path (its folder is the class
/// folder or a subfolder of it; the path above is not searched, so every row does not match the root).
fn file_matches(path: &std::path::Path, query: &str) -> bool {
    let name = |q: Option<&std::path::Path>| {
        q.and_then(|q| q.file_name()).map_or(String::new(), |n| n.to_string_lossy().to_lowercase())
    };
    format!("{}/{}", name(path.parent()), name(Some(path))).contains(query)
}

#[cfg(test)]
mod tests {
    use super::file_matches;
    use std::path::Path;

    #[test]
    fn the_file_name_and_its_folder_are_searched_not_the_root() {
        let p = Path::new("/data/pets/Cat/batch2/IMG_00325.JPG");
        assert!(file_matches(p, "img_00325"));
        assert!(file_matches(p, "batch2/img"));
        assert!(!file_matches(p, "pets"));
        assert!(!file_matches(p, "data"));
    }
}
