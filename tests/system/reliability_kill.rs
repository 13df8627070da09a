//! `kill -9` at random moments. (1) An estimate killed 20 times across its run schedule and resumed each
//! time ends with every planned run exactly once and exports what an uninterrupted estimate exports.
//! (2) The explorer killed right after tag keys: every tag it acknowledged is in the reopened workspace.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::tmux_support;

use crate::SERIAL;
use cscore::store::{RunKey, Workspace};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tmux_support::{selected, Tmux, SLOW};

const EXE: &str = env!("CARGO_BIN_EXE_cscore");

/// 3 ratios × 6 runs and the tracked proxy run: 19 runs, about 4 s in all on two cores.
const PLAN: &[&str] = &[
    "--ratios",
    "0.3,0.5,0.7",
    "--runs",
    "6",
    "--model",
    "mlp:256,128",
    "--epochs",
    "30",
    "--batch",
    "16",
    "--workers",
    "2",
    "--no-progress",
];

fn estimate(dir: &Path, ws: &str) -> Command {
    let mut c = Command::new(EXE);
    c.args(["estimate", "d", "-w", ws]).args(PLAN).current_dir(dir);
    c
}

fn runs_done(ws: &Path) -> usize {
    Workspace::open(ws).ok().and_then(|w| w.run_counts().ok()).map_or(0, |c| c.done)
}

/// Per run: the held-out mask, hits and predictions, which decide every score.
type Outcome = (Vec<u8>, Vec<u8>, Vec<u32>);

fn runs(ws: &Path) -> BTreeMap<RunKey, Outcome> {
    let runs = Workspace::open(ws).unwrap().load_runs(false).unwrap();
    let n = runs.len();
    let map: BTreeMap<_, _> = runs
        .into_iter()
        .map(|r| (r.key, (r.heldout_mask, r.heldout_correct, r.heldout_predictions)))
        .collect();
    assert_eq!(map.len(), n, "a run key twice");
    map
}

fn export(dir: &Path, ws: &str, out: &str) -> String {
    let o = Command::new(EXE).args(["export", ws, "-o", out]).current_dir(dir).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(dir.join(out)).unwrap()
}

#[test]
fn an_estimate_killed_20_times_at_random_moments_equals_an_uninterrupted_one() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (ds, _) = common::synthetic(2000, 4, 0.05, 11);
    common::write_idx(&dir.join("d"), &ds);

    let started = Instant::now();
    let out = estimate(dir, "whole.cscore").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let whole_seconds = started.elapsed().as_secs_f64();
    let reference = runs(&dir.join("whole.cscore"));
    let total = reference.len();
    assert_eq!(total, 19, "3 × 6 holdout runs and one proxy run");

    // Kill k waits until at least k·total/20 runs are committed, then a random moment within about one
    // run's time more (at most 400 ms): the kills fall while loading, while training, between commits and
    // while the proxies are computed at the end. (A fixed 0–400 ms let the last kills of a fast machine miss
    // the estimate's end, and every kill after one that missed finds nothing left to do.)
    let run_ms = ((whole_seconds * 1000.0 / total as f64) as u64).clamp(20, 400);
    let ws = dir.join("killed.cscore");
    let mut rng = ChaCha8Rng::seed_from_u64(20);
    let (mut killed, mut finished_first) = (0, 0);
    let mut moments = Vec::new();
    for k in 0..20 {
        let target = k * total / 20;
        let jitter = Duration::from_millis(rng.random_range(0..run_ms));
        let mut child = estimate(dir, "killed.cscore")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join(format!("log{k}"))).unwrap())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        while runs_done(&ws) < target && child.try_wait().unwrap().is_none() {
            assert!(t0.elapsed() < SLOW, "kill {k}: no progress past {} runs", runs_done(&ws));
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(jitter);
        match child.try_wait().unwrap() {
            Some(status) => {
                let log = std::fs::read_to_string(dir.join(format!("log{k}"))).unwrap();
                assert!(status.success(), "kill {k}: the estimate failed on its own: {log}");
                finished_first += 1;
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                killed += 1;
            }
        }
        moments.push((runs_done(&ws), t0.elapsed().as_millis()));
    }
    let out = estimate(dir, "killed.cscore").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    eprintln!(
        "{killed} kills, {finished_first} finished before their kill moment; (runs committed, ms after start) \
         at each: {moments:?}; uninterrupted: {whole_seconds:.1} s"
    );
    assert!(killed >= 15, "only {killed} of 20 kills hit a running estimate");

    let resumed = runs(&ws);
    assert_eq!(resumed.len(), total, "every planned run exactly once");
    assert_eq!(resumed.keys().collect::<Vec<_>>(), reference.keys().collect::<Vec<_>>());
    for (key, r) in &reference {
        assert!(resumed[key] == *r, "run {key:?} differs from the uninterrupted estimate's");
    }
    let (a, b) = (export(dir, "whole.cscore", "whole.csv"), export(dir, "killed.cscore", "killed.csv"));
    assert_eq!(a.lines().count(), 2001);
    let header = a.lines().next().unwrap().to_string();
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            let diff: Vec<String> = header
                .split(',')
                .zip(x.split(',').zip(y.split(',')))
                .filter(|(_, (p, q))| p != q)
                .map(|(h, (p, q))| format!("{h}: {p} vs {q}"))
                .collect();
            panic!("exported row {i} differs: {}", diff.join("; "));
        }
    }
    assert_eq!(a, b);
}

/// The explorer's process: the pane runs it with `exec`, so the pane's process is the explorer.
fn explorer_pid(tmux: &Tmux) -> u32 {
    let pid = tmux.pane_pid();
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
    assert_eq!(exe, Path::new(EXE).canonicalize().unwrap(), "the pane runs the explorer itself");
    pid
}

#[test]
fn the_explorer_killed_right_after_tag_keys_keeps_every_acknowledged_tag() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (ds, _) = common::synthetic(200, 4, 0.05, 12);
    common::write_idx(&dir.join("d"), &ds);
    let args = ["--ratios", "0.5", "--runs", "1", "--model", "mlp:8", "--epochs", "1", "--no-progress"];
    let out =
        Command::new(EXE).args(["estimate", "d", "-w", "ws.cscore"]).args(args).current_dir(dir).output();
    let out = out.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ws = dir.join("ws.cscore");

    // Tag keys without a prompt, and the tag each stores.
    let keys = [("o", "ok"), ("O", "ood"), ("a", "ambiguous"), ("d", "duplicate")];
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut acknowledged: BTreeMap<usize, &str> = BTreeMap::new();
    let (mut unacknowledged, mut unacknowledged_kept) = (0, 0);
    for cycle in 0..6 {
        let cdir = dir.join(format!("cycle{cycle}"));
        std::fs::create_dir_all(&cdir).unwrap();
        let line =
            format!("exec '{EXE}' explore '{}' --no-train 2>'{}/stderr.txt'", ws.display(), cdir.display());
        let tmux = Tmux::start(&cdir, 120, 34, &line);
        tmux.wait_for("ranked list · 200 of 200");
        let pid = explorer_pid(&tmux);
        for _ in 0..3 {
            // A random row, then a random tag key; the explorer says "#N tagged T" once it is committed.
            for _ in 0..rng.random_range(1..12) {
                tmux.key_now("j");
            }
            let screen = tmux.wait_until("a selected example", |s| selected(s).is_some());
            let _ = screen;
            std::thread::sleep(Duration::from_millis(100));
            let example = selected(&tmux.screen()).unwrap();
            let (key, tag) = keys[rng.random_range(0..keys.len())];
            tmux.key_now(key);
            tmux.wait_for(&format!("#{example} tagged {tag}"));
            acknowledged.insert(example, tag);
        }
        // One more key and the kill at once, before any acknowledgement: kept or not, never half-written.
        let example = selected(&tmux.screen()).unwrap();
        let (key, tag) = keys[rng.random_range(0..keys.len())];
        tmux.key_now(key);
        let killed = Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap();
        assert!(killed.success());
        let start = Instant::now();
        while Path::new(&format!("/proc/{pid}")).exists() && start.elapsed() < SLOW {
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(tmux);
        let stored: BTreeMap<usize, String> = Workspace::open(&ws)
            .unwrap()
            .tags()
            .unwrap()
            .into_iter()
            .filter_map(|t| Some((t.example, t.tag?)))
            .collect();
        unacknowledged += 1;
        if stored.get(&example).map(String::as_str) == Some(tag) {
            unacknowledged_kept += 1;
            acknowledged.insert(example, tag);
        } else if let Some(before) = acknowledged.get(&example) {
            assert_eq!(stored.get(&example).map(String::as_str), Some(*before), "#{example}");
        }
        for (example, tag) in &acknowledged {
            assert_eq!(stored.get(example).map(String::as_str), Some(*tag), "cycle {cycle}: #{example} lost");
        }
        assert_eq!(stored.len(), acknowledged.len(), "cycle {cycle}: {stored:?} vs {acknowledged:?}");
    }
    eprintln!(
        "{} acknowledged tags all kept over 6 kills; {unacknowledged_kept} of {unacknowledged} keys pressed \
         just before a kill were committed in time",
        acknowledged.len()
    );
    let check = rusqlite::Connection::open(&ws).unwrap();
    let ok: String = check.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
}
