//! A tmux server of the test's own for driving the real explorer: `send-keys` in, `capture-pane` out.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Deadlines are generous: a loaded two-core CI machine can be slow.
pub const SLOW: Duration = Duration::from_secs(120);

/// A tmux server of its own (socket in the test's folder, no user config, a UTF-8 locale), one pane.
pub struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// Starts `command` (a shell line) in a `width`×`height` pane; the explorer reads `images = "blocks"`
    /// from the config in `dir`, so it skips the terminal graphics query.
    pub fn start(dir: &Path, width: u16, height: u16, command: &str) -> Tmux {
        Tmux::start_with_config(dir, width, height, "images = \"blocks\"\n", command)
    }

    /// [`Tmux::start`] with the explorer's config file holding `config`.
    pub fn start_with_config(dir: &Path, width: u16, height: u16, config_text: &str, command: &str) -> Tmux {
        let version = Command::new("tmux").arg("-V").output();
        assert!(
            version.as_ref().is_ok_and(|o| o.status.success()),
            "tmux is required for the end-to-end explorer tests (apt-get install tmux): {version:?}"
        );
        let config = dir.join("config.toml");
        std::fs::write(&config, config_text).unwrap();
        let tmux = Tmux { socket: dir.join("tmux.sock") };
        let line = format!("cd '{}' && CSCORE_CONFIG='{}' {command}", dir.display(), config.display());
        let (w, h) = (width.to_string(), height.to_string());
        let args = ["new-session", "-d", "-x", &w, "-y", &h, "-s", "e2e", "-e", "LC_ALL=C.UTF-8"];
        tmux.run(&[&args[..], &["-e", "LANG=C.UTF-8", &line]].concat());
        tmux
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-f", "/dev/null", "-S"])
            .arg(&self.socket)
            .args(args)
            .env("LC_ALL", "C.UTF-8")
            .env("LANG", "C.UTF-8")
            .output()
            .unwrap();
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "e2e", k]);
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Waits until the screen shows `text`; returns the screen.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text))
    }

    /// Waits until `done(screen)`; `what` names it in the failure.
    pub fn wait_until(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(start.elapsed() < SLOW, "timed out waiting for {what:?}; screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-f", "/dev/null", "-S"])
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

impl Tmux {
    /// The pane's shell process id's children: the process running in the pane (`pane_pid`).
    pub fn pane_pid(&self) -> u32 {
        self.run(&["display-message", "-p", "-t", "e2e", "#{pane_pid}"]).trim().parse().unwrap()
    }

    /// Sends one key without the pause `keys` makes after each.
    pub fn key_now(&self, key: &str) {
        self.run(&["send-keys", "-t", "e2e", key]);
    }
}

/// The example the explorer's preview shows ("example #17 …").
pub fn selected(screen: &str) -> Option<usize> {
    let at = screen.find("example #")? + 9;
    screen[at..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}
