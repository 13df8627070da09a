//! Every input of the committed fuzz corpus (`tests/fuzz_corpus/<target>/`: the valid seeds of
//! `fuzz/make_seeds.py` and what `fuzz/run.sh` found worth keeping) through the same harness the cargo-fuzz
//! targets run: no panic, the valid seeds load, and every rejection is one printable line (no line break
//! or other control character).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

type Harness = fn(&[u8]) -> Result<usize, String>;

/// The seeds `fuzz/make_seeds.py` writes (all valid) and the number of examples or rows each must give.
const SEEDS: &[(&str, &str, usize)] = &[
    ("idx", "plain", 3),
    ("idx", "gzip", 3),
    ("cifar", "cifar10-names", 2),
    ("cifar", "cifar10-two-batches", 2),
    ("cifar", "cifar100", 1),
    ("npz", "u8-stored", 2),
    ("npz", "u8-deflated", 2),
    ("npz", "float-channels-last", 2),
    ("filter", "expr0", 0),
    ("filter", "expr1", 3),
    ("filter", "expr2", 2),
    ("filter", "expr3", 2),
    ("csv", "index-score", 3),
    ("csv", "bom-crlf-one-per-line", 3),
    ("csv", "export-column", 2),
    ("csv", "headerless-pairs", 2),
];

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(target: &str, run: Harness) {
    let files = corpus(target);
    assert!(files.len() >= SEEDS.iter().filter(|s| s.0 == target).count());
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let input = std::fs::read(&f).unwrap();
        let out = std::panic::catch_unwind(|| run(&input));
        let out = out.unwrap_or_else(|_| panic!("{target}/{name} panicked"));
        match SEEDS.iter().find(|s| s.0 == target && s.1 == name) {
            Some(&(_, _, want)) => assert_eq!(out, Ok(want), "{target}/{name}"),
            None => {
                if let Err(e) = out {
                    assert!(!e.chars().any(char::is_control), "{target}/{name}: {e:?}");
                    assert!(!e.trim().is_empty(), "{target}/{name}: empty message");
                }
            }
        }
    }
}

#[test]
fn idx_corpus() {
    replay("idx", harness::idx);
}

#[test]
fn cifar_corpus() {
    replay("cifar", harness::cifar);
}

#[test]
fn npz_corpus() {
    replay("npz", harness::npz);
}

#[test]
fn filter_corpus() {
    replay("filter", harness::filter);
}

#[test]
fn csv_corpus() {
    replay("csv", harness::csv);
}
