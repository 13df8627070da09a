//! Imported reference scores (`import-scores`, stored as `ref_<name>`) in the explorer: a score column
//! of the list like the proxies, ranked in the preview, and compared with the C-score (ρ, τ, and AUROC/AP
//! against injected ground truth) in the comparison view.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tui_support;

use crossterm::event::{KeyCode, KeyEvent};
use cscore::data::LoadOptions;
use cscore::project::Project;
use cscore::store::Workspace;
use cscore::tui::views::{draw, ViewState};
use cscore::tui::{App, Event, Request};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tui_support::{fixture, open_app};

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let ev = KeyEvent::from(if c == '\n' { KeyCode::Enter } else { KeyCode::Char(c) });
        app.update(Event::Key(ev));
        app.settle();
    }
}

fn screen(app: &mut App) -> String {
    app.update(Event::Resize(160, 48));
    app.settle();
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal.draw(|f| draw(f, app, &mut ViewState::default())).unwrap();
    terminal.backend().to_string()
}

#[test]
fn references_are_a_score_column_ranked_in_the_preview_and_compared() {
    let f = fixture(120);
    let ws = Workspace::open(&f.workspace).unwrap();
    ws.set_config("corruption", r#"{"label_noise":0.1,"ood":0.0,"noise_seed":1}"#).unwrap();
    let project = Project::open(&f.data, &LoadOptions::default(), Some(&f.workspace), None).unwrap();
    let bad: Vec<usize> = project.injected.iter().map(|r| r.example).collect();
    drop(project);
    assert_eq!(bad.len(), 12);
    // Low on exactly the injected examples, lowest of all on the first of them.
    let reference: Vec<f32> = (0..120)
        .map(|i| match bad.iter().position(|&b| b == i) {
            Some(0) => 0.0,
            Some(_) => 0.1,
            None => 0.5 + (i % 10) as f32 / 20.0,
        })
        .collect();
    ws.set_reference_scores("paper", &reference, "test").unwrap();
    let mut app = open_app(&f);
    let names: Vec<&str> = app.data.proxies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["learning_speed", "ref_paper"]);

    // `p` makes it the list's score column.
    while app.chosen_proxy().is_some_and(|p| p.name != "ref_paper") {
        press(&mut app, "p");
    }
    let list = screen(&mut app);
    let header = list.lines().nth(2).unwrap();
    assert!(header.contains(" ref_paper "), "the list's score column, named in full: {list}");

    // The preview shows it with its rank: #1 is the most irregular, the example it scores lowest.
    press(&mut app, &format!(":{}\n", bad[0]));
    assert_eq!(app.selected(), Some(bad[0]));
    let preview = screen(&mut app);
    let line = preview.lines().find(|l| l.contains("▸ref_paper")).unwrap_or_else(|| panic!("{preview}"));
    assert!(line.contains("0.000") && line.contains("#1 "), "{line}");

    // The comparison view asks for a comparison that includes it, computed as the explorer's job does.
    app.take_requests();
    press(&mut app, "4");
    let cscore = app
        .take_requests()
        .into_iter()
        .find_map(|r| match r {
            Request::Compare { cscore } => Some(cscore),
            _ => None,
        })
        .expect("a comparison request");
    let c = app.data.comparison_input(cscore).compare(10);
    let corr = c.correlations.iter().find(|k| k.a == "cscore" && k.b == "ref_paper").unwrap();
    assert!(corr.spearman.is_some() && corr.kendall.is_some(), "{corr:?}");
    let d = c.detection.iter().find(|d| d.name == "ref_paper").unwrap();
    assert_eq!((d.auroc, d.average_precision), (Some(1.0), Some(1.0)));
    assert!(c.disagreements.iter().any(|d| d.proxy == "ref_paper"));
    let rho = corr.spearman.unwrap();
    app.update(Event::Comparison(Box::new(Some(c))));
    let view = screen(&mut app);
    let row = view
        .lines()
        .find(|l| l.trim_start_matches(['"', '│']).starts_with("ref_paper "))
        .unwrap_or_else(|| panic!("{view}"));
    assert!(row.contains(&format!("{rho:.3}")) && row.contains("1.000"), "ρ and AUROC/AP in: {row}");
    assert!(view.contains("AUROC"), "{view}");
}
