//! The ranked list's columns, laid out from the pane's width: the chosen proxy first, then the interval,
//! then the chosen proxy's full name, and on wide panes more score columns, each only where its full name
//! fits (the fused estimate and the best training proxy beside the chosen one).

use crate::proxy::{FUSED, TRAINING_PROXIES};
use crate::tui::app::App;

/// Narrowest score column (a value like `0.123` and a sort arrow).
const SCORE_MIN: usize = 7;
/// Width of the interval column, `[0.00, 0.46]`.
pub const INTERVAL: usize = 13;
/// Room the tag column keeps.
const TAG_MIN: usize = 8;

/// One score column: which proxy (index into `data.proxies`) and how wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreColumn {
    /// Index into the app's proxies.
    pub proxy: usize,
    /// Width without the separating space.
    pub width: usize,
}

/// The list's columns at one width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// Width of the index column.
    pub index: usize,
    /// Width of the label column.
    pub label: usize,
    /// Whether the interval column shows.
    pub interval: bool,
    /// Width of the held-out prediction column.
    pub pred: usize,
    /// Score columns, the chosen proxy's first.
    pub scores: Vec<ScoreColumn>,
}

/// The proxies worth a column, most wanted first: the chosen one, the fused estimate, the best training
/// proxy present (in the paper's order, learning speed first).
fn wanted(app: &App) -> Vec<usize> {
    let proxies = &app.data.proxies;
    let at = |name: &str| proxies.iter().position(|p| p.name == name);
    let training = TRAINING_PROXIES.iter().find_map(|n| at(n));
    let mut out: Vec<usize> = Vec::new();
    for p in [app.proxy, at(FUSED), training].into_iter().flatten() {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

impl Columns {
    /// The columns for an inner pane `width` cells wide.
    pub fn fit(app: &App, width: usize) -> Columns {
        let index = app.data.len().saturating_sub(1).to_string().len().max(5);
        let names = app.data.dataset.class_names.iter().map(|n| n.chars().count()).max().unwrap_or(1);
        let label = names.clamp(5, 10);
        let pred = names.clamp(8, 10);
        let base = 2 + index + 1 + label + 1 + 5 + 1 + pred + 1 + TAG_MIN;
        let mut room = width.saturating_sub(base);
        let mut cols = Columns { index, label, interval: false, pred, scores: Vec::new() };
        let full =
            |p: usize| app.data.proxies.get(p).map_or(0, |s| s.name.chars().count() + 1).max(SCORE_MIN);
        let wanted = wanted(app);
        // the chosen proxy at its narrowest, then the interval, then its full name, then the others
        let chosen = app.proxy;
        if let Some(p) = chosen {
            cols.take(p, SCORE_MIN, &mut room);
        }
        if room > INTERVAL {
            room -= INTERVAL + 1;
            cols.interval = true;
        }
        if let Some(first) = cols.scores.first_mut() {
            let grow = (full(first.proxy) - first.width).min(room);
            first.width += grow;
            room -= grow;
        }
        // a further column only with its full name: a clipped one would be a guess
        for &p in wanted.iter().skip(usize::from(chosen.is_some())) {
            cols.take(p, full(p), &mut room);
        }
        cols
    }

    /// Adds a score column `width` wide when `room` holds it and its separating space.
    fn take(&mut self, proxy: usize, width: usize, room: &mut usize) -> bool {
        if *room <= width {
            return false;
        }
        *room -= width + 1;
        self.scores.push(ScoreColumn { proxy, width });
        true
    }
}
