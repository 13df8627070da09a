//! The gallery highlights exactly the thumbnail Enter opens, at every size, short wide terminals (where
//! more than the eight thumbnails a row holds would fit) included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod tui_support;

use cscore::tui::views::{draw, ViewState};
use cscore::tui::{App, Command, Event, View};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::Duration;
use tui_support::{explorer, fixture, WAIT};

/// The example whose caption the gallery draws in the selected style, read off the screen.
fn highlighted(app: &App, w: u16, h: u16) -> Option<usize> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| draw(f, app, &mut ViewState::default())).unwrap();
    let buf = terminal.backend().buffer();
    let sel = app.theme.selected;
    let selected = |c: &ratatui::buffer::Cell| c.fg == sel.fg.unwrap() && c.bg == sel.bg.unwrap();
    // the main area only: the title bar shows the current view in the selected style too
    for y in 1..h.saturating_sub(2) {
        let caption: String = (0..w)
            .map(|x| &buf[(x, y)])
            .skip_while(|c| !selected(c))
            .take_while(|c| selected(c))
            .map(|c| c.symbol().to_string())
            .collect();
        if !caption.is_empty() {
            // the caption is "index score", clipped to the thumbnail's width (indices here have ≤ 3 digits)
            let digits: String = caption.chars().take_while(char::is_ascii_digit).collect();
            return digits.parse().ok();
        }
    }
    None
}

#[test]
fn the_highlight_is_what_enter_opens() {
    let f = fixture(200);
    let (mut app, mut bg) = explorer(&f, Duration::from_secs(3600));
    for (w, h) in [(240, 12), (200, 14), (80, 24), (160, 48)] {
        app.update(Event::Resize(w, h));
        app.update(Event::Command(Command::ViewGallery));
        app.update(Event::Command(Command::Top));
        let k = app.gallery_per_side();
        assert!((1..=8).contains(&k), "{w}×{h}: {k} per side");
        app.gallery.slot = 0;
        for slot in 0..2 * k {
            assert_eq!(app.gallery.slot, slot);
            let expected = app.gallery.selected(k).map(|i| i as usize);
            assert!(expected.is_some(), "{w}×{h} slot {slot}");
            assert_eq!(highlighted(&app, w, h), expected, "{w}×{h} slot {slot}: the highlight");
            app.update(Event::Command(Command::Right));
        }
        assert_eq!(app.gallery.slot, 2 * k - 1, "Right stops at the last thumbnail");
        app.update(Event::Command(Command::Down));
        let expected = app.gallery.selected(k).map(|i| i as usize);
        assert_eq!(highlighted(&app, w, h), expected, "{w}×{h}: second class");
        app.update(Event::Command(Command::Open));
        assert!(bg.pump_idle(&mut app, WAIT));
        assert_eq!(app.view, View::List);
        assert_eq!(app.selected(), expected, "{w}×{h}: Enter opens the highlighted thumbnail");
    }
}

/// A ten-class fixture: every class on a tall screen, the class rows scrolling (and the title saying
/// which show) on a shorter one, with eight thumbnails a side at 160 columns.
#[test]
fn the_gallery_fits_its_thumbnails_to_the_screen() {
    let f = tui_support::fixture_with_classes(300, 10);
    let (mut app, mut bg) = explorer(&f, Duration::from_secs(3600));
    app.update(Event::Command(Command::ViewGallery));
    assert!(bg.pump_idle(&mut app, WAIT));
    assert_eq!(app.gallery.rows.len(), 10);
    for (w, h) in [(80, 24), (160, 45), (160, 60)] {
        app.update(Event::Resize(w, h));
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| draw(f, &app, &mut ViewState::default())).unwrap();
        let text = terminal.backend().to_string();
        if w == 160 {
            assert_eq!(app.gallery_per_side(), 8, "{w}×{h}");
        }
        assert_eq!(text.contains("classes 1–"), h < 60, "{w}×{h}: scrolling is said\n{text}");
        insta::assert_snapshot!(format!("gallery_ten_classes_{w}x{h}"), text);
    }
}
