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
