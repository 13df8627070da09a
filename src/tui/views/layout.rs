//! Screen layout, shared by the views and by `App` (page size, gallery capacity).

use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::app::View;

/// The screen's bands.
pub struct Areas {
    /// Title and tabs (top line).
    pub title: Rect,
    /// The view.
    pub main: Rect,
    /// Training status.
    pub status: Rect,
    /// Prompt, message or tag summary (last line).
    pub bottom: Rect,
}

/// Splits the screen into its bands (any size, 0×0 included).
pub fn areas(area: Rect) -> Areas {
    let [title, main, status, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas { title, main, status, bottom }
}

/// List on the left, the side pane on the right (none when too narrow).
pub fn split_main(main: Rect, view: View) -> (Rect, Rect) {
    if main.width < 56 {
        return (main, Rect::new(main.x + main.width, main.y, 0, main.height));
    }
    let side = match view {
        View::List => (main.width * 2 / 5).clamp(30, 90),
        _ => (main.width * 11 / 20).clamp(30, 110),
    };
    let [list, side] = Layout::horizontal([Constraint::Min(0), Constraint::Length(side)]).areas(main);
    (list, side)
}

/// Whether the side pane has room for preview, profile and timeline at once.
pub fn roomy(side: Rect) -> bool {
    side.width >= 60 && side.height >= 36
}

/// Preview (half), profile and timeline (a quarter each).
pub fn stack3(side: Rect) -> [Rect; 3] {
    Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(25), Constraint::Percentage(25)])
        .areas(side)
}

/// Rows of examples the list shows at a terminal size (its page size).
pub fn list_rows(size: (u16, u16)) -> usize {
    let a = areas(Rect::new(0, 0, size.0, size.1));
    // borders (2) and the header line
    a.main.height.saturating_sub(3) as usize
}
