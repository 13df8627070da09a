//! What a dataset cannot give is said once, before training: `cscore estimate` on a tiny dataset with one
//! class, and on one with a class too small to hold out; nothing on an ordinary one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

const EXE: &str = env!("CARGO_BIN_EXE_cscore");

/// An IDX folder of 12×12 synthetic images with `labels`.
fn write(dir: &Path, labels: Vec<u32>) -> PathBuf {
    let classes = labels.iter().max().map_or(1, |&m| m as usize + 1);
    let (mut ds, _) = common::synthetic(labels.len(), classes, 0.0, 5);
    ds.labels = labels;
    let data = dir.join("data");
    common::write_idx(&data, &ds);
    data
}

/// `cscore estimate` of `labels` with a one-epoch plan; its stderr.
fn estimate(dir: &Path, labels: Vec<u32>) -> String {
    let data = write(dir, labels);
    let out = Command::new(EXE)
        .arg("estimate")
        .arg(&data)
        .arg("-w")
        .arg(dir.join("ws.cscore"))
        .args(["--runs", "1", "--ratios", "0.2,0.5", "--epochs", "1", "--proxies", "none", "--no-progress"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// The warnings, checked to come right after the opening line (before anything trains).
fn warnings(stderr: &str) -> Vec<&str> {
    let lines: Vec<&str> = stderr.lines().collect();
    let found: Vec<usize> = (0..lines.len()).filter(|&k| lines[k].starts_with("warning: ")).collect();
    assert!(found.iter().enumerate().all(|(j, &k)| k == j + 1), "warnings after the opening line:\n{stderr}");
    found.into_iter().map(|k| lines[k]).collect()
}

#[test]
fn one_class_is_said_once_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = estimate(dir.path(), vec![0; 24]);
    let w = warnings(&stderr);
    assert_eq!(w.len(), 1, "{stderr}");
    assert!(w[0].contains("every example has the same class") && w[0].contains("trivially 1"), "{stderr}");
}

#[test]
fn a_class_too_small_to_hold_out_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // classes 0 and 1: 20 examples each; class 2: 3 examples (0.2 × 2 others < 1)
    let mut labels: Vec<u32> = (0..40).map(|i| i % 2).collect();
    labels.extend([2, 2, 2]);
    let stderr = estimate(dir.path(), labels);
    let w = warnings(&stderr);
    assert_eq!(w.len(), 1, "{stderr}");
    assert!(w[0].starts_with("warning: 1 class is too small to hold out: '2' (3 examples);"), "{stderr}");
    assert!(w[0].contains("subset ratio 0.2"), "{stderr}");
}

#[test]
fn an_ordinary_dataset_gets_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = estimate(dir.path(), (0..40).map(|i| i % 2).collect());
    assert!(warnings(&stderr).is_empty(), "{stderr}");
}

#[test]
fn the_explorer_says_it_on_its_message_line() {
    use cscore::data::LoadOptions;
    use cscore::project::Project;
    use cscore::tui::{Config, ExploreSession};
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), vec![0; 24]);
    let ws = dir.path().join("ws.cscore");
    let project = Project::open(&data, &LoadOptions::default(), Some(&ws), None).unwrap();
    let session = ExploreSession::open(project, None, &Config::default(), Some("dark"), None).unwrap();
    let message = session.app.message.expect("a message");
    assert!(message.text.starts_with("warning: every example has the same class"), "{}", message.text);
}

/// A folder one level too high (splits of the same classes) is said before anything trains.
#[test]
fn a_folder_of_splits_is_said_to_look_like_one() {
    let tmp = tempfile::tempdir().unwrap();
    for split in ["train", "val"] {
        crate::common::pets(&tmp.path().join("data").join(split), 3);
    }
    let out = Command::new(EXE)
        .args(["estimate", "data", "-w", "ws.cscore", "--runs", "1", "--ratios", "0.5", "--epochs", "1"])
        .args(["--model", "mlp:8", "--lr", "0.05", "--proxies", "none", "--no-progress"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr.lines().nth(1).unwrap_or(""),
        "warning: every class folder (train, val) keeps its images in subfolders of the same names (cat, dog): \
         these look like datasets or splits of the same classes, not classes; give one of them (e.g. \
         data/train), or check the folder",
        "{stderr}"
    );
}
