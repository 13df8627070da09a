//! Sharded estimation: concurrent workers plus a merge equal a single estimate; kills and bad merges.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cscore::store::{RunRecord, Workspace};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const PLAN: &[&str] = &[
    "--ratios",
    "0.3,0.6,0.9",
    "--runs",
    "3",
    "--model",
    "mlp:16",
    "--epochs",
    "4",
    "--batch",
    "16",
    "--workers",
    "1",
    "--no-progress",
];

fn cscore(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cscore")).args(args).current_dir(cwd).output().unwrap()
}

fn spawn(args: &[&str], cwd: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cscore"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn ok(out: &Output) {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn results(ws: &Path) -> Vec<RunRecord> {
    let mut runs = Workspace::open(ws).unwrap().load_runs(true).unwrap();
    for r in &mut runs {
        r.train_seconds = 0.0;
        r.eval_seconds = 0.0;
    }
    runs.sort_by_key(|r| r.key);
    runs
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(150, 3, 0.05, 21);
    common::write_idx(&dir.path().join("d"), &ds);
    dir
}

#[test]
fn three_concurrent_workers_merged_equal_one_estimate() {
    let dir = setup();
    let p = dir.path();
    ok(&cscore(&[&["estimate", "d", "-w", "single.cscore"], PLAN].concat(), p));
    let mut workers: Vec<Child> = (0..3)
        .map(|i| {
            let shard = format!("{i}/3");
            spawn(&[&["worker", "d", "-w", "m.cscore", "--shard", shard.as_str()], PLAN].concat(), p)
        })
        .collect();
    for w in &mut workers {
        assert!(w.wait().unwrap().success());
    }
    let shards: Vec<String> = (0..3).map(|i| format!("m.cscore.shard-{i}-of-3")).collect();
    let sizes: Vec<usize> = shards.iter().map(|s| results(&p.join(s)).len()).collect();
    assert_eq!(
        sizes.iter().sum::<usize>(),
        10,
        "1 proxy run + 9 holdout runs split without overlap: {sizes:?}"
    );
    assert!(sizes.iter().all(|&n| n >= 2), "balanced: {sizes:?}");
    let merge: Vec<&str> =
        ["merge", "m.cscore"].into_iter().chain(shards.iter().map(String::as_str)).collect();
    ok(&cscore(&merge, p));
    assert_eq!(results(&p.join("m.cscore")), results(&p.join("single.cscore")));
    // Idempotent: merging again adds nothing.
    let again = cscore(&merge, p);
    ok(&again);
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 run(s) added"));
    assert_eq!(results(&p.join("m.cscore")).len(), 10);
    // The same exported scores.
    ok(&cscore(&["export", "m.cscore", "-o", "m.csv"], p));
    ok(&cscore(&["export", "single.cscore", "-o", "s.csv"], p));
    let (m, s) = (
        std::fs::read_to_string(p.join("m.csv")).unwrap(),
        std::fs::read_to_string(p.join("s.csv")).unwrap(),
    );
    assert!(m.lines().count() > 150);
    assert_eq!(estimate_columns(&m), estimate_columns(&s));
}

/// The C-score columns of an exported CSV (proxies are computed per process and not compared here).
fn estimate_columns(csv: &str) -> Vec<Vec<String>> {
    let wanted =
        ["index", "label", "cscore", "cscore_low", "cscore_high", "holdout_evals", "heldout_prediction"];
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let cols: Vec<usize> = wanted.iter().map(|w| header.iter().position(|h| h == w).unwrap()).collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            cols.iter().map(|&c| cells[c].to_string()).collect()
        })
        .collect()
}

#[test]
fn a_killed_worker_resumes_its_shard_without_duplicates() {
    let dir = setup();
    let p = dir.path();
    let plan = [&["worker", "d", "-w", "k.cscore", "--shard", "0/2"], PLAN].concat();
    let plan: Vec<&str> = plan.iter().map(|a| if *a == "4" { "30" } else { a }).collect(); // longer epochs
    let mut child = spawn(&plan, p);
    let shard = p.join("k.cscore.shard-0-of-2");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        let done = Workspace::open(&shard).ok().and_then(|w| w.run_counts().ok()).map_or(0, |c| c.done);
        if done >= 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    ok(&cscore(&plan, p));
    let runs = results(&shard);
    let mut keys: Vec<_> = runs.iter().map(|r| r.key).collect();
    keys.dedup();
    assert_eq!(keys.len(), runs.len());
    let plan_all = cscore::estimate::Plan { ratios: vec![0.3, 0.6, 0.9], runs: 3, ..Default::default() };
    let expected = cscore::estimate::shard_runs(&plan_all, cscore::estimate::Shard { index: 0, count: 2 });
    assert_eq!(runs.len(), expected.len());
    assert!(runs.iter().all(|r| expected.contains(&r.key)));
}

#[test]
fn merging_another_dataset_or_plan_is_refused() {
    let dir = setup();
    let p = dir.path();
    ok(&cscore(&[&["worker", "d", "-w", "a.cscore", "--shard", "0/2"], PLAN].concat(), p));
    ok(&cscore(&["merge", "a.cscore", "a.cscore.shard-0-of-2"], p));
    // Another plan (different seed) on the same data.
    let other_plan = [&["worker", "d", "-w", "b.cscore", "--shard", "1/2", "--seed", "9"], PLAN].concat();
    ok(&cscore(&other_plan, p));
    let out = cscore(&["merge", "a.cscore", "b.cscore.shard-1-of-2"], p);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("another plan"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Another dataset.
    let (other, _) = common::synthetic(150, 3, 0.05, 99);
    common::write_idx(&p.join("e"), &other);
    ok(&cscore(&[&["worker", "e", "-w", "c.cscore", "--shard", "0/2"], PLAN].concat(), p));
    let out = cscore(&["merge", "a.cscore", "c.cscore.shard-0-of-2"], p);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("belongs to dataset"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = results(&p.join("a.cscore")).len();
    assert_eq!(before, results(&p.join("a.cscore.shard-0-of-2")).len(), "refused merges changed nothing");
}
