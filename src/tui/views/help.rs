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

/// The help text: one line per binding, grouped, then the prompt keys.
pub fn help_lines(app: &App) -> Vec<Line<'static>> {
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
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<key_w$}", keys.join(", ")), t.help_key),
            Span::styled(e.binding.desc.to_string(), t.text),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("In a prompt", t.header));
    for (k, d) in PROMPT_KEYS {
        lines.push(Line::from(vec![
            Span::styled(format!("  {k:<key_w$}"), t.help_key),
            Span::styled(d.to_string(), t.text),
        ]));
    }
    lines.push(Line::raw(""));
    let cfg = config_path()
        .map_or_else(|| "(no config folder on this platform)".into(), |p| p.display().to_string());
    lines.push(Line::styled(format!("Keys and settings: {cfg}"), t.dim));
    lines
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
        let lines = help_lines(self.app);
        let max = (lines.len() as u16).saturating_sub(h.saturating_sub(2));
        Paragraph::new(lines).block(block).scroll((self.scroll.min(max), 0)).render(popup, buf);
    }
}
