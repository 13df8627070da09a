//! The real binary on real files: help, errors, an estimate, a kill -9 and a resume.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

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

const SMALL: &[&str] = &[
    "--ratios",
    "0.3,0.6",
    "--runs",
    "3",
    "--model",
    "mlp:16",
    "--epochs",
    "3",
    "--batch",
    "16",
    "--no-progress",
];

#[test]
fn help_describes_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let top = text(&cscore(&["--help"], dir.path()).stdout);
    assert!(top.contains("estimate") && top.contains("bench") && top.contains("Examples"), "{top}");
    let est = text(&cscore(&["estimate", "--help"], dir.path()).stdout);
    for flag in [
        "--ratios",
        "--runs",
        "--model",
        "--epochs",
        "--batch",
        "--lr",
        "--momentum",
        "--seed",
        "--device",
        "--workers",
        "--time-limit",
        "--inject-label-noise",
        "--inject-ood",
        "--noise-seed",
        "-w",
    ] {
        assert!(est.contains(flag), "estimate --help lacks {flag}");
    }
    // Piped, the help is wrapped at 110 columns, the width its examples are written for (at clap's 100
    // they broke into lines of one word).
    assert!(est.contains("4 runs per ratio into ./mnist-10k.cscore\n"), "{est}");
    assert!(est.lines().all(|l| l.chars().count() <= 110), "{est}");
}

#[test]
fn bad_input_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = cscore(&["estimate", "no-such-dir"], dir.path());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("no-such-dir"), "{err}");

    let (ds, _) = common::synthetic(60, 3, 0.0, 1);
    common::write_idx(&dir.path().join("d"), &ds);
    let out = cscore(&["estimate", "d", "--device", "cuda"], dir.path());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    if !cfg!(feature = "cuda") {
        assert!(err.contains("--features cuda"), "{err}");
    }
    let out = cscore(&["estimate", "d", "--ratios", "0.5,1.5"], dir.path());
    assert!(text(&out.stderr).contains("1.5"), "{}", text(&out.stderr));
}

#[test]
fn estimate_summarises_resumes_and_refuses_another_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(90, 3, 0.05, 2);
    common::write_idx(&dir.path().join("d"), &ds);
    let mut args = vec!["estimate", "d"];
    args.extend_from_slice(SMALL);
    let out = cscore(&args, dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(summary.contains("examples        90") && summary.contains("lowest C-scores"), "{summary}");
    assert!(dir.path().join("d.cscore").exists());

    // Run again with a bigger budget: only the new runs are trained.
    let out = cscore(&["estimate", "d", "--runs", "4", "--no-progress"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("7 of 9 planned runs already"), "{}", text(&out.stderr));
    let ws = Workspace::open(&dir.path().join("d.cscore")).unwrap();
    assert_eq!(ws.run_counts().unwrap().done, 9);

    // A flag that changes the models is refused on this workspace.
    let out = cscore(&["estimate", "d", "--lr", "0.5"], dir.path());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("different plan (--lr ") && err.contains(" (given 0.5)); resume"), "{err}");

    // Another dataset with the same workspace is refused.
    let (other, _) = common::synthetic(90, 3, 0.05, 3);
    common::write_idx(&dir.path().join("e"), &other);
    let out = cscore(&["estimate", "e", "-w", "d.cscore"], dir.path());
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("belongs to dataset") && err.contains("the images or labels differ"), "{err}");
}

#[test]
fn kill_9_loses_only_runs_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(400, 4, 0.0, 4);
    common::write_idx(&dir.path().join("d"), &ds);
    let args =
        ["estimate", "d", "--workers", "1", "--ratios", "0.3,0.6", "--runs", "40", "--model", "mlp:16"];
    let args = [&args[..], &["--epochs", "8", "--batch", "16", "--no-progress"]].concat();
    let ws_path = dir.path().join("d.cscore");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cscore"))
        .args(&args)
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("log")).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let done = Workspace::open(&ws_path).ok().and_then(|w| w.run_counts().ok()).map_or(0, |c| c.done);
        if done >= 3 || started.elapsed() > Duration::from_secs(120) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let log = std::fs::read_to_string(dir.path().join("log")).unwrap_or_default();
    assert!(started.elapsed() < Duration::from_secs(120), "the estimate never committed 3 runs: {log}");
    let before = Workspace::open(&ws_path).unwrap().run_counts().unwrap().done;
    // 81 runs in all, so that the kill lands well inside the estimate even when runs take milliseconds
    // (with 13 the window after the third run was ~0.1 s and a fast machine finished first).
    assert!((3..81).contains(&before), "{before} runs before the kill");
    let out = cscore(&args, dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ws = Workspace::open(&ws_path).unwrap();
    let runs = ws.load_runs(false).unwrap();
    assert_eq!(runs.len(), 81, "1 proxy run + 2 ratios × 40 runs, none duplicated");
    let mut keys: Vec<_> = runs.iter().map(|r| r.key).collect();
    keys.dedup();
    assert_eq!(keys.len(), 81);
}

/// Ctrl-C (SIGINT) stops cleanly: runs in flight are abandoned, the summary is printed, the exit status
/// is 130 (as for an interrupted program, so `cscore estimate … && next` stops there), and the same command
/// continues the plan.
#[test]
fn ctrl_c_stops_cleanly_and_the_estimate_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(600, 4, 0.0, 5);
    common::write_idx(&dir.path().join("d"), &ds);
    let args =
        ["estimate", "d", "--ratios", "0.5", "--runs", "400", "--model", "mlp:256,256", "--epochs", "6"];
    let args = [&args[..], &["--no-progress"]].concat();
    let ws_path = dir.path().join("d.cscore");
    let out = common::signal_after_runs(&args, dir.path(), &ws_path, 3, "INT");
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("stopping (SIGINT): runs still training are abandoned"), "{stderr}");
    assert!(stderr.contains("run the same command again to continue"), "{stderr}");
    assert!(text(&out.stdout).contains("lowest C-scores") || !text(&out.stdout).is_empty());
    let done = Workspace::open(&ws_path).unwrap().run_counts().unwrap().done;
    assert!((3..401).contains(&done), "{done} runs at the stop");
    // The same command goes on from there (for a few seconds here).
    let out = cscore(&[&args[..], &["--time-limit", "4s"]].concat(), dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(&format!("{done} of 401 planned runs already in the workspace")));
    assert!(Workspace::open(&ws_path).unwrap().run_counts().unwrap().done > done);
}

/// `cscore bench` takes the protocol flags, so the CNN and dense-MLP benchmarks are one command each: the
/// flags reach the trained models (a CNN at batch 64 learns MNIST digits in one epoch) and the report.
#[test]
fn bench_takes_the_protocol_flags() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("sample_data/mnist-10k");
    let dir = tempfile::tempdir().unwrap();
    let d = data.to_str().unwrap();
    let args = ["bench", "--data", d, "--model", "cnn", "--lr", "0.05", "--batch", "64", "--epochs", "1"];
    let out = cscore(&[&args[..], &["--runs", "2", "--ratio", "0.2", "--workers", "2"]].concat(), dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("cnn (1 epochs, batch 64, lr 0.05)"), "{table}");
    let out = cscore(&[&args[..], &["--runs", "1", "--ratio", "0.2", "--json"]].concat(), dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let accuracy = report["heldout_accuracy"].as_f64().unwrap();
    assert!(accuracy > 0.8, "a CNN trained one epoch on 2,000 digits: held-out accuracy {accuracy}");
    let bad = cscore(&["bench", "--data", d, "--lr=-1", "--runs", "1"], dir.path());
    assert!(!bad.status.success() && text(&bad.stderr).contains("--lr"), "{}", text(&bad.stderr));
    // Models that diverge are counted as failed, and with none left there is nothing to report.
    let out = cscore(
        &["bench", "--data", d, "--lr", "1000", "--runs", "2", "--ratio", "0.1", "--epochs", "1"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("every model diverged at ratio 0.1 (lr 1000)"),
        "{}",
        text(&out.stderr)
    );
}

/// `cscore estimate WS` continues the workspace on the dataset it records, from any folder (`--runs`
/// extends it as with the dataset's path); a workspace given both ways is refused in one line.
#[test]
fn estimate_of_a_workspace_file_continues_it() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(300, 3, 0.0, 6);
    common::write_idx(&dir.path().join("d"), &ds);
    let out = cscore(&[&["estimate", "d", "-w", "ws.cscore"], SMALL].concat(), dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let out = cscore(&["estimate", "../ws.cscore", "--runs", "4", "--no-progress"], &elsewhere);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("7 of 9 planned runs already in the workspace"), "{err}");
    let done = Workspace::open(&dir.path().join("ws.cscore")).unwrap().run_counts().unwrap().done;
    assert_eq!(done, 9, "1 proxy run + 2 ratios × 4 runs");
    assert!(!elsewhere.join("d.cscore").exists() && std::fs::read_dir(&elsewhere).unwrap().next().is_none());
    let out = cscore(&["estimate", "ws.cscore", "-w", "other.cscore"], dir.path());
    let err = text(&out.stderr);
    assert!(!out.status.success() && err.contains("either as the argument or with -w"), "{err}");
}

/// A flag value no plan accepts is refused before the dataset loads, and leaves no workspace file behind.
#[test]
fn bad_flag_values_are_refused_before_anything_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(60, 3, 0.0, 2);
    common::write_idx(&dir.path().join("d"), &ds);
    for (flag, value, says) in [
        ("--batch", "0", "batch"),
        ("--ratios", "1.5", "subset ratio 1.5 is not strictly between 0 and 1"),
        ("--epochs", "0", "epoch"),
        ("--workers", "0", "'0' is not a whole number of at least 1"),
        ("--ensemble", "0", "'0' is not a whole number of at least 1"),
    ] {
        let out = cscore(&["estimate", "d", "-w", "x.cscore", flag, value], dir.path());
        let err = text(&out.stderr);
        assert!(!out.status.success() && err.contains(says), "{flag} {value}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!dir.path().join("x.cscore").exists(), "{flag} {value} left a workspace");
    }
}
