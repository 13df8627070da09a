//! Whole-screen snapshots of every view over ratatui's `TestBackend`, at 80×24 and at 160×48, and
//! resizing down to 1×1 without a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_support;

use cscore::proxy::compare::{compare, CSCORE};
use cscore::tui::views::{draw, ViewState};
use cscore::tui::{Action, App, Command, Dynamics, InputKey};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tui_support::{fixture, open_app};

/// The app of a 200-example fixture with its learning dynamics and proxy comparison loaded.
fn app() -> (tui_support::Fixture, App) {
    let f = fixture(200);
    let mut app = open_app(&f);
    let d = Dynamics::load(app.workspace()).unwrap();
    app.update(Action::Dynamics(Box::new(d)));
    let cscore: Vec<f64> = app.scores.cscore.iter().map(|&c| f64::from(c)).collect();
    let proxy: Vec<f64> = app.data.proxies[0].scores.iter().map(|&v| f64::from(v)).collect();
    let c = compare(&[(CSCORE.into(), cscore), ("learning_speed".into(), proxy)], None, 10);
    app.update(Action::Comparison(Box::new(Some(c))));
    // a few labels, so tags show
    for k in ["j", "o", "j", "m", "2", "j"] {
        let ev = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(k.chars().next().unwrap()));
        let action = app.action_for_key(&ev).unwrap();
        app.update(action);
    }
    app.message = None;
    (f, app)
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    app.update(Action::Resize(w, h));
    app.settle();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut state = ViewState::default();
    terminal.draw(|f| draw(f, app, &mut state)).unwrap();
    terminal.backend().to_string()
}

fn view(app: &mut App, c: Command) {
    app.update(Action::Command(c));
    app.settle();
}

#[test]
fn every_view_at_80x24_and_160x48() {
    let (_f, mut app) = app();
    let views = [
        ("list", Command::ViewList),
        ("profile", Command::ViewProfile),
        ("timeline", Command::ViewTimeline),
        ("compare", Command::ViewCompare),
        ("gallery", Command::ViewGallery),
    ];
    for (name, c) in views {
        view(&mut app, c);
        insta::assert_snapshot!(format!("{name}_80x24"), screen(&mut app, 80, 24));
        insta::assert_snapshot!(format!("{name}_160x48"), screen(&mut app, 160, 48));
    }
}

#[test]
fn help_overlay_and_prompt() {
    let (_f, mut app) = app();
    view(&mut app, Command::Help);
    insta::assert_snapshot!("help_80x24", screen(&mut app, 80, 24));
    view(&mut app, Command::Cancel);
    view(&mut app, Command::TagMislabeled);
    insta::assert_snapshot!("relabel_prompt_80x24", screen(&mut app, 80, 24));
    app.update(Action::Input(InputKey::Cancel));
    view(&mut app, Command::Visual);
    view(&mut app, Command::Down);
    view(&mut app, Command::Down);
    insta::assert_snapshot!("visual_range_80x24", screen(&mut app, 80, 24));
}

#[test]
fn any_size_draws_without_panic() {
    let (_f, mut app) = app();
    for c in [
        Command::ViewList,
        Command::ViewProfile,
        Command::ViewTimeline,
        Command::ViewCompare,
        Command::ViewGallery,
        Command::Help,
    ] {
        view(&mut app, c);
        for (w, h) in [(1, 1), (2, 1), (1, 5), (10, 3), (20, 6), (39, 11), (57, 13), (300, 100)] {
            let text = screen(&mut app, w, h);
            assert!(!text.is_empty());
        }
        // paging at a tiny size must not panic either
        view(&mut app, Command::PageDown);
        view(&mut app, Command::PageUp);
    }
}
