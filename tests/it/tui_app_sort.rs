//! `App::update` through the keymap on the rich fixture (three ratios, injected examples, proxies):
//! sorting by held-out prediction, by the chosen proxy and by held-out evaluations in both directions
//! (missing values last either way), and the injected filter showing exactly the injected examples.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tui_support;

use crossterm::event::{KeyCode, KeyEvent};
use cscore::store::Workspace;
use cscore::tui::{App, Background, Event, SortColumn};
use std::collections::BTreeSet;
use std::time::Duration;
use tui_support::{explorer, rich_fixture, WAIT};

fn press(app: &mut App, bg: &mut Background, keys: &str) {
    for c in keys.chars() {
        app.update(Event::Key(KeyEvent::from(KeyCode::Char(c))));
        assert!(bg.pump_idle(app, WAIT));
    }
}

/// The top line of the screen at 120×30.
fn top_bar(app: &App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 30)).unwrap();
    terminal
        .draw(|f| cscore::tui::views::draw(f, app, &mut cscore::tui::views::ViewState::default()))
        .unwrap();
    let buf = terminal.backend().buffer();
    (0..120).map(|x| buf[(x, 0)].symbol().to_string()).collect()
}

/// Presses `s` until the list sorts by `column`.
fn sort_by(app: &mut App, bg: &mut Background, column: SortColumn) {
    for _ in 0..SortColumn::ALL.len() {
        if app.list.sort.column == column {
            return;
        }
        press(app, bg, "s");
    }
    panic!("s never reached {column:?}");
}

/// Checks that `key` is ordered along the list (ascending, or descending), missing values last.
fn ordered<T: PartialOrd + std::fmt::Debug>(app: &App, key: impl Fn(usize) -> Option<T>, descending: bool) {
    let keys: Vec<Option<T>> = app.list.order().iter().map(|&i| key(i as usize)).collect();
    let present = keys.iter().take_while(|k| k.is_some()).count();
    assert!(keys[present..].iter().all(Option::is_none), "missing values come last");
    for w in keys[..present].windows(2) {
        let (a, b) = (w[0].as_ref().unwrap(), w[1].as_ref().unwrap());
        assert!(if descending { a >= b } else { a <= b }, "{a:?} then {b:?}");
    }
}

#[test]
fn sorting_by_prediction_proxy_and_evals() {
    let f = rich_fixture(200);
    // a proxy with gaps: every fifth example has no value
    let gappy: Vec<f32> = (0..200).map(|i| if i % 5 == 0 { f32::NAN } else { (i % 13) as f32 }).collect();
    Workspace::open(&f.workspace).unwrap().set_proxy_scores("aum", &gappy).unwrap();
    let (mut app, mut bg) = explorer(&f, Duration::from_secs(3600));

    sort_by(&mut app, &mut bg, SortColumn::Prediction);
    let prediction = |a: &App, i: usize| a.scores.prediction(i);
    ordered(&app, |i| prediction(&app, i), false);
    let distinct: BTreeSet<u32> = (0..200).filter_map(|i| prediction(&app, i)).collect();
    assert!(distinct.len() > 1, "the fixture predicts several classes");
    press(&mut app, &mut bg, "S");
    ordered(&app, |i| prediction(&app, i), true);
    press(&mut app, &mut bg, "S");

    sort_by(&mut app, &mut bg, SortColumn::Proxy);
    while app.chosen_proxy().unwrap().name != "aum" {
        press(&mut app, &mut bg, "p");
    }
    let rank = |a: &App, i: usize| Some(a.chosen_proxy().unwrap().rank[i]).filter(|&r| r > 0);
    ordered(&app, |i| rank(&app, i), false);
    assert_eq!(app.list.order().iter().filter(|&&i| rank(&app, i as usize).is_none()).count(), 40);
    assert_eq!(rank(&app, app.list.order()[0] as usize), Some(1), "the most irregular first");
    press(&mut app, &mut bg, "S");
    ordered(&app, |i| rank(&app, i), true);
    assert!(app.list.order()[199] % 5 == 0, "missing still last when descending");
    // another proxy reorders the list by its own ranks
    press(&mut app, &mut bg, "p");
    let name = app.chosen_proxy().unwrap().name.clone();
    assert_ne!(name, "aum");
    ordered(&app, |i| rank(&app, i), true);
    assert!(top_bar(&app).contains(&format!("sort {name} ▼")), "the bar names the proxy: {}", top_bar(&app));
    press(&mut app, &mut bg, "S");

    sort_by(&mut app, &mut bg, SortColumn::Evals);
    assert!(top_bar(&app).contains("sort held-out evals ▲"), "{}", top_bar(&app));
    let evals = |a: &App, i: usize| Some(a.scores.evals[i]);
    ordered(&app, |i| evals(&app, i), false);
    let distinct: BTreeSet<u32> = (0..200).map(|i| app.scores.evals[i]).collect();
    assert!(distinct.len() > 1, "held-out evaluations differ: {distinct:?}");
    press(&mut app, &mut bg, "S");
    ordered(&app, |i| evals(&app, i), true);
}

#[test]
fn the_injected_filter_shows_exactly_the_injected_examples() {
    let f = rich_fixture(200);
    let (mut app, mut bg) = explorer(&f, Duration::from_secs(3600));
    let injected: BTreeSet<u32> = (0..200u32).filter(|&i| app.data.injected[i as usize].is_some()).collect();
    assert_eq!(injected.len(), 14, "5% label noise and 2% out-of-distribution of 200");
    press(&mut app, &mut bg, "i");
    assert!(app.list.filter.injected);
    assert_eq!(app.list.order().iter().copied().collect::<BTreeSet<u32>>(), injected);
    // with another filter on top, both apply
    press(&mut app, &mut bg, "x");
    assert!(!app.list.order().is_empty());
    assert!(app.list.order().iter().all(|&i| injected.contains(&i) && app.suggested(i as usize).is_some()));
    press(&mut app, &mut bg, "xi");
    assert_eq!(app.list.order().len(), 200);
}

/// By C-score, examples of one C-score come in the fused estimate's order (most irregular first when
/// ascending, the reverse when descending; those without it last), then by index.
#[test]
fn cscore_ties_are_ordered_by_the_fused_estimate() {
    let f = rich_fixture(200);
    // fused: descending in the index, so that the index order and the fused order differ; a gap at 7
    let fused: Vec<f32> = (0..200).map(|i| if i == 7 { f32::NAN } else { 1.0 - i as f32 / 200.0 }).collect();
    Workspace::open(&f.workspace).unwrap().set_proxy_scores("fused", &fused).unwrap();
    let (mut app, mut bg) = explorer(&f, Duration::from_secs(3600));
    sort_by(&mut app, &mut bg, SortColumn::CScore);
    let order = app.list.order().to_vec();
    let cscore = app.scores.cscore.clone();
    let c = |i: u32| cscore[i as usize];
    let key = |i: u32| if i == 7 { f32::INFINITY } else { fused[i as usize] };
    let mut ties = 0;
    for w in order.windows(2).filter(|w| !c(w[0]).is_nan() && c(w[0]) == c(w[1])) {
        assert!(key(w[0]) <= key(w[1]), "{} then {} at C-score {}", w[0], w[1], c(w[0]));
        ties += 1;
    }
    assert!(ties > 20, "the fixture has ties: {ties}");
    press(&mut app, &mut bg, "S");
    let order = app.list.order().to_vec();
    for w in order.windows(2).filter(|w| !c(w[0]).is_nan() && c(w[0]) == c(w[1]) && w[0] != 7 && w[1] != 7) {
        assert!(key(w[0]) >= key(w[1]), "descending: {} then {}", w[0], w[1]);
    }
}
