//! The slow end-to-end tests in one binary: the real explorer in tmux, `kill -9` during an estimate and
//! during labeling, concurrent writers on one workspace, and the explorer's open benchmark (ignored).

use std::sync::Mutex;

#[path = "../common/mod.rs"]
mod common;
#[path = "../tmux_support/mod.rs"]
mod tmux_support;
#[path = "../tui_support/mod.rs"]
mod tui_support;

/// One heavy test at a time across the modules that take it: each starts the real binary (some train)
/// and the build machine has two cores. One lock for the binary, as each file had one of its own when it
/// was a binary of its own.
pub static SERIAL: Mutex<()> = Mutex::new(());

mod reliability_concurrency;
mod reliability_kill;
mod tui_open_bench;
mod tui_tmux;
mod tui_tmux_theme;
