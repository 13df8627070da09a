//! The preview pages through its text (`]`, `[`), so all of ~17 proxy scores can be read at 80×24: page 1
//! is the image with what fits below it, the next pages give the pane to the text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tui_support;

use cscore::tui::views::{draw, ViewState};
use cscore::tui::{App, Command, Event};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::collections::BTreeSet;
use std::time::Duration;
use tui_support::{add_proxies, explorer, fixture};

/// The preview pane (the right-hand columns) at 80×24.
fn pane(app: &App) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| draw(f, app, &mut ViewState::default())).unwrap();
    let buf = terminal.backend().buffer();
    (1..22).map(|y| (48..80).map(|x| buf[(x, y)].symbol().to_string()).collect()).collect()
}

#[test]
fn every_proxy_can_be_read_at_80x24() {
    let f = fixture(100);
    add_proxies(&f.workspace, 100, 16);
    let (mut app, _bg) = explorer(&f, Duration::from_secs(3600));
    app.update(Event::Resize(80, 24));
    assert_eq!(app.data.proxies.len(), 17);
    let pages = app.preview_pages();
    assert!(pages >= 2, "{pages} pages");
    let first = pane(&app);
    assert!(
        first.iter().take(6).any(|l| l.contains(['░', '▒', '▓', '█'])),
        "page 1 shows the image:\n{first:#?}"
    );
    assert!(first.iter().any(|l| l.contains(&format!("page 1/{pages}"))), "{first:#?}");
    let mut seen = BTreeSet::new();
    for page in 0..pages {
        assert_eq!(app.preview_page, page);
        let lines = pane(&app);
        if page > 0 {
            assert!(!lines.iter().any(|l| l.contains(['░', '▒', '▓', '█'])), "text pages have no image");
        }
        for p in app.data.proxies.iter() {
            if lines.iter().any(|l| l.contains(p.name.as_str())) {
                seen.insert(p.name.clone());
            }
        }
        app.update(Event::Command(Command::PreviewNext));
    }
    let all: BTreeSet<String> = app.data.proxies.iter().map(|p| p.name.clone()).collect();
    assert_eq!(seen, all, "every proxy shows on some page");
    assert_eq!(app.preview_page, 0, "] after the last page wraps to the image");
    app.update(Event::Command(Command::PreviewPrev));
    assert_eq!(app.preview_page, pages - 1, "[ from the image goes to the last page");
    // moving to another row keeps the page; a resize clamps it
    app.update(Event::Command(Command::Down));
    assert_eq!(app.preview_page, pages - 1);
    app.update(Event::Resize(200, 60));
    assert_eq!(app.preview_pages(), 1, "a big terminal shows everything at once");
    assert_eq!(app.preview_page, 0);
    // outside view 1 there is no preview to page
    app.update(Event::Command(Command::ViewProfile));
    app.update(Event::Command(Command::PreviewNext));
    assert_eq!(app.preview_page, 0);
    assert!(app.message.as_ref().is_some_and(|m| m.text.contains("view 1")));
}

/// A rank that does not fit the pane whole is left out, never cut: at 80×24 with 2,000 examples every
/// `#number` in the preview is the example's true rank (a clipped `#1,204` used to read `#1,2`).
#[test]
fn ranks_are_shown_whole_or_not_at_all() {
    let f = fixture(2000);
    add_proxies(&f.workspace, 2000, 4);
    let (mut app, _bg) = explorer(&f, Duration::from_secs(3600));
    app.update(Event::Resize(80, 24));
    for _ in 0..1500 {
        app.update(Event::Command(Command::Down));
    }
    let i = app.selected().unwrap();
    let mut ranks: Vec<String> = vec![fmt_count(app.scores.rank[i] as usize)];
    ranks.extend(app.data.proxies.iter().map(|p| fmt_count(p.rank[i] as usize)));
    assert!(ranks.iter().any(|r| r.len() >= 4), "{ranks:?}");
    let mut shown = 0;
    for _ in 0..app.preview_pages() {
        for line in pane(&app) {
            for token in line.split('#').skip(1) {
                let number: String = token.chars().take_while(|c| c.is_ascii_digit() || *c == ',').collect();
                let number = number.split('/').next().unwrap().trim_end_matches(',').to_string();
                if !number.is_empty() && !line.contains("example #") {
                    assert!(
                        ranks.contains(&number),
                        "#{number} is no rank of example {i} ({ranks:?}): {line:?}"
                    );
                    shown += 1;
                }
            }
        }
        app.update(Event::Command(Command::PreviewNext));
    }
    assert!(shown >= 1, "the C-score's rank fits at 80×24");
}

/// 1234567 → "1,234,567", as the explorer writes counts.
fn fmt_count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
