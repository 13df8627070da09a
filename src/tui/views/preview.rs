//! The preview of the selected example: its image, label and suggested label, C-score with interval
//! and rank, held-out evaluations, tag and note, injected ground truth, and every proxy with its rank.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::fmt;
use crate::tui::app::App;

/// Preview pane.
pub struct PreviewView<'a>(pub &'a App);

/// Fewest rows worth giving to the image.
const MIN_IMAGE_ROWS: u16 = 4;

impl PreviewView<'_> {
    fn block(&self) -> Block<'static> {
        let t = &self.0.theme;
        let title = match self.0.selected() {
            Some(i) => format!(" example #{i} "),
            None => " preview ".into(),
        };
        Block::bordered().border_style(t.border).title(Span::styled(title, t.title))
    }

    /// Where the image goes inside `area` (above the text), if there is room.
    pub fn image_area(&self, area: Rect) -> Option<Rect> {
        let inner = self.block().inner(area);
        let text = self.lines().len() as u16;
        let ds = &self.0.data.dataset;
        let natural = (ds.height as u16).div_ceil(2).max(1);
        // The image comes first; the proxy list below it may be cut at the bottom.
        let rows = natural.max(inner.height / 2).min(inner.height.saturating_sub(text.min(3)));
        (rows >= MIN_IMAGE_ROWS && inner.width >= 4 && self.0.selected().is_some())
            .then_some(Rect { height: rows, ..inner })
    }

    fn lines(&self) -> Vec<Line<'static>> {
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
            second.push(Span::styled(format!(" [{:.2}, {:.2}]", s.low[i], s.high[i]), t.dim));
            second.push(Span::styled(
                format!("  #{}/{}", fmt::count(s.rank[i] as usize), fmt::count(s.estimated)),
                t.dim,
            ));
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
        if let Some(Some(inj)) = app.data.injected.get(i) {
            let was = app.data.class_name(inj.original_label);
            lines.push(Line::from(kv("injected", format!("{} (label was {was})", inj.kind), t.tag)));
        }
        for p in &app.data.proxies {
            let v = p.scores.get(i).copied().unwrap_or(f32::NAN);
            let rank = p.rank.get(i).copied().unwrap_or(0);
            let rank = if rank == 0 { String::new() } else { format!("  #{}", fmt::count(rank as usize)) };
            let marker = if app.chosen_proxy().is_some_and(|c| c.name == p.name) { "▸" } else { " " };
            lines.push(Line::from(vec![
                Span::styled(format!("{marker}{:<16}", fmt::clip(&p.name, 16)), t.dim),
                Span::styled(format!("{:>8}", fmt::score(v)), t.text),
                Span::styled(rank, t.dim),
            ]));
        }
        lines
    }
}

impl Widget for PreviewView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let block = self.block();
        let inner = block.inner(area);
        block.render(area, buf);
        let image_rows = self.image_area(area).map_or(0, |r| r.height);
        let text = Rect { y: inner.y + image_rows, height: inner.height.saturating_sub(image_rows), ..inner };
        Paragraph::new(self.lines()).render(text, buf);
    }
}
