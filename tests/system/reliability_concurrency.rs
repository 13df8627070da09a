//! One workspace, many users at once: `cscore estimate` committing runs and proxy updates, two explorers
//! (in tmux) following it and tagging, a third writer tagging through the library, and a reader. Nobody
//! may see "database is locked" (or any error), and no write may be lost. The suite runs it for 20 s; the
//! ignored `..._for_minutes` variant for `CSCORE_CONCURRENCY_SECONDS` (default 300).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use crate::tmux_support;

use crate::SERIAL;
use cscore::store::Workspace;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tmux_support::{selected, Tmux};

const EXE: &str = env!("CARGO_BIN_EXE_cscore");

/// An explorer on `ws` showing only class `class`, sorted by index, so rows do not move as runs arrive.
fn explorer(dir: &Path, ws: &Path, class: u32, n: usize) -> Tmux {
    std::fs::create_dir_all(dir).unwrap();
    let line = format!(
        "'{EXE}' explore '{}' --no-train 2>'{d}/stderr.txt'; echo EXITED $? >'{d}/exit.txt'; sleep 600",
        ws.display(),
        d = dir.display()
    );
    let tmux = Tmux::start(dir, 120, 34, &line);
    // The list's title counts with a thousands separator ("1,200 of 1,200").
    let all = format!("{},{:03} of {},{:03}", n / 1000, n % 1000, n / 1000, n % 1000);
    tmux.wait_for(&all);
    tmux.keys(&["c", &class.to_string(), "Enter"]);
    tmux.wait_until("the class filter", |s| s.contains("ranked list ·") && !s.contains(&all));
    tmux.keys(&["s"]);
    tmux.wait_for("sort index ▲");
    tmux.keys(&["g"]);
    tmux
}

/// Tags the next row with `key` and waits for the explorer to say it is committed; returns the example.
/// Moves down one row (unless this is the first row) and tags it. Waits for the selection itself to change
/// rather than for a fixed time: on a loaded machine the explorer may draw the move late, and tagging the
/// row read before it would put the test one row out of step.
fn tag_next(tmux: &Tmux, key: &str, tag: &str, previous: Option<usize>) -> usize {
    if previous.is_some() {
        tmux.key_now("j");
    }
    let moved = |s: &str| selected(s).is_some_and(|e| Some(e) != previous);
    let example = selected(&tmux.wait_until("the next selected example", moved)).unwrap();
    tmux.key_now(key);
    tmux.wait_for(&format!("#{example} tagged {tag}"));
    example
}

fn quit(dir: &Path, tmux: &Tmux) -> String {
    tmux.keys(&["q"]);
    let start = Instant::now();
    let exit = loop {
        if let Ok(t) = std::fs::read_to_string(dir.join("exit.txt")) {
            break t;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "the explorer did not quit:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(dir.join("stderr.txt")).unwrap_or_default();
    assert_eq!(exit.trim(), "EXITED 0", "{stderr}");
    stderr
}

/// An explorer in `dir` showing class `class` tags row after row with `key` (storing `tag`) until the
/// deadline (at most 250 rows), then quits; returns the examples tagged and the explorer's stderr.
fn tag_until(
    dir: &Path,
    ws: &Path,
    class: u32,
    n: usize,
    (key, tag): (&str, &str),
    deadline: Instant,
) -> (Vec<usize>, String) {
    let tmux = explorer(dir, ws, class, n);
    let mut tagged = Vec::new();
    while Instant::now() < deadline && tagged.len() < 250 {
        tagged.push(tag_next(&tmux, key, tag, tagged.last().copied()));
    }
    (tagged, quit(dir, &tmux))
}

fn run_for(seconds: u64) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let n = 1200; // four digits: `explorer` writes the count as 1,200
    let (ds, _) = common::synthetic(n, 4, 0.05, 31);
    common::write_idx(&dir.join("d"), &ds);
    let ws = dir.join("ws.cscore");
    // A first run so the explorers have a workspace to open; then the long estimate.
    let plan = ["--model", "mlp:64", "--epochs", "3", "--batch", "32", "--workers", "1", "--no-progress"];
    let first = Command::new(EXE)
        .args(["estimate", "d", "-w", "ws.cscore", "--runs", "1"])
        .args(plan)
        .current_dir(dir)
        .output();
    let first = first.unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let limit = format!("{seconds}s");
    let mut estimator = Command::new(EXE)
        .args(["estimate", "d", "-w", "ws.cscore", "--runs", "100000", "--time-limit", &limit])
        .args(plan)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("estimate.log")).unwrap())
        .spawn()
        .unwrap();
    let stop = AtomicBool::new(false);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (a, b, library, reads) = std::thread::scope(|s| {
        let explorer_a = s.spawn(|| tag_until(&dir.join("a"), &ws, 1, n, ("o", "ok"), deadline));
        let explorer_b = s.spawn(|| tag_until(&dir.join("b"), &ws, 2, n, ("d", "duplicate"), deadline));
        let library = s.spawn(|| {
            let w = Workspace::open(&ws).unwrap();
            let mut tagged = Vec::new();
            for (i, &l) in ds.labels.iter().enumerate().filter(|(_, &l)| l == 3).cycle() {
                if Instant::now() >= deadline {
                    break;
                }
                let note = format!("pass {} label {l}", tagged.len());
                w.transaction(|w| {
                    w.set_tag(i, Some("ambiguous"), None)?;
                    w.set_note(i, Some(&note))
                })
                .unwrap_or_else(|e: cscore::store::StoreError| panic!("library writer: {e}"));
                tagged.push((i, note));
                std::thread::sleep(Duration::from_millis(15));
            }
            tagged
        });
        let reader = s.spawn(|| {
            let w = Workspace::open(&ws).unwrap();
            let mut reads = 0;
            // Until the others are done, or (should one of them fail) a little past the deadline.
            while !stop.load(Ordering::Relaxed) && Instant::now() < deadline + Duration::from_secs(120) {
                let runs = w.load_runs(false).unwrap_or_else(|e| panic!("reader: {e}"));
                assert!(!runs.is_empty());
                w.tags().unwrap_or_else(|e| panic!("reader: {e}"));
                reads += 1;
                std::thread::sleep(Duration::from_millis(30));
            }
            reads
        });
        let a = explorer_a.join().unwrap();
        let b = explorer_b.join().unwrap();
        let library = library.join().unwrap();
        stop.store(true, Ordering::Relaxed);
        (a, b, library, reader.join().unwrap())
    });
    let status = estimator.wait().unwrap();
    let log = std::fs::read_to_string(dir.join("estimate.log")).unwrap();
    assert!(status.success(), "the estimator failed: {log}");
    for (who, text) in [("estimator", &log), ("explorer a", &a.1), ("explorer b", &b.1)] {
        assert!(!text.to_lowercase().contains("locked"), "{who}: {text}");
        assert!(!text.contains("error"), "{who}: {text}");
    }
    let w = Workspace::open(&ws).unwrap();
    let runs = w.run_counts().unwrap().done;
    let stored: BTreeMap<usize, (Option<String>, Option<String>)> =
        w.tags().unwrap().into_iter().map(|t| (t.example, (t.tag, t.note))).collect();
    for &e in &a.0 {
        assert_eq!(stored[&e].0.as_deref(), Some("ok"), "explorer a's tag of #{e}");
    }
    for &e in &b.0 {
        assert_eq!(stored[&e].0.as_deref(), Some("duplicate"), "explorer b's tag of #{e}");
    }
    let mut last_note: BTreeMap<usize, &str> = BTreeMap::new();
    for (e, note) in &library {
        last_note.insert(*e, note);
    }
    for (e, note) in &last_note {
        assert_eq!(stored[e], (Some("ambiguous".into()), Some(note.to_string())), "library's write to #{e}");
    }
    let distinct = |v: &[usize]| v.iter().collect::<std::collections::BTreeSet<_>>().len();
    assert_eq!(stored.len(), distinct(&a.0) + distinct(&b.0) + last_note.len(), "no other tags appeared");
    eprintln!(
        "{seconds} s: {runs} runs committed, explorer a {} and b {} tags, library {} writes, {reads} reads",
        a.0.len(),
        b.0.len(),
        library.len()
    );
    assert!(a.0.len() >= 5 && b.0.len() >= 5 && library.len() >= 50 && runs >= 5);
}

#[test]
fn an_estimator_two_explorers_a_writer_and_a_reader_share_a_workspace() {
    run_for(20);
}

#[test]
#[ignore = "minutes long: cargo test --release --test system -- --ignored reliability_concurrency"]
fn an_estimator_two_explorers_a_writer_and_a_reader_share_a_workspace_for_minutes() {
    let seconds =
        std::env::var("CSCORE_CONCURRENCY_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    run_for(seconds);
}
