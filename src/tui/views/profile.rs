//! The consistency profile: the selected example's held-out accuracy at each subset ratio (the paper's
//! per-example curve) against the dataset's median profile.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
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
            Some(i) => format!(" consistency profile #{i} "),
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
        let points = |v: &[Option<f64>]| -> Vec<(f64, f64)> {
            ratios.iter().zip(v).filter_map(|(&r, a)| a.map(|a| (r, a))).collect()
        };
        let example = points(&profile);
        let median = points(&app.scores.median_profile);
        let table_rows = ratios.len() as u16 + 1;
        let with_table = inner.height >= table_rows + 8;
        let [chart_area, table_area] = if with_table {
            Layout::vertical([Constraint::Min(0), Constraint::Length(table_rows)]).areas(inner)
        } else {
            [inner, Rect::default()]
        };
        let datasets = vec![
            Dataset::default()
                .name("median")
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(t.chart_median)
                .data(&median),
            Dataset::default()
                .name(format!("#{i}"))
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(t.chart_example)
                .data(&example),
        ];
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
            .y_axis(
                Axis::default()
                    .title(Span::styled("held-out acc", t.dim))
                    .style(t.chart_axis)
                    .bounds([0.0, 1.0])
                    .labels(vec!["0", "0.5", "1"]),
            )
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
