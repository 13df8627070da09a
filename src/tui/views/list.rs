//! The ranked list: a virtualised table (only the rows on screen are formatted).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, StatefulWidget, Widget};

use super::columns::{Columns, INTERVAL};
use super::fmt;
use crate::tui::app::App;
use crate::tui::order::SortColumn;

/// Scroll position of the list (draw-time state).
#[derive(Debug, Clone, Copy, Default)]
pub struct ListScroll {
    /// First row on screen.
    pub offset: usize,
}

/// The ranked list of `App::order`.
pub struct ListView<'a>(pub &'a App);

impl StatefulWidget for ListView<'_> {
    type State = ListScroll;

    fn render(self, area: Rect, buf: &mut Buffer, state: &mut ListScroll) {
        let app = self.0;
        let t = &app.theme;
        let title =
            format!(" ranked list · {} of {} ", fmt::count(app.list.len()), fmt::count(app.data.len()));
        let block = Block::bordered().border_style(t.border).title(Span::styled(title, t.title));
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let cols = Columns::fit(app, inner.width as usize);
        Line::from(header(app, &cols)).style(t.header).render(Rect { height: 1, ..inner }, buf);
        let rows = inner.height.saturating_sub(1) as usize;
        if rows == 0 {
            return;
        }
        let order = app.list.order();
        if order.is_empty() {
            let msg =
                if app.list.filter.is_empty() { "no examples" } else { "no example matches the filter" };
            Span::styled(msg, t.dim).render(Rect { y: inner.y + 1, height: 1, ..inner }, buf);
            return;
        }
        let cursor = app.list.cursor();
        if cursor < state.offset {
            state.offset = cursor;
        } else if cursor >= state.offset + rows {
            state.offset = cursor + 1 - rows;
        }
        state.offset = state.offset.min(order.len().saturating_sub(rows));
        let visual = app.list.visual_range();
        for (k, pos) in (state.offset..order.len()).take(rows).enumerate() {
            let i = order[pos] as usize;
            let row_area = Rect { y: inner.y + 1 + k as u16, height: 1, ..inner };
            let base = if pos == cursor {
                t.selected
            } else if visual.is_some_and(|(a, b)| pos >= a && pos <= b) {
                t.visual
            } else {
                Style::default()
            };
            buf.set_style(row_area, base);
            let mut line = Line::from(row(app, i, &cols, pos == cursor, inner.width as usize));
            if base != Style::default() {
                line = line.patch_style(base);
            }
            line.render(row_area, buf);
        }
    }
}

fn header(app: &App, c: &Columns) -> Vec<Span<'static>> {
    let mark = |col: SortColumn, name: &str, width: usize, right: bool| {
        let arrow = if app.list.sort.column == col {
            if app.list.sort.descending {
                "▼"
            } else {
                "▲"
            }
        } else {
            ""
        };
        let text = format!("{name}{arrow}");
        Span::raw(if right { format!("{text:>width$} ") } else { format!("{text:<width$} ") })
    };
    let mut out = vec![
        Span::raw("  "),
        mark(SortColumn::Index, "index", c.index, true),
        mark(SortColumn::Label, "label", c.label, false),
        mark(SortColumn::CScore, "C", 5, true),
    ];
    if c.interval {
        out.push(Span::raw(format!("{:<INTERVAL$} ", "  interval")));
    }
    out.push(mark(SortColumn::Prediction, "held-out", c.pred, false));
    for (k, col) in c.scores.iter().enumerate() {
        let name = app.data.proxies.get(col.proxy).map_or("", |p| p.name.as_str());
        // the first is the chosen proxy, the one the list sorts by; its arrow needs a cell
        let name =
            fmt::clip(name, col.width - usize::from(k == 0 && app.list.sort.column == SortColumn::Proxy));
        if k == 0 {
            out.push(mark(SortColumn::Proxy, &name, col.width, true));
        } else {
            out.push(Span::raw(format!("{name:>w$} ", w = col.width)));
        }
    }
    out.push(mark(SortColumn::Tag, "tag", 3, false));
    out
}

/// A shorter tag name for a narrow tag column.
fn short(tag: &str) -> &str {
    match tag {
        "mislabeled" => "mislab",
        "ambiguous" => "ambig",
        "duplicate" => "dup",
        t => t,
    }
}

fn row(app: &App, i: usize, c: &Columns, selected: bool, width: usize) -> Vec<Span<'static>> {
    let t = &app.theme;
    let s = &app.scores;
    let label = app.data.dataset.labels.get(i).copied().unwrap_or(0);
    let cs = s.cscore.get(i).copied().unwrap_or(f32::NAN);
    let marker = if selected {
        "▶ "
    } else if app.data.injected.get(i).is_some_and(Option::is_some) {
        "* "
    } else {
        "  "
    };
    let mut out = vec![
        Span::styled(marker, t.dim),
        Span::styled(format!("{i:>w$} ", w = c.index), t.text),
        Span::styled(
            format!("{:<w$} ", fmt::clip(&app.data.class_name(label), c.label), w = c.label),
            t.text,
        ),
        Span::styled(format!("{:>5} ", fmt::score(cs)), t.score(cs)),
    ];
    if c.interval {
        let iv = if cs.is_nan() { String::new() } else { format!("[{:.2}, {:.2}]", s.low[i], s.high[i]) };
        out.push(Span::styled(format!("{iv:<INTERVAL$} "), t.dim));
    }
    let (pred, style) = match s.prediction(i) {
        Some(p) if p != label => (app.data.class_name(p), t.score_low),
        Some(p) => (app.data.class_name(p), t.dim),
        None => ("-".into(), t.dim),
    };
    out.push(Span::styled(format!("{:<w$} ", fmt::clip(&pred, c.pred), w = c.pred), style));
    for col in &c.scores {
        let proxy = app.data.proxies.get(col.proxy);
        let v = proxy.and_then(|p| p.scores.get(i).copied()).unwrap_or(f32::NAN);
        let small = proxy.is_some_and(|p| p.small_scale);
        out.push(Span::styled(format!("{:>w$} ", fmt::proxy(v, small), w = col.width), t.text));
    }
    if let Some(row) = app.tags.get(i) {
        let tag = row.tag.clone().unwrap_or_default();
        let relabel = row.relabel.map(|r| format!("→{}", app.data.class_name(r))).unwrap_or_default();
        let note = if row.note.is_some() { " ✎" } else { "" };
        let used: usize = out.iter().map(|s| s.content.chars().count()).sum();
        let room = width.saturating_sub(used);
        let full = format!("{tag}{relabel}{note}");
        let text =
            if full.chars().count() <= room { full } else { format!("{}{relabel}{note}", short(&tag)) };
        out.push(Span::styled(text, t.tag_style(&tag)));
    }
    out
}
