//! Example images: terminal graphics through ratatui-image (kitty, sixel, iTerm2, else half-blocks) for
//! the preview, and a plain renderer (coloured half-blocks or Unicode shades) for thumbnails, `NO_COLOR`
//! and tests. Scaling is nearest-neighbour, so pixels stay pixels.

use image::{DynamicImage, GrayImage, RgbImage};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::Widget;
use ratatui::Frame;
use ratatui_image::picker::Picker;
use ratatui_image::protocol::StatefulProtocol;
use ratatui_image::{FilterType, Resize, StatefulImage};

use crate::data::Dataset;
use crate::tui::app::App;
use crate::tui::config::ImageMode;

/// How the plain renderer draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelMode {
    /// `▀` with the upper pixel as foreground and the lower as background colour.
    Blocks,
    /// ` ░▒▓█` by brightness (no colour).
    Shade,
}

const SHADES: [char; 5] = [' ', '░', '▒', '▓', '█'];

/// One example drawn with [`PixelMode`], scaled to fit and centred.
pub struct PixelImage<'a> {
    /// The dataset.
    pub dataset: &'a Dataset,
    /// The example.
    pub index: usize,
    /// How.
    pub mode: PixelMode,
}

impl PixelImage<'_> {
    fn rgb(&self, x: usize, y: usize) -> (u8, u8, u8) {
        let ds = self.dataset;
        let (h, w) = (ds.height, ds.width);
        let px = ds.image(self.index);
        let at = |c: usize| px.get(c * h * w + y * w + x).copied().unwrap_or(0);
        if ds.channels >= 3 {
            (at(0), at(1), at(2))
        } else {
            let v = at(0);
            (v, v, v)
        }
    }
}

impl Widget for PixelImage<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let ds = self.dataset;
        let (h, w) = (ds.height, ds.width);
        if area.width == 0
            || area.height == 0
            || self.index >= ds.len()
            || !ds.has_pixels()
            || h == 0
            || w == 0
        {
            return;
        }
        // A cell is one pixel wide and two pixels tall.
        let scale = (f64::from(area.width) / w as f64).min(f64::from(area.height) * 2.0 / h as f64);
        let out_w = ((w as f64 * scale).floor() as u16).clamp(1, area.width);
        let out_h = ((h as f64 * scale).floor() as usize).clamp(1, usize::from(area.height) * 2);
        let rows = out_h.div_ceil(2) as u16;
        let x0 = area.x + (area.width - out_w) / 2;
        let y0 = area.y + (area.height - rows.min(area.height)) / 2;
        let src = |o: usize, n: usize| (((o as f64 + 0.5) / scale) as usize).min(n - 1);
        for cy in 0..rows {
            for cx in 0..out_w {
                let sx = src(usize::from(cx), w);
                let top = self.rgb(sx, src(2 * usize::from(cy), h));
                let bottom =
                    (2 * usize::from(cy) + 1 < out_h).then(|| self.rgb(sx, src(2 * usize::from(cy) + 1, h)));
                let Some(cell) = buf.cell_mut((x0 + cx, y0 + cy)) else { continue };
                match self.mode {
                    PixelMode::Blocks => {
                        cell.set_char('▀').set_fg(Color::Rgb(top.0, top.1, top.2));
                        if let Some(b) = bottom {
                            cell.set_bg(Color::Rgb(b.0, b.1, b.2));
                        }
                    }
                    PixelMode::Shade => {
                        let lum = |(r, g, b): (u8, u8, u8)| {
                            (u32::from(r) * 3 + u32::from(g) * 6 + u32::from(b)) / 10
                        };
                        let v = match bottom {
                            Some(b) => (lum(top) + lum(b)) / 2,
                            None => lum(top),
                        };
                        cell.set_char(SHADES[(v as usize * SHADES.len() / 256).min(SHADES.len() - 1)]);
                    }
                }
            }
        }
    }
}

/// The example as an image for ratatui-image (channels-last).
pub fn to_dynamic(ds: &Dataset, i: usize) -> Option<DynamicImage> {
    if i >= ds.len() || !ds.has_pixels() {
        return None;
    }
    let (c, h, w) = (ds.channels, ds.height, ds.width);
    let px = ds.image(i);
    let (w32, h32) = (u32::try_from(w).ok()?, u32::try_from(h).ok()?);
    if c >= 3 {
        let mut v = Vec::with_capacity(h * w * 3);
        for y in 0..h {
            for x in 0..w {
                v.extend((0..3).map(|ch| px[ch * h * w + y * w + x]));
            }
        }
        RgbImage::from_raw(w32, h32, v).map(DynamicImage::ImageRgb8)
    } else {
        GrayImage::from_raw(w32, h32, px[..h * w].to_vec()).map(DynamicImage::ImageLuma8)
    }
}

/// Terminal graphics state of the preview: the protocol picked at start and the encoded image.
#[derive(Default)]
pub struct ImageState {
    picker: Option<Picker>,
    current: Option<(usize, StatefulProtocol)>,
}

impl ImageState {
    /// Uses `picker` (queried from the terminal after entering the alternate screen).
    pub fn with_picker(picker: Picker) -> Self {
        ImageState { picker: Some(picker), current: None }
    }

    /// Draws example `i` into `area` the way the app's settings ask.
    pub fn render(&mut self, frame: &mut Frame<'_>, app: &App, i: usize, area: Rect) {
        let ds = &app.data.dataset;
        if let Some(why) = &app.images_missing {
            let line = Line::styled(why.clone(), app.theme.dim).centered();
            let middle = Rect { y: area.y + area.height / 2, height: area.height.min(1), ..area };
            frame.render_widget(line, middle);
            return;
        }
        let plain = |mode| PixelImage { dataset: ds, index: i, mode };
        match (app.images, &self.picker) {
            (ImageMode::Shade, _) => frame.render_widget(plain(PixelMode::Shade), area),
            (ImageMode::Auto, Some(picker)) => {
                if self.current.as_ref().is_none_or(|(k, _)| *k != i) {
                    self.current = to_dynamic(ds, i).map(|img| (i, picker.new_resize_protocol(img)));
                }
                if let Some((_, proto)) = self.current.as_mut() {
                    let widget = StatefulImage::default().resize(Resize::Scale(Some(FilterType::Nearest)));
                    frame.render_stateful_widget(widget, area, proto);
                }
            }
            _ => frame.render_widget(plain(PixelMode::Blocks), area),
        }
    }
}
