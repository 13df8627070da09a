//! Long jobs as clusters and remote shells run them: SIGTERM (Slurm's time limit, a Kubernetes eviction)
//! stops an estimate as cleanly as Ctrl-C, with status 143; a reader of stderr that goes away does not stop
//! it; flags given twice take the last value; a shard's workspace is for its worker; a lower `--runs` does
//! not shrink a plan; two estimates on one workspace share its runs and both end with the truth.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use cscore::estimate::stored_plan;
use cscore::store::Workspace;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn cscore(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cscore")).args(args).current_dir(cwd).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const PLAN: &[&str] =
    &["--ratios", "0.3,0.6", "--model", "mlp:16", "--epochs", "3", "--batch", "16", "--no-progress"];

fn dataset(dir: &Path, n: usize) {
    let (ds, _) = common::synthetic(n, 4, 0.0, 5);
    common::write_idx(&dir.join("d"), &ds);
}

fn done_runs(ws: &Path) -> usize {
    Workspace::open(ws).ok().and_then(|w| w.run_counts().ok()).map_or(0, |c| c.done)
}

/// SIGTERM, as Slurm sends at a job's time limit and Kubernetes before an eviction: the estimate stops
/// cleanly (finished runs kept, the summary printed), exits 143, and the same command continues.
#[test]
fn sigterm_stops_cleanly_with_status_143() {
    let dir = tempfile::tempdir().unwrap();
    dataset(dir.path(), 600);
    let args =
        [&["estimate", "d", "--runs", "400", "--model", "mlp:256,256", "--epochs", "6"], PLAN].concat();
    let ws = dir.path().join("d.cscore");
    let out = common::signal_after_runs(&args, dir.path(), &ws, 3, "TERM");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{err}");
    assert!(err.contains("stopping (SIGTERM): runs still training are abandoned"), "{err}");
    assert!(err.contains("run the same command again to continue"), "{err}");
    let done = done_runs(&ws);
    assert!((3..801).contains(&done), "{done} runs at the stop");
    let out = cscore(&[&args[..], &["--time-limit", "3s"]].concat(), dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(&format!("{done} of 801 planned runs already in the workspace")));
}

/// `cscore estimate … 2>&1 | tee log` whose `tee` is gone (a closed SSH session): the estimate's progress
/// lines fail to write, and it trains on to the end instead of panicking.
#[test]
fn a_closed_stderr_does_not_stop_an_estimate() {
    let dir = tempfile::tempdir().unwrap();
    dataset(dir.path(), 300);
    let mut child = Command::new(env!("CARGO_BIN_EXE_cscore"))
        .args([&["estimate", "d", "--runs", "3"], PLAN].concat())
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take()); // the reader goes before the first line
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(done_runs(&dir.path().join("d.cscore")), 7, "1 proxy run and 2 × 3 holdout runs");
}

/// A flag given twice takes its last value (a wrapper script sets one, its caller another); a lower
/// `--runs` than the workspace plans does not shrink the plan, and says so.
#[test]
fn repeated_flags_and_a_lower_runs() {
    let dir = tempfile::tempdir().unwrap();
    dataset(dir.path(), 300);
    let first = ["estimate", "d", "--runs", "1", "--workers", "1", "--ratios", "0.9"];
    let args = [&first[..], PLAN, &["--runs", "2", "--workers", "2"]].concat();
    let out = cscore(&args, dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("training 5 on 2 worker(s)"), "{}", text(&out.stderr));
    let out = cscore(&[&["estimate", "d", "--runs", "1"], PLAN].concat(), dir.path());
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("note: the workspace plans 2 for --runs; --runs 1 does not lower it"), "{err}");
    assert!(err.contains("5 of 5 planned runs already in the workspace"), "{err}");
    let ws = Workspace::open(&dir.path().join("d.cscore")).unwrap();
    assert_eq!(stored_plan(&ws).unwrap().unwrap().runs, 2);
}

/// `cscore estimate` on a shard's workspace is refused (it would train the whole plan into it), naming
/// the worker command that continues it; nothing is written.
#[test]
fn estimate_refuses_a_shard_workspace() {
    let dir = tempfile::tempdir().unwrap();
    dataset(dir.path(), 300);
    let out = cscore(
        &[&["worker", "d", "-w", "m.cscore", "--shard", "1/2", "--runs", "1"], PLAN].concat(),
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shard = dir.path().join("m.cscore.shard-1-of-2");
    let before = std::fs::read(&shard).unwrap();
    for args in
        [vec!["estimate", "m.cscore.shard-1-of-2"], vec!["estimate", "d", "-w", "m.cscore.shard-1-of-2"]]
    {
        let out = cscore(&args, dir.path());
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("m.cscore.shard-1-of-2 is shard 1/2 of a sharded estimate")
                && err.contains("-w m.cscore --shard 1/2`"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    assert_eq!(std::fs::read(&shard).unwrap(), before);
}

/// Two estimates started on one workspace at once share its runs: each drops what the other committed,
/// every planned run is stored once, and neither ends saying runs are left.
#[test]
fn two_estimates_on_one_workspace_share_the_runs() {
    let dir = tempfile::tempdir().unwrap();
    dataset(dir.path(), 300);
    let args = [&["estimate", "d", "--runs", "30", "--workers", "1", "--proxies", "none"], PLAN].concat();
    let first = cscore(&args, dir.path()); // creates the workspace and its plan
    assert!(first.status.success(), "{}", text(&first.stderr));
    let more = [&args[..], &["--runs", "60"]].concat();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_cscore"))
            .args(&more)
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for out in [&a, &b] {
        let err = text(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(err.contains("all planned runs are in"), "{err}");
        assert!(!err.contains("left"), "{err}");
        // The summary is of the workspace, not of this process's share of it.
        let summary = text(&out.stdout);
        let line = summary.lines().find(|l| l.starts_with("holdout runs")).unwrap_or_default();
        let counts: Vec<usize> =
            line.split_whitespace().filter_map(|w| w.trim_end_matches(',').parse().ok()).collect();
        assert_eq!(counts.iter().sum::<usize>(), 120, "{summary}");
    }
    let ws = Workspace::open(&dir.path().join("d.cscore")).unwrap();
    let counts = ws.run_counts().unwrap();
    assert_eq!(counts.done + counts.failed, 121, "the proxy run and 2 ratios × 60 runs: {counts:?}");
    let both = format!("{}{}", text(&a.stderr), text(&b.stderr));
    assert!(both.contains("committed by another process writing to this workspace"), "{both}");
}

/// `--time-limit` counts from the start of the command: a limit reached during the learning-rate test
/// stops there, says so and what to do, stores no run and exits 0 (as any time-limit stop).
#[test]
fn a_time_limit_covers_the_learning_rate_test() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("photos");
    for (c, class) in ["a", "b", "c"].iter().enumerate() {
        std::fs::create_dir_all(root.join(class)).unwrap();
        for i in 0..200u32 {
            let img = image::RgbImage::from_fn(64, 64, |x, y| {
                let v = ((x * (c as u32 + 1) + y * 3 + i) % 256) as u8;
                image::Rgb([v, v.wrapping_mul(3), 255 - v])
            });
            img.save(root.join(class).join(format!("{i:03}.png"))).unwrap();
        }
    }
    let started = Instant::now();
    let out = cscore(&["estimate", "photos", "--time-limit", "1s", "--no-progress"], dir.path());
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30), "{err}");
    assert!(err.contains("testing 5 learning rates"), "{err}");
    assert!(
        err.contains("stopped during the learning-rate test, before any run")
            && err.contains("give a longer --time-limit, or --lr to skip the test"),
        "{err}"
    );
    let ws = Workspace::open(&dir.path().join("photos.cscore")).unwrap();
    assert_eq!(ws.run_counts().unwrap().done, 0);
    assert!(stored_plan(&ws).unwrap().is_none(), "no plan stored: the test runs again next time");
}

/// `--proxies` is remembered by the workspace: a plain resume of an estimate started with `--proxies none`
/// computes none, and a resume that names a selection changes it.
#[test]
fn the_workspace_remembers_its_proxy_selection() {
    let dir = tempfile::tempdir().unwrap();
    dataset(dir.path(), 300);
    let out = cscore(&[&["estimate", "d", "--runs", "1", "--proxies", "none"], PLAN].concat(), dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = cscore(&[&["estimate", "d", "--runs", "2"], PLAN].concat(), dir.path());
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("proxies stored"), "{err}");
    let ws = Workspace::open(&dir.path().join("d.cscore")).unwrap();
    assert!(ws.proxy_names().unwrap().is_empty());
    drop(ws);
    let out =
        cscore(&[&["estimate", "d", "--runs", "2", "--proxies", "knn_agreement"], PLAN].concat(), dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ws = Workspace::open(&dir.path().join("d.cscore")).unwrap();
    assert_eq!(ws.proxy_names().unwrap(), vec!["knn_agreement".to_string()]);
}
