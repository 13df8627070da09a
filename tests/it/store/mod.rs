//! The workspace store through its public API, on real SQLite files.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};

use cscore::store::{
    bit_get, bit_set, bitset_len, DatasetInfo, EpochStats, InjectedRow, RunCounts, RunKey, RunRecord,
    RunStatus, StoreError, TagRow, Workspace,
};

fn info(num_examples: usize, num_classes: usize, hash: &str) -> DatasetInfo {
    DatasetInfo {
        name: "toy".into(),
        source: "/data/toy".into(),
        format: "idx".into(),
        content_hash: hash.into(),
        num_examples,
        num_classes,
        channels: 1,
        height: 28,
        width: 28,
        class_names: (0..num_classes).map(|c| format!("class {c}")).collect(),
    }
}

const HASH: &str = "abcdef0123456789abcdef0123456789";

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("toy.cscore");
    (dir, path)
}

fn new_ws(path: &Path, n: usize, k: usize) -> Workspace {
    Workspace::create(path, &info(n, k, HASH)).unwrap()
}

fn key(proxy: bool, ratio_index: u32, run_index: u32) -> RunKey {
    RunKey { kind_is_proxy: proxy, ratio_index, run_index }
}

/// A run over `n` examples and `k` classes whose contents depend on `salt`.
fn run(key: RunKey, n: usize, k: usize, salt: u32, epochs: u32) -> RunRecord {
    let mut mask = vec![0u8; bitset_len(n)];
    let mut correct = vec![0u8; bitset_len(n)];
    let mut predictions = Vec::new();
    for i in 0..n {
        if (i as u32 + salt).is_multiple_of(3) {
            bit_set(&mut mask, i);
            if i % 2 == 0 {
                bit_set(&mut correct, i);
            }
            predictions.push((i as u32 * 7 + salt) % k as u32);
        }
    }
    let epochs = (1..=epochs)
        .map(|epoch| EpochStats {
            epoch,
            given_prob: (0..n).map(|i| (i as f32 + epoch as f32) / (n as f32 + 9.0)).collect(),
            predicted: (0..n).map(|i| (i as u32 * 31 + epoch + salt) % k as u32).collect(),
            margin: (0..n).map(|i| i as f32 - epoch as f32 * 0.5).collect(),
        })
        .collect();
    RunRecord {
        key,
        subset_ratio: 0.1 * (key.ratio_index + 1) as f64,
        seed: u64::MAX - 12_345 - salt as u64,
        status: RunStatus::Done,
        train_seconds: 1.25,
        eval_seconds: 0.5,
        num_examples: n,
        heldout_mask: mask,
        heldout_correct: correct,
        heldout_predictions: predictions,
        heldout_probs: Vec::new(),
        final_loss: 0.03125,
        epochs,
    }
}

mod concurrency;
mod files;
mod runs;
mod scores_tags;
