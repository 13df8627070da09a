//! Nothing heavy runs inside `App::update`: label writes go to the workspace thread (a key press returns
//! while another connection holds the write lock, and the tag shows only once committed), a bulk tag is
//! one transaction, the figures that depend on the estimate are recomputed by a job, and quitting still
//! saves what was queued.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tui_support;

use crossterm::event::{KeyCode, KeyEvent};
use cscore::store::{StoreError, Workspace};
use cscore::tui::views::{draw, ViewState};
use cscore::tui::{App, Background, Command, Event, Request, SortColumn, WorkerMsg};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tui_support::{explorer, fixture, fixture_with_runs, run, WAIT};

const QUIET: Duration = Duration::from_secs(3600);

/// Keys as typed, without waiting for the background (only its requests are started).
fn keys(app: &mut App, bg: &Background, text: &str) {
    for c in text.chars() {
        let code = if c == '\n' { KeyCode::Enter } else { KeyCode::Char(c) };
        app.update(Event::Key(KeyEvent::from(code)));
        app.settle();
        bg.dispatch(app);
    }
}

/// Holds the workspace's write lock from another connection (as the estimator does while it commits a
/// run) until the returned sender is dropped.
fn hold_write_lock(path: &Path) -> (mpsc::Sender<()>, JoinHandle<()>) {
    let (release, released) = mpsc::channel::<()>();
    let (ready, is_ready) = mpsc::channel();
    let path = path.to_path_buf();
    let holder = std::thread::spawn(move || {
        let ws = Workspace::open(&path).unwrap();
        ws.transaction(|ws| -> Result<(), StoreError> {
            ws.set_config("lock_holder", "1")?;
            ready.send(()).unwrap();
            let _ = released.recv();
            Ok(())
        })
        .unwrap();
    });
    is_ready.recv().unwrap();
    (release, holder)
}

fn stored_tag(path: &Path, example: usize) -> Option<String> {
    Workspace::open(path).unwrap().tag_row(example).unwrap().and_then(|r| r.tag)
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| draw(f, app, &mut ViewState::default())).unwrap();
    terminal.backend().to_string()
}

#[test]
fn a_label_never_waits_for_another_writer_and_shows_once_committed() {
    let f = fixture(100);
    let (mut app, mut bg) = explorer(&f, QUIET);
    let (release, holder) = hold_write_lock(&f.workspace);
    let started = Instant::now();
    keys(&mut app, &bg, ":13\no");
    let took = started.elapsed();
    // The lock is still held: a key press that wrote synchronously could not have returned yet.
    assert_eq!(app.saving, 1);
    assert_eq!(app.tags.tag(13), None, "not shown before it is committed");
    assert!(screen(&app).contains("saving"), "{}", screen(&app));
    assert!(!bg.pump_until(&mut app, Duration::from_millis(300), |a| a.saving == 0), "waits for the lock");
    assert_eq!(stored_tag(&f.workspace, 13), None);
    // the explorer stays usable meanwhile
    let row = app.list.cursor();
    keys(&mut app, &bg, "j");
    assert_eq!(app.list.cursor(), row + 1);
    assert!(app.message.is_none());
    let status = screen(&app).lines().rev().nth(1).unwrap().to_string();
    assert!(status.contains("saving…"), "the status bar says so while it waits: {status}");
    drop(release);
    holder.join().unwrap();
    assert!(bg.pump_until(&mut app, WAIT, |a| a.saving == 0));
    assert_eq!(app.tags.tag(13), Some("ok"));
    assert_eq!(stored_tag(&f.workspace, 13).as_deref(), Some("ok"));
    assert_eq!(app.message.as_ref().map(|m| m.text.as_str()), Some("#13 tagged ok"));
    assert!(!screen(&app).contains("saving"));
    eprintln!("the key presses took {took:?} while another connection held the write lock");
}

/// Every distinct count of tagged rows another connection sees until `until` rows are tagged (or 60 s).
fn watch_counts(path: PathBuf, until: usize) -> JoinHandle<BTreeSet<usize>> {
    std::thread::spawn(move || {
        let ws = Workspace::open(&path).unwrap();
        let started = Instant::now();
        let mut seen = BTreeSet::new();
        loop {
            let n = ws.tags().unwrap().iter().filter(|r| r.tag.is_some()).count();
            seen.insert(n);
            if n == until || started.elapsed() > WAIT {
                return seen;
            }
        }
    })
}

#[test]
fn tagging_every_shown_row_is_one_transaction() {
    let n = 20_000;
    let f = fixture(n);
    let (mut app, mut bg) = explorer(&f, QUIET);
    keys(&mut app, &bg, "Ad");
    let watcher = watch_counts(f.workspace.clone(), n);
    let started = Instant::now();
    keys(&mut app, &bg, "y");
    assert!(started.elapsed() < Duration::from_secs(5), "confirming must not write on the UI task");
    assert!(bg.pump_until(&mut app, WAIT, |a| a.saving == 0));
    let seen = watcher.join().unwrap();
    assert_eq!(seen.into_iter().filter(|&c| c != 0).collect::<Vec<_>>(), [n], "all rows at once, or none");
    assert_eq!(app.message.as_ref().map(|m| m.text.as_str()), Some("20000 examples tagged duplicate"));
    assert_eq!(app.tags.counts().get("duplicate"), Some(&n));
    // undoing it is one transaction too
    let watcher = std::thread::spawn({
        let path = f.workspace.clone();
        move || {
            let ws = Workspace::open(&path).unwrap();
            let mut seen = BTreeSet::new();
            let started = Instant::now();
            while seen.insert(ws.tags().unwrap().len()) || !seen.contains(&0) {
                if started.elapsed() > WAIT {
                    break;
                }
            }
            seen
        }
    });
    keys(&mut app, &bg, "u");
    assert!(bg.pump_until(&mut app, WAIT, |a| a.saving == 0));
    let seen = watcher.join().unwrap();
    assert!(seen.iter().all(|&c| c == 0 || c == n), "{seen:?}");
    assert!(app.tags.counts().is_empty());
}

#[test]
fn recomputing_happens_on_a_job_and_keeps_what_the_user_changed_meanwhile() {
    let f = fixture_with_runs(200, 5);
    let (mut app, mut bg) = explorer(&f, QUIET);
    assert!(app.scores.evals.iter().all(|&e| e == 5));
    app.update(Event::Worker(WorkerMsg::Committed(Box::new(run(5, &f.labels)))));
    app.settle();
    assert!(app.scores.evals.iter().all(|&e| e == 5), "nothing was recomputed on the UI task");
    assert_eq!(app.est.done(), 7, "the status bar counts the run at once");
    let job = app.take_requests().into_iter().find_map(|r| match r {
        Request::Recompute(input) => Some(input),
        _ => None,
    });
    let job = job.expect("a recomputation was asked for");
    // the user sorts by index while the job runs: its C-score order is not taken
    app.update(Event::Command(Command::SortNext));
    assert_eq!(app.list.sort.column, SortColumn::Index);
    app.update(Event::Recomputed(Box::new(job.run())));
    assert!(app.scores.evals.iter().all(|&e| e == 6));
    assert_eq!(app.list.order(), (0..200).collect::<Vec<u32>>());
    // the next one runs on the job thread, and its order is taken as is
    app.update(Event::Command(Command::SortNext));
    app.update(Event::Worker(WorkerMsg::Committed(Box::new(run(6, &f.labels)))));
    assert!(bg.pump_idle(&mut app, WAIT));
    assert!(app.scores.evals.iter().all(|&e| e == 7));
    let labels = &app.data.dataset.labels;
    assert!(app.list.order().windows(2).all(|w| labels[w[0] as usize] <= labels[w[1] as usize]));
}

#[test]
fn quitting_saves_what_is_queued() {
    let f = fixture(50);
    let (mut app, bg) = explorer(&f, QUIET);
    let (release, holder) = hold_write_lock(&f.workspace);
    keys(&mut app, &bg, ":7\nO");
    assert_eq!(app.saving, 1);
    assert!(!bg.finish(Duration::from_millis(200)), "still saving while the lock is held");
    drop(release);
    holder.join().unwrap();
    let started = Instant::now();
    while stored_tag(&f.workspace, 7).is_none() {
        assert!(started.elapsed() < WAIT, "the queued write was lost");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(stored_tag(&f.workspace, 7).as_deref(), Some("ood"));
}

#[test]
fn undo_right_after_a_tag_undoes_that_tag() {
    let f = fixture(50);
    let (mut app, mut bg) = explorer(&f, QUIET);
    keys(&mut app, &bg, ":9\na");
    assert!(bg.pump_until(&mut app, WAIT, |a| a.saving == 0));
    // no wait between the keys: the undo waits for the write before it
    keys(&mut app, &bg, "du");
    assert!(bg.pump_idle(&mut app, WAIT));
    assert_eq!(stored_tag(&f.workspace, 9).as_deref(), Some("ambiguous"), "d was undone, not a");
    assert_eq!(app.tags.tag(9), Some("ambiguous"));
    assert_eq!(app.message.as_ref().map(|m| m.text.as_str()), Some("undone: 1 example"));
}
