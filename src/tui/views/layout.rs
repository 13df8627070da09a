//! Screen geometry, shared by the views and by `App` (page size, gallery capacity, preview pages). A leaf:
//! it takes sizes and counts, never the app.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

use crate::tui::app_types::View;

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

/// Fewest rows worth giving to the preview image.
const MIN_IMAGE_ROWS: u16 = 4;

/// The preview pane of view 1 at a terminal size (none when the terminal is too narrow for a side pane).
pub fn preview_pane(size: (u16, u16)) -> Option<Rect> {
    let main = areas(Rect::new(0, 0, size.0, size.1)).main;
    let (_, side) = split_main(main, View::List);
    (side.width > 0 && side.height > 0).then(|| if roomy(side) { stack3(side)[0] } else { side })
}

/// What the preview shows: its text lines, the image's height in pixels, whether an example is selected.
#[derive(Debug, Clone, Copy)]
pub struct PreviewContent {
    /// Lines of text.
    pub text_lines: usize,
    /// Height of the example's image in pixels.
    pub image_height: usize,
    /// Whether an example is selected (else there is no image).
    pub selected: bool,
}

impl PreviewContent {
    /// Rows of the image on page 0 inside the pane's `inner` area (0 when there is no room for one).
    pub fn image_rows(&self, inner: Rect) -> u16 {
        let text = self.text_lines as u16;
        let natural = (self.image_height as u16).div_ceil(2).max(1);
        // The image grows to half the pane while the text still fits below it; when the text does not
        // fit, it keeps its natural size and the text continues on the next pages.
        let room = inner.height.saturating_sub(text);
        let rows = if room >= natural { natural.max(inner.height / 2).min(room) } else { natural };
        let rows = rows.min(inner.height.saturating_sub(text.min(3)));
        if rows >= MIN_IMAGE_ROWS && inner.width >= 4 && self.selected {
            rows
        } else {
            0
        }
    }

    /// How the text splits into pages inside the pane's `inner` area.
    pub fn pages(&self, inner: Rect) -> PreviewPages {
        PreviewPages::new(self.text_lines, inner.height, self.image_rows(inner))
    }
}

/// Pages of the preview in view 1 at a terminal size (0 when the terminal has no preview pane).
pub fn preview_pages(size: (u16, u16), content: PreviewContent) -> usize {
    preview_pane(size).map_or(0, |pane| content.pages(Block::bordered().inner(pane)).total)
}

/// How the preview's text splits into pages in a pane of `height` rows.
#[derive(Debug, Clone, Copy)]
pub struct PreviewPages {
    /// Rows of the image on page 0 (0: no image; every page is text).
    pub image_rows: u16,
    /// Text lines on each text page (the last row of the pane says which page it is).
    pub per_page: usize,
    /// Number of pages (at least 1).
    pub total: usize,
}

impl PreviewPages {
    /// Pages of `lines` text lines in `height` rows with an image of `image_rows` on page 0.
    pub fn new(lines: usize, height: u16, image_rows: u16) -> PreviewPages {
        let first = usize::from(height.saturating_sub(image_rows));
        let per_page = usize::from(height.saturating_sub(1)).max(1);
        let text_pages = lines.div_ceil(per_page);
        let total = match (image_rows, lines <= first) {
            (_, true) => 1,
            (0, false) => text_pages,
            (_, false) => 1 + text_pages,
        };
        PreviewPages { image_rows, per_page, total: total.max(1) }
    }

    /// `page`, within the pages there are.
    pub fn clamp(&self, page: usize) -> usize {
        page.min(self.total - 1)
    }

    /// The first text line of `page` (page 0 with an image starts at line 0 below it).
    pub fn start(&self, page: usize) -> usize {
        match (self.image_rows, page) {
            (_, 0) => 0,
            (0, p) => p * self.per_page,
            (_, p) => (p - 1) * self.per_page,
        }
    }
}
