//! End to end: the real explorer in a tmux pane whose window style is black on white (a light terminal),
//! with the default `theme = "auto"`. Read back with `capture-pane -e`, no cell of the ranked list is
//! drawn white (or near white) on the default background, as the dark theme's plain text once was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tmux_support;
use crate::tui_support;

use std::time::{Duration, Instant};
use tmux_support::{Tmux, SLOW};

const EXE: &str = env!("CARGO_BIN_EXE_cscore");

/// Foreground and background of one cell, as SGR parameters say them (`None`: the default).
#[derive(Debug, Clone, Default, PartialEq)]
struct Pen {
    fg: Option<String>,
    bg: Option<String>,
}

impl Pen {
    /// Applies the parameters of one `ESC [ … m`.
    fn apply(&mut self, params: &str) {
        let p: Vec<&str> = if params.is_empty() { vec!["0"] } else { params.split(';').collect() };
        let mut k = 0;
        while k < p.len() {
            let n: u32 = p[k].parse().unwrap_or(0);
            let extended = |k: usize| match p.get(k + 1) {
                Some(&"5") => (Some(format!("5;{}", p.get(k + 2).unwrap_or(&""))), 3),
                Some(&"2") => (Some(p[k + 2..(k + 5).min(p.len())].join(";").replace(';', ",")), 5),
                _ => (None, 1),
            };
            match n {
                0 => *self = Pen::default(),
                30..=37 | 90..=97 => self.fg = Some(n.to_string()),
                39 => self.fg = None,
                40..=47 | 100..=107 => self.bg = Some(n.to_string()),
                49 => self.bg = None,
                38 | 48 => {
                    let (colour, used) = extended(k);
                    if n == 38 {
                        self.fg = colour;
                    } else {
                        self.bg = colour;
                    }
                    k += used - 1;
                }
                _ => {}
            }
            k += 1;
        }
    }

    /// White or nearly: the plain SGR whites, the palette's whites and greys above 220.
    fn fg_is_white(&self) -> bool {
        let Some(fg) = &self.fg else { return false };
        match fg.as_str() {
            "37" | "97" | "5;7" | "5;15" | "5;231" | "5;254" | "5;255" | "5;253" => true,
            rgb if rgb.contains(',') => rgb.split(',').all(|c| c.parse::<u32>().is_ok_and(|v| v >= 220)),
            _ => false,
        }
    }
}

/// Each visible character of a `capture-pane -e` line with the pen it is drawn in.
fn cells(line: &str) -> Vec<(char, Pen)> {
    let mut pen = Pen::default();
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            let mut params = String::new();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    if c == 'm' {
                        pen.apply(&params);
                    }
                    break;
                }
                params.push(c);
            }
        } else {
            out.push((c, pen.clone()));
        }
    }
    out
}

#[test]
fn on_a_white_pane_the_list_is_not_drawn_white() {
    let f = tui_support::fixture(120);
    let dir = f.dir.path();
    // the explorer starts once the window style is set, so that the terminal's answer is the white one
    let line = format!(
        "sh -c \"while [ ! -e go ]; do sleep 0.05; done; env -u COLORFGBG -u NO_COLOR '{EXE}' explore '{}' --no-train; sleep 600\"",
        f.workspace.display()
    );
    let tmux = Tmux::start(dir, 120, 30, &line);
    tmux.run(&["set", "-g", "window-style", "fg=black,bg=white"]);
    std::fs::write(dir.join("go"), "").unwrap();
    tmux.wait_for("ranked list · 120 of 120");
    // the list is drawn; give the follow-up frame (the first recomputation) its turn
    let start = Instant::now();
    let screen = loop {
        let screen = tmux.run(&["capture-pane", "-e", "-p", "-t", "e2e"]);
        if screen.contains("index") || start.elapsed() > SLOW {
            break screen;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines.iter().position(|l| l.contains("ranked list")).unwrap();
    let mut checked = 0;
    for (y, line) in lines.iter().enumerate().skip(top + 1).take(20) {
        // the list pane is the left part, up to its right border
        for (x, (c, pen)) in cells(line).into_iter().enumerate().take(70) {
            if c.is_alphanumeric() || c == '.' {
                checked += 1;
                assert!(
                    !(pen.fg_is_white() && pen.bg.is_none()),
                    "row {y} column {x} {c:?} is white on the default (white) background: {pen:?}\n{line:?}"
                );
            }
        }
    }
    assert!(checked > 200, "only {checked} cells of text read back:\n{screen}");
    tmux.keys(&["q"]);
}

#[test]
fn the_pen_follows_sgr() {
    let cells = cells("a\x1b[97mb\x1b[39mc\x1b[38;5;15md\x1b[0;48;2;1;2;3me\x1b[38;2;250;250;250mf");
    let white: Vec<bool> = cells.iter().map(|(_, p)| p.fg_is_white()).collect();
    assert_eq!(white, [false, true, false, true, false, true]);
    assert_eq!(cells[4].1.bg.as_deref(), Some("1,2,3"));
}
