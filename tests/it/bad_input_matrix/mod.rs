//! The bad-input matrix: malformed datasets (IDX, CIFAR, image folders, `.npz`), imported score files,
//! config, theme and keymap files, filter expressions and workspace files, each given to the real binary
//! next to a finished workspace. Every one must exit non-zero with one line on stderr that names the
//! problem, never panic, and leave the workspace byte for byte as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{i64_bytes, npy, write_npz};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

mod dataset_cases;
mod other_cases;

/// One malformed input: how to make it, the command that reads it, and what the error must say.
struct Case {
    name: &'static str,
    /// Writes the bad input under the folder (the workspace `ws.cscore` and dataset `d/` are there).
    make: fn(&Path),
    args: &'static [&'static str],
    /// Environment variables set for the command.
    env: &'static [(&'static str, &'static str)],
    /// Substrings the single error line must contain.
    says: &'static [&'static str],
}

/// Examples in the finished workspace every case starts from.
const N: usize = 60;

/// Every case: malformed datasets, then imported scores, config files, filters and workspaces.
fn cases() -> Vec<Case> {
    let mut cases = dataset_cases::cases();
    cases.extend(other_cases::cases());
    cases
}

fn sha(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|b| hex::encode(Sha256::digest(b)))
}

/// The workspace files' digests (main file, WAL, shared memory); WAL checkpointed away beforehand.
fn fingerprint(ws: &Path) -> Vec<(PathBuf, Option<String>)> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|s| {
            let mut p = ws.as_os_str().to_owned();
            p.push(s);
            let p = PathBuf::from(p);
            let d = sha(&p);
            (p, d)
        })
        .collect()
}

#[test]
fn every_malformed_input_is_one_clear_line_and_leaves_the_workspace_alone() {
    let root = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(N, 3, 0.0, 7);
    common::write_idx(&root.path().join("d"), &ds);
    let small = ["--ratios", "0.5", "--runs", "1", "--model", "mlp:8", "--epochs", "1", "--no-progress"];
    let out = Command::new(env!("CARGO_BIN_EXE_cscore"))
        .args(["estimate", "d", "-w", "ws.cscore"])
        .args(small)
        .current_dir(root.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ws = root.path().join("ws.cscore");
    let cases = cases();
    assert!(cases.len() >= 20, "the issue asks for at least 20 malformed inputs");
    let mut failures = Vec::new();
    for case in &cases {
        let dir = tempfile::tempdir_in(root.path()).unwrap();
        // Each case in a folder of its own holding the finished workspace and the dataset.
        std::fs::copy(&ws, dir.path().join("ws.cscore")).unwrap();
        std::fs::create_dir_all(dir.path().join("d")).unwrap();
        for f in std::fs::read_dir(root.path().join("d")).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, dir.path().join("d").join(f.file_name().unwrap())).unwrap();
        }
        (case.make)(dir.path());
        let here = dir.path().join("ws.cscore");
        let before = fingerprint(&here);
        let out = Command::new(env!("CARGO_BIN_EXE_cscore"))
            .args(case.args)
            .envs(case.env.iter().copied())
            .env_remove("RUST_LOG")
            .current_dir(dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut problems = Vec::new();
        if out.status.success() {
            problems.push("exited 0".to_string());
        }
        if err.contains("panicked") || out.status.code() == Some(101) {
            problems.push("panicked".into());
        }
        if lines.len() != 1 {
            problems.push(format!("{} lines on stderr", lines.len()));
        }
        for want in case.says {
            if !err.contains(want) {
                problems.push(format!("does not say {want:?}"));
            }
        }
        if fingerprint(&here) != before {
            problems.push("the workspace changed".into());
        }
        if dir.path().join("out.csv").exists() {
            problems.push("an output file was written".into());
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {} — stderr: {}", case.name, problems.join(", "), err.trim()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
