//! Proxy comparison: Spearman ρ and Kendall τ of each proxy against the C-score (AUROC and AP where
//! injected ground truth exists), a scatter plot of C-score against the chosen proxy with the selected
//! example highlighted, and the examples on which they disagree most.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph, Widget};

use super::fmt;
use crate::proxy::compare::CSCORE;
use crate::proxy::Comparison;
use crate::tui::app::App;

/// Most points drawn in the scatter plot (a regular subsample beyond).
const MAX_POINTS: usize = 20_000;

/// Compare view.
pub struct CompareView<'a>(pub &'a App);

impl Widget for CompareView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = &app.theme;
        if app.data.proxies.is_empty() {
            let block =
                Block::bordered().border_style(t.border).title(Span::styled(" proxy comparison ", t.title));
            let inner = block.inner(area);
            block.render(area, buf);
            Paragraph::new(Line::styled("no proxy or reference scores in this workspace yet", t.dim))
                .render(inner, buf);
            return;
        }
        let [left, right] = if area.width >= 70 {
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
        } else {
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area)
        };
        let block =
            Block::bordered().border_style(t.border).title(Span::styled(" against the C-score ", t.title));
        let inner = block.inner(left);
        block.render(left, buf);
        match &app.comparison {
            Some(c) => Paragraph::new(table(app, c, usize::from(inner.width))).render(inner, buf),
            None => Paragraph::new(Line::styled("comparing…", t.dim)).render(inner, buf),
        }
        scatter(app, right, buf);
    }
}

/// The table for a pane `width` columns wide: the names give way (down to 10 columns) so that every
/// number shows whole.
fn table(app: &App, c: &Comparison, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let truth = !c.detection.is_empty();
    let stats = if truth { 4 * 7 } else { 2 * 7 };
    let nw = width.saturating_sub(stats).clamp(10, 18);
    let mut head = format!("{:<nw$} {:>6} {:>6}", "score", "ρ", "τ");
    if truth {
        head.push_str(&format!(" {:>6} {:>6}", "AUROC", "AP"));
    }
    let mut lines = vec![Line::styled(head, t.header)];
    let names = std::iter::once(CSCORE.to_string()).chain(app.data.proxies.iter().map(|p| p.name.clone()));
    for name in names {
        let corr =
            c.correlations.iter().find(|k| (k.a == CSCORE && k.b == name) || (k.b == CSCORE && k.a == name));
        let (rho, tau) = if name == CSCORE {
            ("".into(), "".into())
        } else {
            (fmt::stat(corr.and_then(|k| k.spearman)), fmt::stat(corr.and_then(|k| k.kendall)))
        };
        let mut text = format!("{:<nw$} {rho:>6} {tau:>6}", fmt::clip(&name, nw));
        if truth {
            let d = c.detection.iter().find(|d| d.name == name);
            text.push_str(&format!(
                " {:>6} {:>6}",
                fmt::stat(d.and_then(|d| d.auroc)),
                fmt::stat(d.and_then(|d| d.average_precision))
            ));
        }
        let chosen = app.chosen_proxy().is_some_and(|p| p.name == name);
        lines.push(Line::styled(text, if chosen { t.chart_example } else { t.text }));
    }
    let Some(p) = app.chosen_proxy() else { return lines };
    let Some(d) = c.disagreements.iter().find(|d| d.proxy == p.name) else { return lines };
    lines.push(Line::raw(""));
    // Sorted by the gap between tie-aware ranks (see `compare::disagreement`): the view says so.
    lines.push(Line::styled(format!("disagreement with {} (rank gap; ties never count)", p.name), t.header));
    lines.push(Line::styled(
        format!("{:>7} {:<8} {:>6} {:>6} {:>6}", "index", "label", "C", "p.rank", "gap"),
        t.dim,
    ));
    if d.examples.is_empty() {
        lines.push(Line::styled("  none: the orders agree wherever ties allow", t.dim));
    }
    for e in &d.examples {
        let label =
            app.data.dataset.labels.get(e.index).map_or_else(String::new, |&l| app.data.class_name(l));
        let cs = app.scores.cscore.get(e.index).copied().unwrap_or(f32::NAN);
        lines.push(Line::from(vec![
            Span::styled(format!("{:>7} {:<8} ", e.index, fmt::clip(&label, 8)), t.text),
            Span::styled(format!("{:>6} ", fmt::score(cs)), t.score(cs)),
            Span::styled(format!("{:>6.3} {:>6.3}", e.proxy_rank, e.gap), t.text),
        ]));
    }
    lines
}

fn scatter(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let Some(p) = app.chosen_proxy() else { return };
    let both: Vec<usize> = (0..app.data.len())
        .filter(|&i| !app.scores.cscore[i].is_nan() && p.scores.get(i).is_some_and(|v| v.is_finite()))
        .collect();
    let stride = both.len().div_ceil(MAX_POINTS).max(1);
    let pts: Vec<(f64, f64)> = both
        .iter()
        .step_by(stride)
        .map(|&i| (f64::from(app.scores.cscore[i]), f64::from(p.scores[i])))
        .collect();
    let (lo, hi) =
        pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &(_, y)| (a.min(y), b.max(y)));
    let (lo, hi) = if lo.is_finite() && hi > lo { (lo, hi) } else { (0.0, 1.0) };
    let sel: Vec<(f64, f64)> = app
        .selected()
        .filter(|i| both.binary_search(i).is_ok())
        .map(|i| (f64::from(app.scores.cscore[i]), f64::from(p.scores[i])))
        .into_iter()
        .collect();
    let title = format!(" C-score vs {} ({} examples) ", p.name, fmt::count(both.len()));
    let block = Block::bordered().border_style(t.border).title(Span::styled(title, t.title));
    let datasets = vec![
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Scatter)
            .style(t.chart_median)
            .data(&pts),
        Dataset::default()
            .marker(Marker::Block)
            .graph_type(GraphType::Scatter)
            .style(t.chart_example)
            .data(&sel),
    ];
    Chart::new(datasets)
        .block(block)
        .x_axis(
            Axis::default()
                .title(Span::styled("C-score", t.dim))
                .style(t.chart_axis)
                .bounds([0.0, 1.0])
                .labels(vec!["0", "1"]),
        )
        .y_axis(
            Axis::default()
                .title(Span::styled(p.name.clone(), t.dim))
                .style(t.chart_axis)
                .bounds([lo, hi])
                .labels(vec![format!("{lo:.2}"), format!("{hi:.2}")]),
        )
        .render(area, buf);
}
