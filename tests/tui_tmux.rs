//! End to end: the real `cscore explore` in a tmux pane, driven by keys: open a workspace, sort, filter,
//! tag an example as mislabeled with a new class, export, quit; then the workspace and the export
//! hold the tag. Skips (with a note) where tmux is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod tui_support;

use cscore::store::Workspace;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tui_support::fixture;

struct Tmux<'a> {
    socket: &'a Path,
}

impl Tmux<'_> {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-S").arg(self.socket).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "e2e", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Waits until the screen shows `text`; returns the screen.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux<'_> {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

#[test]
fn sort_filter_tag_export_quit_in_tmux() {
    if !Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success()) {
        eprintln!(
            "note: tmux is not installed; skipping the end-to-end explorer test (apt-get install tmux)"
        );
        return;
    }
    let f = fixture(200);
    let dir = f.dir.path();
    let socket = dir.join("tmux.sock");
    let tmux = Tmux { socket: &socket };
    let command = format!(
        "cd '{dir}' && CSCORE_CONFIG='{dir}/no-config.toml' '{exe}' explore '{ws}' --no-train 2>'{dir}/stderr.txt'; echo EXITED $? >'{dir}/exit.txt'; sleep 60",
        dir = dir.display(),
        exe = env!("CARGO_BIN_EXE_cscore"),
        ws = f.workspace.display()
    );
    tmux.run(&["new-session", "-d", "-x", "110", "-y", "32", "-s", "e2e", &command]);
    tmux.wait_for("ranked list · 200 of 200");
    tmux.keys(&["s"]);
    tmux.wait_for("sort index ▲");
    tmux.keys(&["S"]);
    tmux.wait_for("sort index ▼");
    tmux.keys(&["c", "2", "Enter"]);
    tmux.wait_for("ranked list · 50 of 200");
    tmux.keys(&["g"]);
    let expected = (0..200).rev().find(|&i| f.labels[i] == 2).unwrap();
    tmux.wait_for(&format!("example #{expected} "));
    tmux.keys(&["m"]);
    tmux.wait_for("correct class");
    tmux.keys(&["3"]);
    tmux.wait_for(&format!("#{expected} tagged mislabeled → 3"));
    tmux.keys(&["E"]);
    tmux.wait_for("export 50 rows to");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("wrote 50 rows to {}", dir.join("fixture-selection.csv").display()));
    tmux.keys(&["q"]);
    let start = Instant::now();
    let exit = loop {
        if let Ok(text) = std::fs::read_to_string(dir.join("exit.txt")) {
            break text;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "the explorer did not quit:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(100));
    };
    let stderr = std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default();
    assert_eq!(exit.trim(), "EXITED 0", "stderr: {stderr}");
    let tags = Workspace::open(&f.workspace).unwrap().tags().unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!(
        (tags[0].example, tags[0].tag.as_deref(), tags[0].relabel),
        (expected, Some("mislabeled"), Some(3))
    );
    let csv = std::fs::read_to_string(dir.join("fixture-selection.csv")).unwrap();
    assert_eq!(csv.lines().count(), 51, "a header and the 50 shown rows");
    let row = csv.lines().find(|l| l.starts_with(&format!("{expected},"))).unwrap();
    assert!(row.contains("mislabeled"), "{row}");
}
