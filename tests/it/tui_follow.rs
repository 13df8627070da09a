//! Following a workspace another connection fills: runs, tags and proxies it commits reach the explorer's
//! state; and labels made meanwhile are never undone in memory by a tags snapshot, nor their undo
//! skipped, however the follower's reads and this session's writes interleave.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tui_support;

use crossterm::event::{KeyCode, KeyEvent};
use cscore::store::Workspace;
use cscore::tui::{App, Background, Event, StoreChange};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tui_support::{explorer, fixture, fixture_with_runs, run, RUNS, WAIT};

fn keys(app: &mut App, bg: &mut Background, text: &str) {
    for c in text.chars() {
        let code = if c == '\n' { KeyCode::Enter } else { KeyCode::Char(c) };
        app.update(Event::Key(KeyEvent::from(code)));
        assert!(bg.pump_until(app, WAIT, |a| a.saving == 0), "the write of {c:?} was not saved");
    }
}

#[test]
fn runs_tags_and_proxies_another_connection_commits_reach_the_explorer() {
    let f = fixture_with_runs(150, 3);
    let (mut app, mut bg) = explorer(&f, Duration::from_millis(20));
    assert_eq!((app.est.done(), app.est.total()), (4, 11), "the proxy run and three holdout runs");
    assert!(app.scores.evals.iter().all(|&e| e == 3));
    let other = Workspace::open(&f.workspace).unwrap();
    for r in 3..RUNS {
        assert!(other.insert_run(&run(r, &f.labels)).unwrap());
        std::thread::sleep(Duration::from_millis(15));
    }
    other.set_tag(42, Some("ood"), None).unwrap();
    other.set_note(43, Some("seen elsewhere")).unwrap();
    other.set_proxy_scores("el2n", &vec![0.5; 150]).unwrap();
    let caught_up = bg.pump_until(&mut app, WAIT, |a| {
        a.est.done() == 11
            && a.tags.tag(42) == Some("ood")
            && a.data.proxies.iter().any(|p| p.name == "el2n")
            && !a.busy()
    });
    assert!(caught_up, "done {} of {}, tag {:?}", app.est.done(), app.est.total(), app.tags.tag(42));
    assert!(app.scores.evals.iter().all(|&e| e == RUNS), "scores recomputed with every run");
    assert_eq!(app.est.new_runs, 7, "runs committed while following count towards the rate");
    assert_eq!(app.tags.note(43).as_deref(), Some("seen elsewhere"));
    assert_eq!(app.tags.session_counts().len(), 0, "another explorer's tags are not this session's");
    // the list follows too: C-scores are now (i mod 10) / 10 with ten runs
    assert!((app.scores.cscore[17] - 0.7).abs() < 1e-6);
    assert!(app.message.is_none(), "{:?}", app.message);
}

#[test]
fn a_tags_snapshot_never_undoes_a_fresh_label_nor_makes_its_undo_skip() {
    let f = fixture(120);
    // the follower reads the tags every millisecond while another connection keeps changing them
    let (mut app, mut bg) = explorer(&f, Duration::from_millis(1));
    let stop = Arc::new(AtomicBool::new(false));
    let churn = std::thread::spawn({
        let (path, stop) = (f.workspace.clone(), stop.clone());
        move || {
            let ws = Workspace::open(&path).unwrap();
            let mut k = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let tag = if k.is_multiple_of(2) { Some("ambiguous") } else { None };
                ws.set_tag(100 + k % 10, tag, None).unwrap();
                k += 1;
            }
            k
        }
    });
    keys(&mut app, &mut bg, ":7\n");
    let sequence = ["o", "a", "d", "O", "o", "a", "d", "O"];
    for round in 0..3 {
        for key in sequence {
            keys(&mut app, &mut bg, key);
            let expected = app.tags.tag(7).map(str::to_string);
            assert!(expected.is_some(), "round {round}: {key} shows once saved");
            // whatever the follower sends next, example 7 keeps what was committed
            let kept = Cell::new(true);
            bg.pump_until(&mut app, Duration::from_millis(40), |a| {
                kept.set(kept.get() && a.tags.tag(7) == expected.as_deref());
                false
            });
            assert!(kept.get(), "round {round}: a snapshot undid {expected:?} on example 7");
        }
    }
    // every undo finds example 7 as the step left it: none is skipped
    for _ in 0..sequence.len() {
        keys(&mut app, &mut bg, "u");
        let text = app.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
        assert_eq!(text, "undone: 1 example", "{text}");
    }
    stop.store(true, Ordering::Relaxed);
    let writes = churn.join().unwrap();
    assert!(writes > 20, "the other connection kept writing ({writes} writes)");
    let stored = Workspace::open(&f.workspace).unwrap().tag_row(7).unwrap().and_then(|r| r.tag);
    // eight steps undone: back to the end of the second round, whose last key was O
    assert_eq!(stored.as_deref(), Some("ood"));
    assert_eq!(app.tags.tag(7), Some("ood"));
}

#[test]
fn a_snapshot_read_before_a_label_write_keeps_the_label_and_takes_the_rest() {
    let f = fixture(60);
    let (mut app, mut bg) = explorer(&f, Duration::from_secs(3600));
    let other = Workspace::open(&f.workspace).unwrap();
    other.set_tag(9, Some("duplicate"), None).unwrap();
    // what a follower read before this session's first label write (and delivered after it)
    let stale = other.tags().unwrap();
    keys(&mut app, &mut bg, ":7\no");
    assert_eq!(app.tags.tag(7), Some("ok"));
    app.update(Event::Store(StoreChange { tags: Some(stale.clone()), writes_seen: 0, ..Default::default() }));
    assert_eq!(app.tags.tag(7), Some("ok"), "the snapshot predates the write: the label stays");
    assert_eq!(app.tags.tag(9), Some("duplicate"), "the other explorer's label arrives");
    // a snapshot read after the write is taken as it is
    app.update(Event::Store(StoreChange { tags: Some(stale), writes_seen: 1, ..Default::default() }));
    assert_eq!(app.tags.tag(7), None, "read after write 1 without example 7: someone cleared it");
    app.update(Event::Store(StoreChange {
        tags: Some(other.tags().unwrap()),
        writes_seen: 1,
        ..Default::default()
    }));
    assert_eq!(app.tags.tag(7), Some("ok"));
    keys(&mut app, &mut bg, "u");
    assert_eq!(app.message.as_ref().map(|m| m.text.as_str()), Some("undone: 1 example"));
    assert_eq!(other.tag_row(7).unwrap(), None);
    assert_eq!(app.tags.tag(7), None);
}

fn shown(app: &App) -> Option<String> {
    app.chosen_proxy().map(|p| p.name.clone())
}

fn stored_proxy(app: &mut App, bg: &mut Background, other: &Workspace, name: &str) {
    other.set_proxy_scores(name, &vec![0.5; app.data.len()]).unwrap();
    let arrived = bg.pump_until(app, WAIT, |a| a.data.proxies.iter().any(|p| p.name == name) && !a.busy());
    assert!(arrived, "{name} did not reach the explorer");
}

/// A live estimate stores its proxies one by one: the list shows the default (`fused`) as soon as it
/// exists, whatever arrived first, until the user picks one with `p`; that one stays.
#[test]
fn the_list_shows_fused_as_soon_as_it_exists_unless_the_user_picked_a_proxy() {
    let f = fixture_with_runs(150, 3);
    let (mut app, mut bg) = explorer(&f, Duration::from_millis(20));
    assert_eq!(shown(&app).as_deref(), Some("learning_speed"), "the only proxy so far");
    let other = Workspace::open(&f.workspace).unwrap();
    stored_proxy(&mut app, &mut bg, &other, "class_density");
    assert_eq!(shown(&app).as_deref(), Some("learning_speed"), "another proxy does not take the column");
    stored_proxy(&mut app, &mut bg, &other, "fused");
    assert_eq!(shown(&app).as_deref(), Some("fused"), "the default shows once it exists");
    // proxies are in name order: class_density, fused, learning_speed
    keys(&mut app, &mut bg, "p");
    assert_eq!(shown(&app).as_deref(), Some("learning_speed"));
    stored_proxy(&mut app, &mut bg, &other, "aum");
    other.set_proxy_scores("fused", &vec![0.25; 150]).unwrap();
    let refreshed = bg.pump_until(&mut app, WAIT, |a| {
        a.data.proxies.iter().any(|p| p.name == "fused" && p.scores[0] == 0.25) && !a.busy()
    });
    assert!(refreshed);
    assert_eq!(shown(&app).as_deref(), Some("learning_speed"), "the user's pick stays");
}

/// A proxy the config names shows as soon as it exists, even where the default arrived first.
#[test]
fn the_configured_proxy_shows_as_soon_as_it_exists() {
    use cscore::data::LoadOptions;
    use cscore::project::Project;
    use cscore::tui::{Config, ExploreSession, FollowFrom};
    let f = fixture_with_runs(150, 3);
    let project = Project::open(&f.data, &LoadOptions::default(), Some(&f.workspace), None).unwrap();
    let plan = cscore::estimate::stored_plan(&project.workspace).unwrap();
    let config = Config { proxy: Some("aum".into()), ..Config::default() };
    let session = ExploreSession::open(project, plan, &config, Some("dark"), None).unwrap();
    let from = FollowFrom {
        path: f.workspace.clone(),
        last_run_id: session.last_run_id,
        have_plan: true,
        poll: Duration::from_millis(20),
    };
    let mut bg = Background::start(from);
    let mut app = session.app;
    assert!(bg.pump_idle(&mut app, WAIT));
    let other = Workspace::open(&f.workspace).unwrap();
    stored_proxy(&mut app, &mut bg, &other, "fused");
    assert_eq!(shown(&app).as_deref(), Some("fused"));
    stored_proxy(&mut app, &mut bg, &other, "aum");
    assert_eq!(shown(&app).as_deref(), Some("aum"), "the configured proxy once it exists");
}

/// A proxy stored after the session loaded its proxies and before the workspace thread started still
/// reaches the explorer (the thread once took the proxies it found at its start as already known).
#[test]
fn a_proxy_stored_while_the_explorer_opens_is_not_lost() {
    use cscore::tui::FollowFrom;
    let f = fixture_with_runs(150, 3);
    let session = tui_support::open_session(&f);
    Workspace::open(&f.workspace).unwrap().set_proxy_scores("fused", &vec![0.5; 150]).unwrap();
    let from = FollowFrom {
        path: f.workspace.clone(),
        last_run_id: session.last_run_id,
        have_plan: true,
        poll: Duration::from_millis(20),
    };
    let mut bg = Background::start(from);
    let mut app = session.app;
    let arrived = bg.pump_until(&mut app, WAIT, |a| a.data.proxies.iter().any(|p| p.name == "fused"));
    assert!(arrived, "the proxy stored while opening never arrived");
    assert_eq!(shown(&app).as_deref(), Some("fused"));
}
