//! Drawing: one function lays the screen out; each view only reads the [`App`]. Popups draw last.

mod bars;
mod classes;
mod columns;
mod compare;
mod fmt;
pub mod gallery;
mod help;
pub mod image;
pub mod layout;
mod list;
mod loading;
mod preview;
mod profile;
mod timeline;

use ratatui::layout::Rect;
use ratatui::Frame;

use super::app::{App, Mode, View};
pub use image::ImageState;
pub use list::{ListScroll, ListView};
pub use loading::LoadingView;
pub use preview::preview_content;

/// Draw-time state that is not the app's: the list's scroll offset and the terminal image cache.
#[derive(Default)]
pub struct ViewState {
    /// Scroll offset of the ranked list.
    pub list: ListScroll,
    /// Terminal graphics for the preview image.
    pub images: ImageState,
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App, state: &mut ViewState) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let a = layout::areas(area);
    frame.render_widget(bars::TitleBar(app), a.title);
    match app.view {
        View::List | View::Profile | View::Timeline => {
            let (list_area, side) = layout::split_main(a.main, app.view);
            frame.render_stateful_widget(ListView(app), list_area, &mut state.list);
            if side.width > 0 && side.height > 0 {
                draw_side(frame, app, side, state);
            }
        }
        View::Compare => frame.render_widget(compare::CompareView(app), a.main),
        View::Gallery => frame.render_widget(gallery::GalleryView(app), a.main),
        View::Classes => frame.render_widget(classes::ClassesView(app), a.main),
    }
    frame.render_widget(bars::StatusBar(app), a.status);
    frame.render_widget(bars::BottomLine(app), a.bottom);
    frame.render_widget(bars::MessageOverlay { app, bottom: a.bottom }, a.main);
    if let Mode::Help(scroll) = app.mode {
        frame.render_widget(help::HelpOverlay { app, scroll }, area);
    }
}

fn draw_side(frame: &mut Frame<'_>, app: &App, side: Rect, state: &mut ViewState) {
    match app.view {
        View::List if layout::roomy(side) => {
            let [top, mid, bottom] = layout::stack3(side);
            draw_preview(frame, app, top, state);
            frame.render_widget(profile::ProfileView(app), mid);
            frame.render_widget(timeline::TimelineView(app), bottom);
        }
        View::List => draw_preview(frame, app, side, state),
        View::Profile => frame.render_widget(profile::ProfileView(app), side),
        _ => frame.render_widget(timeline::TimelineView(app), side),
    }
}

fn draw_preview(frame: &mut Frame<'_>, app: &App, area: Rect, state: &mut ViewState) {
    let view = preview::PreviewView(app);
    let image_area = view.image_area(area);
    frame.render_widget(view, area);
    if let (Some(i), Some(r)) = (app.selected(), image_area) {
        state.images.render(frame, app, i, r);
    }
}
