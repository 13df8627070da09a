//! The class summary (view 6): a table with one row per class (and one for all), like VisiData's
//! frequency sheet, and beside it the C-score histogram of the selected row.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::fmt;
use crate::tui::app::App;
use crate::tui::classes::{ClassRow, HISTOGRAM_BINS};

/// Width of the table (borders included); the histogram takes the rest, or goes below it when that would
/// leave it narrower than [`HIST_MIN_W`].
const TABLE_W: u16 = 62;
/// Narrowest histogram beside the table.
const HIST_MIN_W: u16 = 36;

/// Class summary view.
pub struct ClassesView<'a>(pub &'a App);

impl Widget for ClassesView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let rows = app.class_rows();
        let cursor = app.class_cursor.min(rows.len().saturating_sub(1));
        let [table, hist] = if area.width >= TABLE_W + HIST_MIN_W {
            Layout::horizontal([Constraint::Length(TABLE_W), Constraint::Min(0)]).areas(area)
        } else {
            let table_h = (rows.len() as u16 + 3).min(area.height / 2);
            Layout::vertical([Constraint::Length(table_h), Constraint::Min(0)]).areas(area)
        };
        render_table(app, &rows, cursor, table, buf);
        if let Some(row) = rows.get(cursor) {
            render_histogram(app, row, hist, buf);
        }
    }
}

/// Columns before the last: class 10, n 6, mean, median and <0.5 5 each, injected and tagged 4 each, and
/// the spaces between.
const FIXED: usize = 10 + 1 + 6 + 1 + 5 + 1 + 5 + 1 + 5 + 1 + 4 + 1 + 4 + 1;

/// `7 (seven)` clipped to `w`, or `all`.
fn class_label(app: &App, class: Option<u32>, w: usize) -> String {
    match class {
        None => "all".into(),
        Some(c) => {
            let name = app.data.class_name(c);
            let text = if name == c.to_string() { name } else { format!("{c} {name}") };
            fmt::clip(&text, w)
        }
    }
}

fn render_table(app: &App, rows: &[ClassRow], cursor: usize, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let block = Block::bordered()
        .border_style(t.border)
        .title(Span::styled(" classes: Enter filters the list to one ", t.title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 || inner.width < 8 {
        return;
    }
    // The last column, the most frequent wrong prediction, takes the rest of the row.
    let wrong_w = usize::from(inner.width).saturating_sub(FIXED).max(11);
    let head = format!(
        "{:<10} {:>6} {:>5} {:>5} {:>5} {:>4} {:>4} {:<wrong_w$}",
        "class", "n", "mean", "med", "<0.5", "inj", "tag", "wrong→"
    );
    let mut lines = vec![Line::styled(head, t.header)];
    let visible = usize::from(inner.height - 1).max(1);
    let first = cursor.saturating_sub(visible - 1);
    for (r, row) in rows.iter().enumerate().skip(first).take(visible) {
        let confusion = row.confusion.map_or_else(
            || "-".into(),
            |(p, n)| {
                let n = fmt::count(n);
                format!(
                    "{} ×{n}",
                    class_label(app, Some(p), wrong_w.saturating_sub(2 + n.chars().count()).max(5))
                )
            },
        );
        let mean = row.mean.map_or(f32::NAN, |m| m as f32);
        let style = if r == cursor { t.selected } else { t.text };
        let cells = vec![
            Span::styled(
                format!("{:<10} {:>6} ", class_label(app, row.class, 10), fmt::count(row.count)),
                style,
            ),
            Span::styled(format!("{:>5}", short(row.mean)), if r == cursor { style } else { t.score(mean) }),
            Span::styled(
                format!(
                    " {:>5} {:>5} {:>4} {:>4} {:<wrong_w$}",
                    short(row.median),
                    fmt::count(row.below_half),
                    fmt::count(row.injected),
                    fmt::count(row.tagged),
                    fmt::clip(&confusion, wrong_w)
                ),
                style,
            ),
        ];
        lines.push(Line::from(cells));
    }
    Paragraph::new(lines).render(inner, buf);
}

/// A statistic in 5 characters (`0.912`, `-`).
fn short(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.3}"))
}

fn render_histogram(app: &App, row: &ClassRow, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let what = match row.class {
        None => "all classes".to_string(),
        Some(c) => format!("class {}", class_label(app, Some(c), 16)),
    };
    let title = format!(" C-scores of {what} ({} estimated) ", fmt::count(row.estimated));
    let block = Block::bordered().border_style(t.border).title(Span::styled(title, t.title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 12 {
        return;
    }
    if row.estimated == 0 {
        Paragraph::new(Line::styled("no C-scores yet", t.dim)).render(inner, buf);
        return;
    }
    // Highest bin on top; with fewer lines than bins, neighbouring bins share a line.
    let per_line = HISTOGRAM_BINS.div_ceil(usize::from(inner.height));
    let merged: Vec<usize> = row.histogram.chunks(per_line).map(|c| c.iter().sum()).collect();
    let most = merged.iter().copied().max().unwrap_or(0).max(1);
    let count_w = fmt::count(most).len();
    let bar_w = usize::from(inner.width).saturating_sub(5 + 1 + count_w + 1).max(1);
    let lines: Vec<Line> = (0..merged.len())
        .rev()
        .map(|b| {
            let n = merged[b];
            let len = (n * bar_w).div_ceil(most);
            let lo = (b * per_line) as f32 / HISTOGRAM_BINS as f32;
            Line::from(vec![
                Span::styled(format!("{lo:>4.1}+ "), t.dim),
                Span::styled("█".repeat(len), t.score(lo + 0.05)),
                Span::styled(format!("{}{:>count_w$}", " ".repeat(bar_w - len + 1), fmt::count(n)), t.text),
            ])
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}
