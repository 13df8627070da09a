//! The gallery: for each class, thumbnails of its lowest and its highest C-score examples side by side.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::fmt;
use super::image::{PixelImage, PixelMode};
use super::layout::areas;
use crate::tui::app::App;
use crate::tui::config::ImageMode;
use crate::tui::gallery::PER_SIDE_MAX;

/// Width of the class column.
const LABEL_W: u16 = 10;
/// Width of the gap between the lowest and the highest thumbnails.
const GAP_W: u16 = 3;

/// Smallest thumbnail height in cells (8 pixel rows); below it the class rows scroll instead.
const MIN_ROWS: u16 = 4;
/// Thumbnails per side worth shrinking for.
const MIN_PER_SIDE: usize = 4;

/// Thumbnail rows, thumbnail columns and thumbnails per side (at most [`PER_SIDE_MAX`], the most a gallery
/// row holds) for a main area of `w`×`h` cells and `classes` class rows: the tallest thumbnails (up to
/// the image's own size) that show every class at once, at least [`MIN_ROWS`] tall, smaller still while
/// fewer than [`MIN_PER_SIDE`] fit on a side.
fn geometry(w: u16, h: u16, img_w: usize, img_h: usize, classes: usize) -> (u16, u16, usize) {
    let inner_h = h.saturating_sub(3); // borders and the header line
    let native = (img_h as u16).div_ceil(2).max(2);
    let classes = u16::try_from(classes.max(1)).unwrap_or(u16::MAX);
    // a class row is its thumbnails and their caption line
    let mut rows = (inner_h / classes).saturating_sub(1).clamp(MIN_ROWS.min(native), native);
    loop {
        let cols = ((img_w as f64 * f64::from(rows) * 2.0 / img_h.max(1) as f64).round() as u16).max(2);
        let avail = w.saturating_sub(2 + LABEL_W + GAP_W);
        let k = usize::from(avail / (cols + 1)) / 2;
        if k >= MIN_PER_SIDE || rows <= MIN_ROWS.min(native) {
            return (rows, cols, k.min(PER_SIDE_MAX));
        }
        rows -= 1;
    }
}

/// Thumbnails per side the gallery shows at a terminal size for `classes` class rows: the app's cursor
/// and the view both use it.
pub fn per_side(size: (u16, u16), img_w: usize, img_h: usize, classes: usize) -> usize {
    let main = areas(Rect::new(0, 0, size.0, size.1)).main;
    geometry(main.width, main.height, img_w, img_h, classes).2
}

/// "index score" in `width` cells: the score with 3 decimals, else 2, else 1, else clipped.
fn caption(index: u32, cscore: f32, width: usize) -> String {
    let text = |s: String| format!("{index} {}", s.trim_start_matches('0'));
    if cscore.is_nan() {
        return fmt::clip(&text(fmt::score(cscore)), width);
    }
    let mut shortest = String::new();
    for decimals in [3, 2, 1] {
        shortest = text(format!("{cscore:.decimals$}"));
        if shortest.chars().count() <= width {
            return shortest;
        }
    }
    fmt::clip(&shortest, width)
}

/// Gallery view.
pub struct GalleryView<'a>(pub &'a App);

impl Widget for GalleryView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let t = &app.theme;
        let g = &app.gallery;
        let ds = &app.data.dataset;
        let (rows, cols, k) = geometry(area.width, area.height, ds.width, ds.height, g.rows.len());
        let band = rows + 1;
        let visible = (area.height.saturating_sub(3) / band).max(1) as usize;
        let first = g.row.saturating_sub(visible - 1);
        let mut title = " gallery: lowest and highest C-scores per class ".to_string();
        if visible < g.rows.len() {
            let last = (first + visible).min(g.rows.len());
            title = format!("{title}· classes {}–{last} of {} ", first + 1, g.rows.len());
        }
        let block = Block::bordered().border_style(t.border).title(Span::styled(title, t.title));
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height < 2 || inner.width < 4 {
            return;
        }
        if g.rows.is_empty() {
            Paragraph::new(Line::styled("no C-scores yet", t.dim)).render(inner, buf);
            return;
        }
        let k = k.max(1);
        let side_w = (cols + 1) * k as u16;
        let head = format!(
            "{:<w$}{:<s$}{}{}",
            "class",
            "lowest →",
            " ".repeat(GAP_W as usize),
            "highest →",
            w = LABEL_W as usize,
            s = side_w as usize
        );
        let head = match &app.images_missing {
            Some(why) => format!("{head}   ({why})"),
            None => head,
        };
        Line::styled(head, t.header).render(Rect { height: 1, ..inner }, buf);
        let mode = if app.images == ImageMode::Shade { PixelMode::Shade } else { PixelMode::Blocks };
        for (slot_row, row) in g.rows.iter().enumerate().skip(first).take(visible) {
            let y = inner.y + 1 + (slot_row - first) as u16 * band;
            if y + band > inner.y + inner.height + 1 {
                break;
            }
            let name = fmt::clip(&app.data.class_name(row.class), LABEL_W as usize - 1);
            let style = if slot_row == g.row { t.header } else { t.text };
            Span::styled(name, style).render(Rect::new(inner.x, y, LABEL_W, 1), buf);
            let sides = [(&row.lowest, 0u16), (&row.highest, side_w + GAP_W)];
            for (side, (examples, dx)) in sides.into_iter().enumerate() {
                for (j, &i) in examples.iter().take(k).enumerate() {
                    let x = inner.x + LABEL_W + dx + j as u16 * (cols + 1);
                    if x + cols > inner.x + inner.width {
                        break;
                    }
                    let thumb = Rect::new(x, y, cols, rows).intersection(inner);
                    PixelImage { dataset: ds, index: i as usize, mode }.render(thumb, buf);
                    let cs = app.scores.cscore.get(i as usize).copied().unwrap_or(f32::NAN);
                    let caption = caption(i, cs, cols as usize);
                    let selected = slot_row == g.row && g.slot == side * k + j;
                    let style = if selected { t.selected } else { t.score(cs) };
                    let cap = Rect::new(x, y + rows, cols, 1).intersection(inner);
                    Span::styled(caption, style).render(cap, buf);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn captions_shed_decimals_before_they_are_clipped() {
        assert_eq!(super::caption(12, 0.5, 8), "12 .500");
        assert_eq!(super::caption(1512, 0.0, 8), "1512 .00");
        assert_eq!(super::caption(9986, 1.0, 8), "9986 1.0");
        assert_eq!(super::caption(12345, 0.25, 6), "12345…");
        assert_eq!(super::caption(7, f32::NAN, 8), "7 -");
    }
}
