//! The preview of the selected example: its image, label and suggested label, C-score with interval
//! and rank, held-out evaluations, tag and note, injected ground truth, and every proxy with its rank.
//! Page 0 is the image with as much text as fits; when the text does not fit, the next pages give the
//! whole pane to it (`]` and `[` turn them), so every proxy can be read at 80×24.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::fmt;
use super::layout::{PreviewContent, PreviewPages};
use crate::tui::app::App;
use crate::tui::command::Command;

/// Preview pane.
pub struct PreviewView<'a>(pub &'a App);

impl PreviewView<'_> {
    fn block(&self) -> Block<'static> {
        let t = &self.0.theme;
        let title = match self.0.selected() {
            Some(i) => format!(" example #{i} "),
            None => " preview ".into(),
        };
        Block::bordered().border_style(t.border).title(Span::styled(title, t.title))
    }

    /// Where the image goes inside `area` (above the text) on the page shown, if there is room.
    pub fn image_area(&self, area: Rect) -> Option<Rect> {
        let inner = self.block().inner(area);
        let rows = self.image_rows(inner);
        (rows > 0 && self.pages(inner).clamp(self.0.preview_page) == 0)
            .then_some(Rect { height: rows, ..inner })
    }

    /// What the pane shows, for the geometry.
    fn content(&self) -> PreviewContent {
        PreviewContent {
            text_lines: self.lines(usize::MAX).len(),
            image_height: self.0.data.dataset.height,
            selected: self.0.selected().is_some(),
        }
    }

    fn image_rows(&self, inner: Rect) -> u16 {
        self.content().image_rows(inner)
    }

    fn pages(&self, inner: Rect) -> PreviewPages {
        self.content().pages(inner)
    }

    /// The text, each line fitted to `width` columns: a rank or interval that does not fit whole is left
    /// out rather than cut (a clipped `#204` would read `#20`).
    fn lines(&self, width: usize) -> Vec<Line<'static>> {
        let app = self.0;
        let t = &app.theme;
        let Some(i) = app.selected() else { return vec![Line::styled("nothing selected", t.dim)] };
        let s = &app.scores;
        let label = app.data.dataset.labels.get(i).copied().unwrap_or(0);
        let kv =
            |k: &str, v: String, style| vec![Span::styled(format!("{k} "), t.dim), Span::styled(v, style)];
        let mut first = kv("label", app.data.class_name(label), t.text);
        if let Some(sug) = app.suggested(i) {
            first.extend(kv("  suggested", app.data.class_name(sug), t.score_low));
        }
        let cs = s.cscore.get(i).copied().unwrap_or(f32::NAN);
        let mut second = kv("C-score", fmt::score(cs), t.score(cs));
        if !cs.is_nan() {
            // A tie group shows its range of ranks, as `cscore show` does (`#1–536` of 536 tied at 0).
            let (first, tied) = (s.rank[i] as usize, s.tied[i] as usize);
            let rank = match tied {
                0 | 1 => fmt::count(first),
                _ => format!("{}–{}", fmt::count(first), fmt::count(first + tied - 1)),
            };
            let whole = format!("  #{rank}/{}", fmt::count(s.estimated));
            let interval = format!(" [{:.2}, {:.2}]", s.low[i], s.high[i]);
            // Dropped in this order as the pane narrows: the count estimated, the interval, the rank.
            let choices = [
                vec![interval.clone(), whole],
                vec![interval.clone(), format!("  #{rank}")],
                vec![format!("  #{rank}")],
            ];
            if let Some(extra) =
                choices.into_iter().find(|c| width_of(&second) + c.concat().chars().count() <= width)
            {
                second.extend(extra.into_iter().map(|e| Span::styled(e, t.dim)));
            }
        }
        let pred = s.prediction(i).map_or_else(|| "-".into(), |p| app.data.class_name(p));
        let mut third = kv("held-out evals", s.evals.get(i).copied().unwrap_or(0).to_string(), t.text);
        third.extend(kv("  majority", pred, t.text));
        let mut lines = vec![Line::from(first), Line::from(second), Line::from(third)];
        if let Some(row) = app.tags.get(i) {
            let mut spans = Vec::new();
            if let Some(tag) = &row.tag {
                spans.extend(kv("tag", tag.clone(), t.tag_style(tag)));
            }
            if let Some(r) = row.relabel {
                spans.extend(kv(" →", app.data.class_name(r), t.tag));
            }
            if let Some(note) = &row.note {
                spans.extend(kv("  note", note.clone(), t.text));
            }
            lines.push(Line::from(spans));
        }
        if let Some(file) = app.data.dataset.paths.as_ref().and_then(|p| p.get(i)) {
            let shown =
                file.strip_prefix(&app.data.dataset.source).unwrap_or(file).to_string_lossy().into_owned();
            let room = width.saturating_sub(5);
            lines.push(Line::from(kv("file", fmt::clip_start(&shown, room), t.text)));
        }
        if let Some(Some(inj)) = app.data.injected.get(i) {
            let was = app.data.class_name(inj.original_label);
            // Said in fewer words where the pane is narrow (80×24: 30 columns).
            let long = format!("{} (label was {was})", inj.kind);
            let text =
                if 9 + long.chars().count() <= width { long } else { format!("{} (was {was})", inj.kind) };
            lines.push(Line::from(kv("injected", text, t.tag)));
        }
        for p in app.data.proxies.iter() {
            let v = p.scores.get(i).copied().unwrap_or(f32::NAN);
            let rank = p.rank.get(i).copied().unwrap_or(0);
            let mut rank =
                if rank == 0 { String::new() } else { format!("  #{}", fmt::count(rank as usize)) };
            if 1 + 16 + 8 + rank.chars().count() > width {
                rank.clear();
            }
            let marker = if app.chosen_proxy().is_some_and(|c| c.name == p.name) { "▸" } else { " " };
            lines.push(Line::from(vec![
                Span::styled(format!("{marker}{:<16}", fmt::clip(&p.name, 16)), t.dim),
                Span::styled(format!("{:>8}", fmt::proxy(v, p.small_scale)), t.text),
                Span::styled(rank, t.dim),
            ]));
        }
        lines
    }
}

/// What the preview of `app` shows, for the geometry (text lines, image height, selection).
pub fn preview_content(app: &App) -> PreviewContent {
    PreviewView(app).content()
}

impl Widget for PreviewView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let block = self.block();
        let inner = block.inner(area);
        block.render(area, buf);
        let pages = self.pages(inner);
        let page = pages.clamp(app.preview_page);
        let image_rows = if page == 0 { pages.image_rows } else { 0 };
        let text = Rect { y: inner.y + image_rows, height: inner.height.saturating_sub(image_rows), ..inner };
        let mut lines: Vec<Line<'static>> =
            self.lines(usize::from(text.width)).into_iter().skip(pages.start(page)).collect();
        if pages.total > 1 {
            let keys = &app.keymap;
            let footer = format!(
                "page {}/{} · {} next · {} back",
                page + 1,
                pages.total,
                keys.key_hint(Command::PreviewNext),
                keys.key_hint(Command::PreviewPrev)
            );
            lines.truncate(usize::from(text.height.saturating_sub(1)));
            lines.push(Line::styled(footer, app.theme.dim));
        }
        Paragraph::new(lines).render(text, buf);
    }
}

/// Columns taken by `spans`.
fn width_of(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| s.content.chars().count()).sum()
}
