//! The consistency profile: the selected example's held-out accuracy at each subset ratio (the paper's
//! per-example curve) against the dataset's median profile.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph, Widget};

use super::fmt;
use crate::tui::app::App;

/// Profile pane.
pub struct ProfileView<'a>(pub &'a App);

impl Widget for ProfileView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = &app.theme;
        let title = match app.selected() {
            Some(i) => format!(" consistency profile #{i} · held-out accuracy "),
            None => " consistency profile ".into(),
        };
        let block = Block::bordered().border_style(t.border).title(Span::styled(title, t.title));
        let inner = block.inner(area);
        block.render(area, buf);
        let (Some(i), Some(plan)) = (app.selected(), app.est.plan.as_ref()) else {
            Paragraph::new(Line::styled("no plan yet: nothing estimated", t.dim)).render(inner, buf);
            return;
        };
        let profile = app.est.agg.profile(i);
        let ratios = &plan.ratios;
        // A line only joins neighbouring ratios that both have a value: a ratio never held out is a gap,
        // not a straight line across it.
        let segments = |v: &[Option<f64>]| -> Vec<Vec<(f64, f64)>> {
            let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (&r, a) in ratios.iter().zip(v) {
                match (a, out.last_mut()) {
                    (Some(a), Some(seg)) => seg.push((r, *a)),
                    (None, Some(seg)) if !seg.is_empty() => out.push(Vec::new()),
                    _ => {}
                }
            }
            out.retain(|s| !s.is_empty());
            out
        };
        let example = segments(&profile);
        let median = segments(&app.scores.median_profile);
        let table_rows = ratios.len() as u16 + 1;
        let with_table = inner.height >= table_rows + 8;
        let [chart_area, table_area] = if with_table {
            Layout::vertical([Constraint::Min(0), Constraint::Length(table_rows)]).areas(inner)
        } else {
            [inner, Rect::default()]
        };
        let mut datasets = series(&median, "median".into(), t.chart_median);
        datasets.extend(series(&example, format!("#{i}"), t.chart_example));
        let lo = ratios.iter().copied().fold(1.0, f64::min).min(0.1);
        let hi = ratios.iter().copied().fold(0.0, f64::max).max(0.9);
        Chart::new(datasets)
            .x_axis(
                Axis::default()
                    .title(Span::styled("subset ratio", t.dim))
                    .style(t.chart_axis)
                    .bounds([lo, hi])
                    .labels(vec![format!("{lo:.1}"), format!("{hi:.1}")]),
            )
            .y_axis(Axis::default().style(t.chart_axis).bounds([0.0, 1.0]).labels(vec!["0", "0.5", "1"]))
            .render(chart_area, buf);
        if with_table {
            let mut lines = vec![Line::styled(
                format!("{:>6} {:>8} {:>8}", "ratio", format!("#{i}"), "median"),
                t.header,
            )];
            for (&ratio, (a, m)) in ratios.iter().zip(profile.iter().zip(&app.scores.median_profile)) {
                lines.push(Line::from(vec![
                    Span::styled(format!("{ratio:>6.2} "), t.dim),
                    Span::styled(format!("{:>8} ", fmt::stat(*a)), t.chart_example),
                    Span::styled(format!("{:>8}", fmt::stat(*m)), t.chart_median),
                ]));
            }
            Paragraph::new(lines).render(table_area, buf);
        }
    }
}

/// One series as datasets, a piece per run of neighbouring ratios with values: a lone value is a dot,
/// and only the first piece is named, so the legend lists the series once.
fn series(segs: &[Vec<(f64, f64)>], name: String, style: Style) -> Vec<Dataset<'_>> {
    segs.iter()
        .enumerate()
        .map(|(k, seg)| {
            let kind = if seg.len() == 1 { GraphType::Scatter } else { GraphType::Line };
            let d = Dataset::default().marker(Marker::Braille).graph_type(kind).style(style).data(seg);
            if k == 0 {
                d.name(name.clone())
            } else {
                d
            }
        })
        .collect()
}
