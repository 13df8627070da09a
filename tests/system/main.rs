//! The slow end-to-end tests in one binary: the real explorer in tmux, `kill -9` during an estimate and
//! during labeling, concurrent writers on one workspace, and the explorer's open benchmark (ignored).
//! Named to sort after `it` (cargo runs test targets in name order): the explorers and tmux servers these
//! tests start take a moment to go away, which `it`'s timing-sensitive tests (`cli::kill_9_…`, a window of
//! about 0.1 s) should not run beside.

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
