//! The first frame: drawn before the dataset and the workspace are loaded, so the explorer answers at
//! once; it says what is being opened and how far loading has got.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::layout::areas;
use crate::tui::theme::Theme;

/// The loading screen.
pub struct LoadingView<'a> {
    /// Styles.
    pub theme: &'a Theme,
    /// What is being opened (a path).
    pub what: &'a str,
    /// The step loading is at.
    pub stage: &'a str,
    /// Time since the explorer started.
    pub elapsed: Duration,
    /// The key that quits.
    pub quit_key: &'a str,
}

impl Widget for LoadingView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let t = self.theme;
        let a = areas(area);
        Line::from(vec![Span::styled(" cscore ", t.title), Span::styled(format!("  {}", self.what), t.dim)])
            .render(a.title, buf);
        let block = Block::bordered().border_style(t.border).title(Span::styled(" loading… ", t.title));
        let lines = vec![
            Line::styled(format!("opening {}", self.what), t.text),
            Line::styled(format!("{} … {:.1} s", self.stage, self.elapsed.as_secs_f64()), t.dim),
        ];
        Paragraph::new(lines).block(block).render(a.main, buf);
        buf.set_style(a.status, t.status);
        Line::from(vec![
            Span::styled(" loading ", t.status_accent),
            Span::styled(format!(" {}", self.what), t.status),
        ])
        .render(a.status, buf);
        Span::styled(format!("{} quits", self.quit_key), t.dim).render(a.bottom, buf);
    }
}
