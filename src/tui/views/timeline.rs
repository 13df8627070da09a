//! Learning dynamics: the selected example's given-label probability per epoch in each tracked run
//! (runs that trained on it against runs that held it out), and the dataset's mean learning curve per
//! C-score bin, where low-C-score examples are learned last.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, LegendPosition, Paragraph, Widget};

use crate::tui::app::App;

/// Timeline pane.
pub struct TimelineView<'a>(pub &'a App);

fn chart<'a>(datasets: Vec<Dataset<'a>>, epochs: f64, app: &App, y_title: String) -> Chart<'a> {
    let t = &app.theme;
    Chart::new(datasets)
        .x_axis(
            Axis::default()
                .title(Span::styled("epoch", t.dim))
                .style(t.chart_axis)
                .bounds([1.0, epochs.max(2.0)])
                .labels(vec!["1".to_string(), format!("{}", epochs.max(2.0) as u32)]),
        )
        .y_axis(
            Axis::default()
                .title(Span::styled(y_title, t.dim))
                .style(t.chart_axis)
                .bounds([0.0, 1.0])
                .labels(vec!["0", "1"]),
        )
        .legend_position(Some(LegendPosition::BottomRight))
        .hidden_legend_constraints((Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)))
}

fn line<'a>(name: String, style: Style, data: &'a [(f64, f64)]) -> Dataset<'a> {
    Dataset::default().name(name).marker(Marker::Braille).graph_type(GraphType::Line).style(style).data(data)
}

impl Widget for TimelineView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = &app.theme;
        let block =
            Block::bordered().border_style(t.border).title(Span::styled(" learning dynamics ", t.title));
        let inner = block.inner(area);
        block.render(area, buf);
        let Some(dynamics) = app.dynamics.as_ref().filter(|d| !d.runs.is_empty()) else {
            let text =
                if app.dynamics.is_none() { "loading the tracked runs…" } else { "no tracked run yet" };
            Paragraph::new(Line::styled(text, t.dim)).render(inner, buf);
            return;
        };
        let epochs = dynamics.runs.iter().map(|r| r.given_prob.len()).max().unwrap_or(1) as f64;
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
        if let Some(i) = app.selected() {
            let curves = dynamics.example_curves(i);
            let trained = curves.iter().filter(|c| !c.0).count();
            let held = curves.len() - trained;
            let mut named = (false, false);
            let datasets = curves
                .iter()
                .map(|(held_out, _, pts)| {
                    let first = if *held_out {
                        !std::mem::replace(&mut named.1, true)
                    } else {
                        !std::mem::replace(&mut named.0, true)
                    };
                    let (name, style) = if *held_out {
                        (format!("held out ({held})"), t.chart_heldout)
                    } else {
                        (format!("trained on ({trained})"), t.chart_trained)
                    };
                    let d = line(String::new(), style, pts);
                    if first {
                        d.name(name)
                    } else {
                        d
                    }
                })
                .collect();
            chart(datasets, epochs, app, format!("#{i}: P(given label)")).render(top, buf);
        }
        let styles = t.curves();
        let datasets = app
            .bin_curves
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.points.is_empty())
            .map(|(b, c)| {
                line(format!("C {:.1}–{:.1} ({})", c.lo, c.hi, c.count), styles[b.min(4)], &c.points)
            })
            .collect();
        chart(datasets, epochs, app, "mean P, trained-on".into()).render(bottom, buf);
    }
}
