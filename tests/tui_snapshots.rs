//! Whole-screen snapshots over ratatui's `TestBackend`, at 80×24 and at 160×48, of every view, the help
//! overlay, the relabel prompt, a range selection and the injected filter, over a fixture with three
//! ratios (a consistency profile), tracked holdout runs (held-out curves), injected examples (`*`
//! markers, AUROC/AP) and four proxies; and resizing down to 1×1 without a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod tui_support;

use cscore::tui::views::{draw, ViewState};
use cscore::tui::{App, Background, Command, Event, InputKey};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::Duration;
use tui_support::{explorer, rich_fixture, rich_held_out, Fixture, WAIT};

/// The app of a 200-example rich fixture with its learning dynamics and proxy comparison loaded (by the
/// explorer's own jobs), two tags and a note on the selected (injected) example.
fn app() -> (Fixture, App, Background) {
    let f = rich_fixture(200);
    let (mut app, mut bg) = explorer(&f, Duration::from_secs(3600));
    assert!(bg.pump_until(&mut app, WAIT, |a| a.dynamics.is_some() && !a.busy()));
    assert_eq!(app.dynamics.as_ref().map(|d| d.runs.len()), Some(4), "a proxy run and run 0 of each ratio");
    command(&mut app, &mut bg, Command::ViewCompare);
    assert!(bg.pump_until(&mut app, WAIT, |a| a.comparison.is_some() && !a.busy()));
    command(&mut app, &mut bg, Command::ViewList);
    for c in [Command::Down, Command::TagOk, Command::Down, Command::TagMislabeled] {
        command(&mut app, &mut bg, c);
    }
    app.update(Event::Input(InputKey::Char('2')));
    assert!(bg.pump_idle(&mut app, WAIT));
    // an injected example that some tracked runs trained on and others held out
    let shown = (0..200)
        .find(|&i| app.data.injected[i].is_some() && rich_held_out(i, 0, 0) && !rich_held_out(i, 2, 0))
        .unwrap();
    command(&mut app, &mut bg, Command::Jump);
    for c in shown.to_string().chars().map(InputKey::Char).chain([InputKey::Submit]) {
        app.update(Event::Input(c));
    }
    assert_eq!(app.selected(), Some(shown));
    command(&mut app, &mut bg, Command::Note);
    for c in "smudged".chars().map(InputKey::Char).chain([InputKey::Submit]) {
        app.update(Event::Input(c));
    }
    assert!(bg.pump_idle(&mut app, WAIT));
    assert_eq!(app.tags.note(shown).as_deref(), Some("smudged"));
    app.message = None;
    (f, app, bg)
}

fn command(app: &mut App, bg: &mut Background, c: Command) {
    app.update(Event::Command(c));
    assert!(bg.pump_idle(app, WAIT));
}

fn screen(app: &mut App, bg: &mut Background, w: u16, h: u16) -> String {
    app.update(Event::Resize(w, h));
    assert!(bg.pump_idle(app, WAIT));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut state = ViewState::default();
    terminal.draw(|f| draw(f, app, &mut state)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn every_view_at_80x24_and_160x48() {
    let (_f, mut app, mut bg) = app();
    let views = [
        ("list", Command::ViewList),
        ("profile", Command::ViewProfile),
        ("timeline", Command::ViewTimeline),
        ("compare", Command::ViewCompare),
        ("gallery", Command::ViewGallery),
        ("classes", Command::ViewClasses),
    ];
    for (name, c) in views {
        command(&mut app, &mut bg, c);
        insta::assert_snapshot!(format!("{name}_80x24"), screen(&mut app, &mut bg, 80, 24));
        insta::assert_snapshot!(format!("{name}_160x48"), screen(&mut app, &mut bg, 160, 48));
    }
}

#[test]
fn help_prompt_range_and_injected_filter_at_both_sizes() {
    let (_f, mut app, mut bg) = app();
    command(&mut app, &mut bg, Command::Help);
    insta::assert_snapshot!("help_80x24", screen(&mut app, &mut bg, 80, 24));
    insta::assert_snapshot!("help_160x48", screen(&mut app, &mut bg, 160, 48));
    command(&mut app, &mut bg, Command::Cancel);
    command(&mut app, &mut bg, Command::TagMislabeled);
    insta::assert_snapshot!("relabel_prompt_80x24", screen(&mut app, &mut bg, 80, 24));
    insta::assert_snapshot!("relabel_prompt_160x48", screen(&mut app, &mut bg, 160, 48));
    app.update(Event::Input(InputKey::Cancel));
    for c in [Command::Visual, Command::Down, Command::Down] {
        command(&mut app, &mut bg, c);
    }
    insta::assert_snapshot!("visual_range_80x24", screen(&mut app, &mut bg, 80, 24));
    insta::assert_snapshot!("visual_range_160x48", screen(&mut app, &mut bg, 160, 48));
    command(&mut app, &mut bg, Command::Cancel);
    command(&mut app, &mut bg, Command::FilterInjected);
    insta::assert_snapshot!("injected_filter_80x24", screen(&mut app, &mut bg, 80, 24));
    insta::assert_snapshot!("injected_filter_160x48", screen(&mut app, &mut bg, 160, 48));
}

#[test]
fn any_size_draws_without_panic() {
    let (_f, mut app, mut bg) = app();
    for c in [
        Command::ViewList,
        Command::ViewProfile,
        Command::ViewTimeline,
        Command::ViewCompare,
        Command::ViewGallery,
        Command::ViewClasses,
        Command::Help,
    ] {
        command(&mut app, &mut bg, c);
        for (w, h) in [(1, 1), (2, 1), (1, 5), (10, 3), (20, 6), (39, 11), (57, 13), (300, 100)] {
            let text = screen(&mut app, &mut bg, w, h);
            assert!(!text.is_empty());
        }
        // paging at a tiny size must not panic either
        command(&mut app, &mut bg, Command::PageDown);
        command(&mut app, &mut bg, Command::PageUp);
        command(&mut app, &mut bg, Command::PreviewNext);
    }
}

/// The list's columns come from the pane's width: at 80 columns the chosen proxy only (`fused`); at 140
/// and 160 full header names and the best training proxy beside it.
#[test]
fn the_list_lays_its_columns_out_from_the_width() {
    let (_f, mut app, mut bg) = app();
    for (w, h, more) in [(80, 24, false), (140, 40, true), (160, 45, true)] {
        let text = screen(&mut app, &mut bg, w, h);
        let header = text.lines().nth(2).unwrap();
        assert!(header.contains("fused"), "{w}: {header}");
        assert_eq!(header.contains("learning_speed"), more, "{w}: {header}");
        assert!(!header.contains('…'), "{w}: no clipped header name: {header}");
        insta::assert_snapshot!(format!("list_columns_{w}x{h}"), text);
    }
}

#[test]
fn the_class_summary_shows_the_selected_class_and_enter_filters_the_list_to_it() {
    let (_f, mut app, mut bg) = app();
    command(&mut app, &mut bg, Command::ViewClasses);
    command(&mut app, &mut bg, Command::Down);
    command(&mut app, &mut bg, Command::Down);
    insta::assert_snapshot!("classes_selected_80x24", screen(&mut app, &mut bg, 80, 24));
    insta::assert_snapshot!("classes_selected_160x48", screen(&mut app, &mut bg, 160, 48));
    command(&mut app, &mut bg, Command::Open);
    assert_eq!(app.list.filter.class, Some(1));
    assert!(!app.list.order().is_empty());
    assert!(
        app.list.order().iter().all(|&i| app.data.dataset.labels[i as usize] == 1),
        "only class 1 is listed"
    );
    // The row of all classes clears the class filter.
    command(&mut app, &mut bg, Command::ViewClasses);
    command(&mut app, &mut bg, Command::Top);
    command(&mut app, &mut bg, Command::Open);
    assert_eq!((app.list.filter.class, app.list.order().len()), (None, 200));
}

/// A message longer than the last line (a training failure and its advice) is shown whole, wrapped above
/// the status bar, until the next key.
#[test]
fn a_long_message_is_shown_whole() {
    let (_f, mut app, mut bg) = app();
    let text = "training stopped: the first 3 holdout runs learned nothing (held-out accuracy 23.1% is not above \
                chance (21.9%, the majority class of its 821 held-out examples, + 2 standard errors)); Try, in a \
                new workspace, a lower or higher --lr than 0.01";
    app.message = Some(cscore::tui::Message { text: text.into(), error: true });
    let shown = screen(&mut app, &mut bg, 80, 24);
    let rows: Vec<&str> = shown.lines().collect();
    assert!(rows[23].contains("↑ the message above (any key dismisses it)"), "{shown}");
    let words: String = rows
        .iter()
        .map(|r| r.trim_matches(|c| c == '"' || c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(words.contains("than 0.01"), "the end of the message is on screen:\n{shown}");
    command(&mut app, &mut bg, Command::Down);
    assert!(!screen(&mut app, &mut bg, 80, 24).contains("than 0.01"), "a key clears it");
    // A message that fits the line is said on it.
    app.message = Some(cscore::tui::Message { text: "#3 tagged ok".into(), error: false });
    let shown = screen(&mut app, &mut bg, 80, 24);
    assert!(shown.lines().nth(23).unwrap_or("").contains("#3 tagged ok"), "{shown}");
}
