//! The help overlay, generated from the keymap table: every binding with its description.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use crate::tui::app::App;
use crate::tui::config::config_path;
use crate::tui::keymap::PROMPT_KEYS;

/// Help popup over the whole screen.
pub struct HelpOverlay<'a> {
    /// The app (keymap and theme).
    pub app: &'a App,
    /// Lines scrolled.
    pub scroll: u16,
}

/// The help text for a pane `width` columns wide: one line per binding (a long description goes on under
/// itself rather than being cut), grouped, then the prompt keys.
pub fn help_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    let mut group = "";
    let key_w = 26;
    for e in app.keymap.entries() {
        if e.binding.group != group {
            group = e.binding.group;
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(group.to_string(), t.header));
        }
        let keys: Vec<String> = e.keys.iter().map(ToString::to_string).collect();
        let keys = format!("  {:<key_w$}", keys.join(", "));
        binding_lines(&mut lines, keys, e.binding.desc, width, app);
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("In a prompt", t.header));
    for (k, d) in PROMPT_KEYS {
        binding_lines(&mut lines, format!("  {k:<key_w$}"), d, width, app);
    }
    lines.push(Line::raw(""));
    let cfg = config_path()
        .map_or_else(|| "(no config folder on this platform)".into(), |p| p.display().to_string());
    lines.push(Line::styled(format!("Keys and settings: {cfg}"), t.dim));
    lines
}

/// One binding: `keys`, then `desc` wrapped at word boundaries to the columns left of `width`, each
/// further line indented under the first.
fn binding_lines(lines: &mut Vec<Line<'static>>, keys: String, desc: &str, width: usize, app: &App) {
    let t = &app.theme;
    let indent = keys.chars().count();
    let room = width.saturating_sub(indent).max(16);
    let mut rows: Vec<String> = vec![String::new()];
    for word in desc.split(' ') {
        let last = rows.last_mut().map_or(0, |r| r.chars().count());
        if last > 0 && last + 1 + word.chars().count() > room {
            rows.push(String::new());
        }
        if let Some(r) = rows.last_mut() {
            if !r.is_empty() {
                r.push(' ');
            }
            r.push_str(word);
        }
    }
    for (k, row) in rows.into_iter().enumerate() {
        let lead = if k == 0 { keys.clone() } else { " ".repeat(indent) };
        lines.push(Line::from(vec![Span::styled(lead, t.help_key), Span::styled(row, t.text)]));
    }
}

impl Widget for HelpOverlay<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let t = &self.app.theme;
        let w = area.width.saturating_sub(4).min(90);
        let h = area.height.saturating_sub(2);
        let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
        Clear.render(popup, buf);
        let block = Block::bordered()
            .border_style(t.title)
            .title(Span::styled(" keys (j/k scroll, ? or Esc closes) ", t.title));
        let lines = help_lines(self.app, usize::from(w.saturating_sub(2)));
        let max = (lines.len() as u16).saturating_sub(h.saturating_sub(2));
        Paragraph::new(lines).block(block).scroll((self.scroll.min(max), 0)).render(popup, buf);
    }
}
