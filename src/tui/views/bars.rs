//! The title bar (views, sort, range selection), the status bar (the active filter as the expression
//! `cscore export --filter` takes, training) and the bottom line (prompt, message, tag summary).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::fmt;
use crate::tui::app::{App, Mode, View};
use crate::tui::command::Command;
use crate::tui::estimate_state::Training;
use crate::tui::order::SortColumn;

/// Top line.
pub struct TitleBar<'a>(pub &'a App);

impl Widget for TitleBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = &app.theme;
        let mut spans = vec![Span::styled(" cscore ", t.title)];
        // Narrow terminals name only the current view, so that the sort stays in sight.
        let names = area.width >= 100;
        for (k, v) in View::ALL.iter().enumerate() {
            let (style, text) = if *v == app.view {
                (t.selected, format!(" {} {} ", k + 1, v.title()))
            } else if names {
                (t.dim, format!(" {} {} ", k + 1, v.title()))
            } else {
                (t.dim, format!(" {} ", k + 1))
            };
            spans.push(Span::styled(text, style));
        }
        let arrow = if app.list.sort.descending { "▼" } else { "▲" };
        // The proxy by its name; the held-out evaluations (no column of their own) as the preview says them.
        let sorted_by = match app.list.sort.column {
            SortColumn::Proxy => app.chosen_proxy().map_or("proxy", |p| p.name.as_str()),
            SortColumn::Evals => "held-out evals",
            other => other.name(),
        };
        spans.push(Span::styled(format!("  sort {sorted_by} {arrow}"), t.text));
        if let Some((a, b)) = app.list.visual_range() {
            let n = b - a + 1;
            spans.push(Span::styled(format!("  VISUAL {n}"), t.visual));
        }
        if app.bulk_armed {
            spans.push(Span::styled(format!("  NEXT TAG → ALL {}", fmt::count(app.list.len())), t.error));
        }
        Line::from(spans).render(area, buf);
    }
}

/// The active filter expression and training progress.
pub struct StatusBar<'a>(pub &'a App);

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = &app.theme;
        let e = &app.est;
        buf.set_style(area, t.status);
        let (state, style) = match &e.training {
            Training::Running { .. } => ("training", t.status_accent),
            Training::Following => ("watching", t.status),
            Training::Finished { remaining: 0 } => ("complete", t.status),
            Training::Finished { .. } => ("stopped", t.status),
            Training::Failed(_) => ("FAILED", t.error),
        };
        let mut parts = vec![match e.shard {
            Some((s, _)) => format!("shard {} of {}: runs {}/{}", s.index, s.count, e.done(), e.total()),
            None => format!("runs {}/{}", e.done(), e.total()),
        }];
        let models = e.agg.holdout_accuracy();
        if let Some(m) = models.mean {
            // Whether the models learned at all: a C-score from models at chance says nothing.
            parts.push(if area.width >= 190 {
                format!("model acc {}", models.describe(true))
            } else {
                format!("model acc {m:.3}")
            });
        }
        if let Some(plan) = &e.plan {
            let per_ratio: Vec<String> =
                plan.ratios.iter().zip(&e.done_per_ratio).map(|(r, d)| format!("{r}:{d}")).collect();
            // A shard holds its share of each ratio's runs, not `plan.runs`: no "of N" that looks unfinished.
            let of = if e.shard.is_some() { String::new() } else { format!(" of {}", plan.runs) };
            let full = format!("per ratio {}{of}", per_ratio.join(" "));
            let lo = e.done_per_ratio.iter().min().copied().unwrap_or(0);
            let hi = e.done_per_ratio.iter().max().copied().unwrap_or(0);
            let of = if e.shard.is_some() { String::new() } else { format!("/{}", plan.runs) };
            parts.push(if area.width >= 150 { full } else { format!("{lo}–{hi}{of} per ratio") });
        }
        if e.failed > 0 {
            parts.push(format!("{} failed", e.failed));
        }
        if let Some(rate) = e.models_per_hour() {
            parts.push(format!("{rate:.0} models/h"));
            // Only while runs are coming: after a failure or a stop no ETA holds.
            let coming = matches!(e.training, Training::Running { .. } | Training::Following);
            if coming && e.done() < e.total() {
                parts.push(format!("ETA {}", e.eta_seconds().map_or("-".into(), fmt::duration)));
            }
        }
        if let Training::Running { device } = &e.training {
            parts.push(device.clone());
        }
        parts.push(app.data.workspace_path.display().to_string());
        let mut spans = vec![Span::styled(format!(" {state} "), style)];
        if app.saving > 0 {
            // label writes not committed yet (another writer may hold the workspace's lock)
            spans.push(Span::styled(" saving… ", t.status_accent));
        }
        if let Some(expr) = app.list.filter.expression() {
            spans.push(Span::styled(format!(" filter: {expr} ·"), t.status_accent));
        }
        spans.push(Span::styled(format!(" {}", parts.join(" · ")), t.status));
        let line = Line::from(spans);
        line.render(area, buf);
    }
}

/// Last line: the prompt, else the message, else the tag summary and key hints.
pub struct BottomLine<'a>(pub &'a App);

impl Widget for BottomLine<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = &app.theme;
        if let Mode::Prompt(p) = &app.mode {
            let mut spans = vec![
                Span::styled(format!("{}: ", p.label), t.prompt),
                Span::styled(p.text.clone(), t.text),
                Span::styled("█", t.dim),
                Span::styled(format!("   {}", p.hint), t.dim),
            ];
            if let Some(m) = app.message.as_ref().filter(|m| m.error) {
                spans.push(Span::styled(format!("   {}", m.text), t.error));
            }
            Line::from(spans).render(area, buf);
            return;
        }
        if let Some(m) = &app.message {
            if overflows(&m.text, area) {
                Span::styled("↑ the message above (any key dismisses it)", t.dim).render(area, buf);
            } else {
                Span::styled(m.text.clone(), if m.error { t.error } else { t.message }).render(area, buf);
            }
            return;
        }
        let counts = app.tags.counts();
        let session = app.tags.session_counts();
        let summary = |c: &std::collections::BTreeMap<String, usize>| {
            c.iter().map(|(k, v)| format!("{v} {k}")).collect::<Vec<_>>().join(", ")
        };
        let mut spans = vec![];
        if counts.is_empty() {
            spans.push(Span::styled("no tags yet", t.dim));
        } else {
            spans.push(Span::styled(format!("tags: {}", summary(&counts)), t.tag));
        }
        if !session.is_empty() {
            spans.push(Span::styled(format!("  (this session: {})", summary(&session)), t.dim));
        }
        let km = &app.keymap;
        let hints = format!(
            "   {} help · {} tag mislabeled · {} ok · {} quit",
            km.key_hint(Command::Help),
            km.key_hint(Command::TagMislabeled),
            km.key_hint(Command::TagOk),
            km.key_hint(Command::Quit)
        );
        spans.push(Span::styled(hints, t.dim));
        Line::from(spans).render(area, buf);
    }
}

/// Whether `text` is wider than the line `area` gives it.
fn overflows(text: &str, area: Rect) -> bool {
    Span::raw(text).width() > usize::from(area.width)
}

/// A message too long for the last line, whole and wrapped over the bottom of the view above the status
/// bar (a failure's advice sits at its end), until the next key clears it. `main` is the view's area,
/// `bottom` the last line's.
pub struct MessageOverlay<'a> {
    /// The app, whose message it shows.
    pub app: &'a App,
    /// The last line's area, by whose width the message overflows.
    pub bottom: Rect,
}

impl Widget for MessageOverlay<'_> {
    fn render(self, main: Rect, buf: &mut Buffer) {
        let app = self.app;
        let Some(m) = app.message.as_ref().filter(|m| overflows(&m.text, self.bottom)) else { return };
        if matches!(app.mode, Mode::Prompt(_)) || main.width < 3 || main.height < 3 {
            return;
        }
        let inner = usize::from(main.width - 2);
        let lines = Span::raw(m.text.as_str()).width().div_ceil(inner) + 1;
        let height = (lines as u16 + 2).min(main.height);
        let area = Rect::new(main.x, main.y + main.height - height, main.width, height);
        let style = if m.error { app.theme.error } else { app.theme.message };
        ratatui::widgets::Clear.render(area, buf);
        ratatui::widgets::Paragraph::new(m.text.clone())
            .style(style)
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(ratatui::widgets::Block::bordered().border_style(app.theme.dim))
            .render(area, buf);
    }
}
