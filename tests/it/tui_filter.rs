//! One filter language: the explorer's filters (the quick ones and the free-form prompt) are
//! `cscore export --filter` expressions, and the rows the list shows are the rows the export writes
//! with that text. The prompt reports a malformed expression in one line and stays open.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tui_support;

use crossterm::event::{KeyCode, KeyEvent};
use cscore::store::{InjectedRow, Workspace};
use cscore::tui::views::{draw, ViewState};
use cscore::tui::{App, Background, Command, Event, InputKey, Mode};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;
use tui_support::{explorer, rich_fixture, Fixture, WAIT};

fn command(app: &mut App, bg: &mut Background, c: Command) {
    app.update(Event::Command(c));
    assert!(bg.pump_idle(app, WAIT));
}

/// Types `text` into the open prompt and accepts it.
fn answer(app: &mut App, bg: &mut Background, text: &str) {
    for c in text.chars().map(InputKey::Char).chain([InputKey::Submit]) {
        app.update(Event::Input(c));
    }
    assert!(bg.pump_idle(app, WAIT));
}

fn key(app: &mut App, bg: &mut Background, code: KeyCode) {
    app.update(Event::Key(KeyEvent::from(code)));
    assert!(bg.pump_idle(app, WAIT));
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    app.update(Event::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| draw(f, app, &mut ViewState::default())).unwrap();
    terminal.backend().to_string()
}

/// The indices `cscore export --filter <expr>` writes (the real binary, over the workspace on disk).
fn exported(f: &Fixture, expr: &str) -> BTreeSet<u32> {
    let out = f.dir.path().join("rows.csv");
    let ws = f.workspace.to_str().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_cscore"))
        .args(["export", ws, "--filter", expr, "-o", out.to_str().unwrap()])
        .current_dir(f.dir.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{expr}: {}", String::from_utf8_lossy(&run.stderr));
    read_indices(&out)
}

fn read_indices(csv: &Path) -> BTreeSet<u32> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("index,"));
    lines.map(|l| l.split(',').next().unwrap().parse().unwrap()).collect()
}

fn shown(app: &App) -> BTreeSet<u32> {
    app.list.order().iter().copied().collect()
}

/// The list shows exactly what the export writes with the filter's expression text.
/// The columns the filter prompt lists for an unknown one, as "a, b, …".
fn columns_the_prompt_lists(app: &mut App, bg: &mut Background) -> String {
    command(app, bg, Command::FilterExpr);
    answer(app, bg, "zzzzzzzzzzzzzzzzzzzzzzzz");
    let text = app.message.clone().expect("an error").text;
    text.split("(columns: ").nth(1).and_then(|t| t.split(')').next()).expect(&text).to_string()
}

fn assert_same_rows(app: &App, f: &Fixture, expected: &str) {
    let expr = app.list.filter.expression().expect("a filter is active");
    assert_eq!(expr, expected);
    let rows = shown(app);
    assert!(!rows.is_empty(), "{expr}: the fixture should keep some rows");
    assert_eq!(rows, exported(f, &expr), "{expr}");
}

#[test]
fn quick_filters_compose_the_expression_the_export_takes() {
    let f = rich_fixture(200);
    let (mut app, mut bg) = explorer(&f, Duration::from_secs(3600));
    // The fixture records its corruption settings only; `estimate --inject-*` also stores the ground
    // truth, which the export's `injected` column reads.
    let rows: Vec<InjectedRow> = app.data.injected.iter().flatten().cloned().collect();
    assert!(!rows.is_empty());
    Workspace::open(&f.workspace).unwrap().set_injected(&rows).unwrap();
    // a few committed tags, so that the tag filter has something to find
    for c in [Command::TagOk, Command::Down, Command::TagOk, Command::Down, Command::TagOod] {
        command(&mut app, &mut bg, c);
    }
    command(&mut app, &mut bg, Command::FilterClass);
    answer(&mut app, &mut bg, "2");
    assert_same_rows(&app, &f, "label == 2");
    command(&mut app, &mut bg, Command::FilterRange);
    answer(&mut app, &mut bg, "0.1-0.9");
    assert_same_rows(&app, &f, "label == 2 and cscore >= 0.1 and cscore <= 0.9");
    command(&mut app, &mut bg, Command::FilterClear);
    command(&mut app, &mut bg, Command::FilterInjected);
    assert_same_rows(&app, &f, "injected == 1");
    command(&mut app, &mut bg, Command::FilterDisagree);
    assert_same_rows(&app, &f, "heldout_prediction != label and injected == 1");
    command(&mut app, &mut bg, Command::FilterClear);
    command(&mut app, &mut bg, Command::FilterTag);
    answer(&mut app, &mut bg, "ok");
    assert_same_rows(&app, &f, "tag == \"ok\"");
    assert_eq!(shown(&app).len(), 2);
    command(&mut app, &mut bg, Command::FilterTag);
    answer(&mut app, &mut bg, "any");
    assert_same_rows(&app, &f, "tag != null");
    assert_eq!(shown(&app).len(), 3);
    command(&mut app, &mut bg, Command::FilterClear);
    assert_eq!(app.list.filter.expression(), None);
    assert_eq!(app.list.len(), 200);
    // the explorer's table has the export's columns, in its order
    let listed = columns_the_prompt_lists(&mut app, &mut bg);
    let csv = std::fs::read_to_string(f.dir.path().join("rows.csv")).unwrap();
    assert_eq!(listed, csv.lines().next().unwrap().replace(',', ", "));
}

#[test]
fn the_filter_prompt_takes_what_export_takes_and_reports_errors_in_one_line() {
    let f = rich_fixture(200);
    let (mut app, mut bg) = explorer(&f, Duration::from_secs(3600));
    key(&mut app, &mut bg, KeyCode::Char('f'));
    assert!(matches!(&app.mode, Mode::Prompt(p) if p.text.is_empty()), "f opens the filter prompt");
    answer(&mut app, &mut bg, "cscore < 0.5 or proxy_el2n > 1");
    assert_eq!(app.mode, Mode::Normal);
    assert_same_rows(&app, &f, "cscore < 0.5 or proxy_el2n > 1");
    let status = screen(&mut app, 120, 30);
    assert!(status.contains("filter: cscore < 0.5 or proxy_el2n > 1 ·"), "{status}");
    // a quick filter adds its clause to the typed expression
    command(&mut app, &mut bg, Command::FilterClass);
    answer(&mut app, &mut bg, "1");
    assert_same_rows(&app, &f, "(cscore < 0.5 or proxy_el2n > 1) and label == 1");

    // the prompt opens with the whole active expression; a mistake keeps it open with one line saying why
    let before = app.list.filter.clone();
    key(&mut app, &mut bg, KeyCode::Char('f'));
    let Mode::Prompt(p) = &app.mode else { panic!("no prompt") };
    assert_eq!(p.text, "(cscore < 0.5 or proxy_el2n > 1) and label == 1");
    for _ in 0..p.text.chars().count() {
        app.update(Event::Input(InputKey::Backspace));
    }
    answer(&mut app, &mut bg, "cscroe < 0.3");
    assert!(matches!(app.mode, Mode::Prompt(_)), "the prompt stays open on an error");
    let message = app.message.clone().expect("an error message");
    assert!(message.error);
    assert_eq!(message.text, "filter: unknown column 'cscroe' (did you mean 'cscore'?) at position 1");
    let bottom = screen(&mut app, 160, 30).lines().last().unwrap().to_string();
    assert!(bottom.contains("filter: cscroe < 0.3") && bottom.contains("did you mean 'cscore'"), "{bottom}");
    assert_eq!(app.list.filter, before, "a rejected expression changes nothing");
    for _ in 0.."cscroe < 0.3".len() {
        app.update(Event::Input(InputKey::Backspace));
    }
    answer(&mut app, &mut bg, "cscore <");
    let message = app.message.clone().expect("an error message");
    assert_eq!(message.text, "filter: expected a column, number or string, found the end at position 9");
    key(&mut app, &mut bg, KeyCode::Esc);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.list.filter, before, "Esc keeps the filter");

    // an empty expression clears every filter; ctrl-w deletes a word, ctrl-u the whole text (as in a shell)
    key(&mut app, &mut bg, KeyCode::Char('f'));
    let ctrl = |c: char| Event::Key(KeyEvent::new(KeyCode::Char(c), crossterm::event::KeyModifiers::CONTROL));
    app.update(ctrl('w'));
    let Mode::Prompt(p) = &app.mode else { panic!("no prompt") };
    assert_eq!(p.text, "(cscore < 0.5 or proxy_el2n > 1) and label == ");
    app.update(ctrl('u'));
    let Mode::Prompt(p) = &app.mode else { panic!("no prompt") };
    assert_eq!(p.text, "");
    answer(&mut app, &mut bg, "");
    assert!(app.list.filter.is_empty());
    assert_eq!(app.list.len(), 200);
}

/// An image folder's explorer filters on `path` as the export does (`path contains "dog/0"`), and its
/// table has the export's columns, `path` last.
#[test]
fn an_image_folder_filters_on_its_files_as_export_does() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("pets");
    crate::common::pets(&data, 12);
    let workspace = dir.path().join("p.cscore");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_cscore"))
        .args(["estimate", "pets", "-w", "p.cscore", "--ratios", "0.5", "--runs", "1", "--epochs", "1"])
        .args(["--model", "mlp:8", "--lr", "0.05", "--proxies", "none", "--no-progress"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let f = Fixture { labels: Vec::new(), dir, data, workspace };
    let (mut app, mut bg) = explorer(&f, Duration::from_secs(3600));
    command(&mut app, &mut bg, Command::FilterExpr);
    answer(&mut app, &mut bg, "path contains \"dog/0\"");
    assert_eq!(app.mode, Mode::Normal, "{:?}", app.message);
    assert_same_rows(&app, &f, "path contains \"dog/0\"");
    assert_eq!(app.list.len(), 10);
    command(&mut app, &mut bg, Command::FilterClear);
    let listed = columns_the_prompt_lists(&mut app, &mut bg);
    let csv = std::fs::read_to_string(f.dir.path().join("rows.csv")).unwrap();
    assert_eq!(listed, csv.lines().next().unwrap().replace(',', ", "));
    assert!(listed.ends_with(", path"), "{listed}");
}
