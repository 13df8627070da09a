//! `App::update` through the keymap: navigation, sorting, filtering, searching, labeling, undo and redo,
//! against a real workspace.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cscore::store::Workspace;
use cscore::tui::{App, Background, Event, Mode, SortColumn};
use std::time::Duration;
use tui_support::{explorer, fixture, Fixture, CLASSES, WAIT};

/// The follower's poll in these tests: long, so only the keys change the workspace.
const QUIET: Duration = Duration::from_secs(3600);

/// Presses keys written as in the keymap (`j`, `G`, `Enter`, `ctrl-r`), one per element; after each the
/// background (label writes, recomputations) finishes what it was asked.
fn press(app: &mut App, bg: &mut Background, keys: &[&str]) {
    for k in keys {
        let ev = match *k {
            "Enter" => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
            "Esc" => KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE),
            "Backspace" => KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
            "PageDown" => KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE),
            "End" => KeyEvent::new(KeyCode::End, KeyModifiers::NONE),
            "ctrl-r" => KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
            s if s.chars().count() == 1 => {
                KeyEvent::new(KeyCode::Char(s.chars().next().unwrap()), KeyModifiers::NONE)
            }
            other => panic!("unknown key {other}"),
        };
        app.update(Event::Key(ev));
        assert!(bg.pump_idle(app, WAIT), "the background did not finish after {k}");
    }
}

fn typed(app: &mut App, bg: &mut Background, text: &str) {
    for c in text.chars() {
        press(app, bg, &[&c.to_string()]);
    }
}

fn cs(app: &App, i: usize) -> f32 {
    app.scores.cscore[i]
}

/// Tags as stored in the workspace (a fresh connection).
/// (example, tag, relabel, note).
type Stored = (usize, Option<String>, Option<u32>, Option<String>);

fn stored(f: &Fixture) -> Vec<Stored> {
    Workspace::open(&f.workspace)
        .unwrap()
        .tags()
        .unwrap()
        .into_iter()
        .map(|r| (r.example, r.tag, r.relabel, r.note))
        .collect()
}

#[test]
fn opens_with_the_lowest_c_scores_first() {
    let f = fixture(120);
    let (app, _bg) = explorer(&f, QUIET);
    assert_eq!(app.list.order().len(), 120);
    assert_eq!(app.scores.estimated, 120);
    // example i scores (i mod 10)/10: the first rows are the multiples of 10
    assert_eq!(app.selected(), Some(0));
    assert!(app.list.order()[..12].iter().all(|&i| i % 10 == 0), "{:?}", &app.list.order()[..12]);
    assert!(app.list.order().windows(2).all(|w| cs(&app, w[0] as usize) <= cs(&app, w[1] as usize)));
    assert!((cs(&app, 13) - 0.3).abs() < 1e-6);
    // held-out majority: wrong (next class) when the C-score is below one half
    assert_eq!(app.suggested(13), Some((app.data.dataset.labels[13] + 1) % CLASSES as u32));
    assert_eq!(app.suggested(17), None);
}

#[test]
fn navigation_keys_move_and_clamp() {
    let f = fixture(120);
    let (mut app, mut bg) = explorer(&f, QUIET);
    app.update(Event::Resize(80, 24));
    press(&mut app, &mut bg, &["j", "j", "j"]);
    assert_eq!(app.list.cursor(), 3);
    press(&mut app, &mut bg, &["k"]);
    assert_eq!(app.list.cursor(), 2);
    press(&mut app, &mut bg, &["G"]);
    assert_eq!(app.list.cursor(), 119);
    press(&mut app, &mut bg, &["j"]);
    assert_eq!(app.list.cursor(), 119, "clamped at the end");
    press(&mut app, &mut bg, &["g", "PageDown"]);
    assert_eq!(app.list.cursor(), 18, "a page is the list's visible rows at 80×24 (24 − 3 bars − 3)");
    press(&mut app, &mut bg, &["End"]);
    assert_eq!(app.selected(), Some(*app.list.order().last().unwrap() as usize));
}

#[test]
fn sorting_by_columns_and_direction() {
    let f = fixture(60);
    let (mut app, mut bg) = explorer(&f, QUIET);
    press(&mut app, &mut bg, &["S"]);
    assert!(app.list.sort.descending);
    assert!((cs(&app, app.list.order()[0] as usize) - 0.9).abs() < 1e-6);
    press(&mut app, &mut bg, &["S", "s"]);
    assert_eq!(app.list.sort.column, SortColumn::Index);
    assert_eq!(app.list.order()[..3], [0, 1, 2]);
    press(&mut app, &mut bg, &["s"]);
    assert_eq!(app.list.sort.column, SortColumn::Label);
    let labels = &app.data.dataset.labels;
    assert!(app.list.order().windows(2).all(|w| labels[w[0] as usize] <= labels[w[1] as usize]));
    press(&mut app, &mut bg, &["s", "s", "s"]);
    assert_eq!(app.list.sort.column, SortColumn::Tag);
    press(&mut app, &mut bg, &["g", "o", "s", "s"]); // tag the first row ok, then back around to C-score
    assert_eq!(app.list.sort.column, SortColumn::CScore);
}

#[test]
fn filters_by_class_range_disagreement_and_tag() {
    let f = fixture(100);
    let (mut app, mut bg) = explorer(&f, QUIET);
    press(&mut app, &mut bg, &["c"]);
    assert!(matches!(app.mode, Mode::Prompt(_)));
    typed(&mut app, &mut bg, "2");
    press(&mut app, &mut bg, &["Enter"]);
    assert_eq!(app.list.order().len(), 25);
    assert!(app.list.order().iter().all(|&i| app.data.dataset.labels[i as usize] == 2));
    press(&mut app, &mut bg, &["r"]);
    typed(&mut app, &mut bg, "0-0.3");
    press(&mut app, &mut bg, &["Enter"]);
    assert!(!app.list.order().is_empty());
    assert!(app.list.order().iter().all(|&i| cs(&app, i as usize) <= 0.3 + 1e-6));
    press(&mut app, &mut bg, &["F", "x"]);
    assert!(app.list.filter.disagree);
    assert!(app.list.order().iter().all(|&i| app.suggested(i as usize).is_some()));
    let disagreeing = (0..100).filter(|&i| app.suggested(i).is_some()).count();
    assert_eq!(app.list.order().len(), disagreeing);
    assert!(disagreeing >= 50, "C-scores 0.0 to 0.4 predict another class");
    press(&mut app, &mut bg, &["x", "r"]);
    typed(&mut app, &mut bg, "nonsense");
    press(&mut app, &mut bg, &["Enter"]);
    assert!(matches!(app.mode, Mode::Prompt(_)), "a bad range keeps the prompt open");
    assert!(app.message.as_ref().is_some_and(|m| m.error));
    press(&mut app, &mut bg, &["Esc", "o", "t"]);
    typed(&mut app, &mut bg, "ok");
    press(&mut app, &mut bg, &["Enter"]);
    assert_eq!(app.list.order().len(), 1);
    press(&mut app, &mut bg, &["i"]);
    assert!(!app.list.filter.injected, "no injected ground truth: the toggle refuses");
}

#[test]
fn search_jump_and_cancel() {
    let f = fixture(100);
    let (mut app, mut bg) = explorer(&f, QUIET);
    press(&mut app, &mut bg, &[":"]);
    typed(&mut app, &mut bg, "57");
    press(&mut app, &mut bg, &["Enter"]);
    assert_eq!(app.selected(), Some(57));
    let before = app.list.cursor();
    press(&mut app, &mut bg, &["/"]);
    typed(&mut app, &mut bg, "83");
    assert_eq!(app.selected(), Some(83), "incremental: moves while typing");
    press(&mut app, &mut bg, &["Esc"]);
    assert_eq!(app.list.cursor(), before, "Esc returns to where the search started");
    press(&mut app, &mut bg, &["/"]);
    typed(&mut app, &mut bg, "4");
    press(&mut app, &mut bg, &["Enter"]);
    let first = app.selected().unwrap();
    press(&mut app, &mut bg, &["n"]);
    let second = app.selected().unwrap();
    assert_ne!(first, second);
    assert!(second.to_string().contains('4') || app.data.dataset.labels[second] == 4);
}

#[test]
fn labeling_is_committed_at_once() {
    let f = fixture(100);
    let (mut app, mut bg) = explorer(&f, QUIET);
    press(&mut app, &mut bg, &[":"]);
    typed(&mut app, &mut bg, "13");
    press(&mut app, &mut bg, &["Enter", "o"]);
    assert_eq!(stored(&f), vec![(13, Some("ok".into()), None, None)]);
    press(&mut app, &mut bg, &["m", "3"]);
    assert_eq!(stored(&f), vec![(13, Some("mislabeled".into()), Some(3), None)]);
    let suggested = app.suggested(13).unwrap();
    press(&mut app, &mut bg, &["M"]);
    assert_eq!(stored(&f), vec![(13, Some("mislabeled".into()), Some(suggested), None)]);
    press(&mut app, &mut bg, &["m", "Enter"]);
    assert_eq!(stored(&f)[0].2, Some(suggested), "Enter accepts the suggested label");
    press(&mut app, &mut bg, &["e"]);
    typed(&mut app, &mut bg, "blurry");
    press(&mut app, &mut bg, &["Enter"]);
    assert_eq!(stored(&f)[0].3.as_deref(), Some("blurry"));
    press(&mut app, &mut bg, &["O", "Backspace"]);
    assert_eq!(stored(&f), vec![(13, None, None, Some("blurry".into()))], "clear keeps the note");
    assert_eq!(app.tags.tag(13), None);
    assert!(app.tags.session_counts().is_empty());
}

#[test]
fn range_selection_and_whole_filter_after_confirmation() {
    let f = fixture(60);
    let (mut app, mut bg) = explorer(&f, QUIET);
    press(&mut app, &mut bg, &["g", "v", "j", "j", "a"]);
    let tagged: Vec<usize> = stored(&f).into_iter().map(|r| r.0).collect();
    assert_eq!(tagged, {
        let mut v: Vec<usize> = app.list.order()[..3].iter().map(|&i| i as usize).collect();
        v.sort();
        v
    });
    assert!(app.list.visual().is_none());
    press(&mut app, &mut bg, &["c"]);
    typed(&mut app, &mut bg, "1");
    press(&mut app, &mut bg, &["Enter", "A", "d"]);
    // The question says how many it tags and how many tagged otherwise it would replace.
    let labels = tui_support::dataset(&f).labels;
    let replaced = tagged.iter().filter(|&&i| labels[i] == 1).count();
    let Mode::Prompt(p) = &app.mode else { panic!("asks first") };
    let want = match replaced {
        0 => "tag 15 examples as duplicate?".to_string(),
        k => format!("tag 15 examples as duplicate? ({k} tagged otherwise: replaced)"),
    };
    assert_eq!(p.label, want);
    press(&mut app, &mut bg, &["n"]);
    assert_eq!(stored(&f).len(), 3, "n cancels");
    press(&mut app, &mut bg, &["A", "d", "y"]);
    let dups = stored(&f).into_iter().filter(|r| r.1.as_deref() == Some("duplicate")).count();
    assert_eq!(dups, 15);
    assert_eq!(app.tags.session_counts().get("duplicate"), Some(&15));
}

#[test]
fn undo_and_redo_through_the_workspace() {
    let f = fixture(60);
    let (mut app, mut bg) = explorer(&f, QUIET);
    press(&mut app, &mut bg, &[":"]);
    typed(&mut app, &mut bg, "21");
    press(&mut app, &mut bg, &["Enter", "o", "a"]);
    assert_eq!(stored(&f)[0].1.as_deref(), Some("ambiguous"));
    press(&mut app, &mut bg, &["u"]);
    assert_eq!(stored(&f)[0].1.as_deref(), Some("ok"));
    press(&mut app, &mut bg, &["u"]);
    assert!(stored(&f).is_empty());
    press(&mut app, &mut bg, &["u"]);
    assert!(app.message.as_ref().is_some_and(|m| m.text.contains("nothing to undo")));
    press(&mut app, &mut bg, &["ctrl-r"]);
    assert_eq!(stored(&f)[0].1.as_deref(), Some("ok"));
    press(&mut app, &mut bg, &["U"]);
    assert_eq!(stored(&f)[0].1.as_deref(), Some("ambiguous"));
    // a range is one step
    press(&mut app, &mut bg, &["g", "v", "j", "o", "u"]);
    assert_eq!(stored(&f).len(), 1);
}

#[test]
fn undo_skips_an_example_another_explorer_changed() {
    let f = fixture(60);
    let (mut app, mut bg) = explorer(&f, Duration::from_millis(20));
    press(&mut app, &mut bg, &[":"]);
    typed(&mut app, &mut bg, "5");
    press(&mut app, &mut bg, &["Enter", "o"]);
    let other = Workspace::open(&f.workspace).unwrap();
    other.set_tag(5, Some("ood"), None).unwrap();
    assert!(bg.pump_until(&mut app, WAIT, |a| a.tags.tag(5) == Some("ood")), "the follower shows it");
    press(&mut app, &mut bg, &["u"]);
    assert_eq!(stored(&f)[0].1.as_deref(), Some("ood"), "the other explorer's label survives");
    assert!(app.message.as_ref().is_some_and(|m| m.text.contains("skipped")));
    // whether or not this explorer has seen the other's change yet, undo decides from the workspace
    press(&mut app, &mut bg, &["U", "o"]);
    other.set_tag(5, Some("duplicate"), None).unwrap();
    press(&mut app, &mut bg, &["u"]);
    assert_eq!(stored(&f)[0].1.as_deref(), Some("duplicate"));
    assert!(app.message.as_ref().is_some_and(|m| m.text.contains("1 skipped")), "{:?}", app.message);
}

#[test]
fn help_overlay_opens_and_closes() {
    let f = fixture(30);
    let (mut app, mut bg) = explorer(&f, QUIET);
    press(&mut app, &mut bg, &["?", "j", "j"]);
    assert_eq!(app.mode, Mode::Help(2));
    press(&mut app, &mut bg, &["Esc"]);
    assert_eq!(app.mode, Mode::Normal);
    press(&mut app, &mut bg, &["q"]);
    assert!(app.quit);
}
