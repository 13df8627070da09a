//! A small synthetic workspace for the explorer's tests: an IDX folder on disk, a stored plan, fake runs
//! with known C-scores (example i scores (i mod 10) / 10), one tracked run and one proxy.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

use cscore::data::{Dataset, LoadOptions};
use cscore::estimate::{resolve_plan, PlanOverrides};
use cscore::project::Project;
use cscore::store::{bit_set, EpochStats, RunKey, RunRecord, RunStatus};
use cscore::tui::{App, Config, ImageMode, Session};
use std::path::PathBuf;

/// Classes of the synthetic dataset.
pub const CLASSES: usize = 4;
/// Holdout runs (all at ratio 0.5, each holding out every example).
pub const RUNS: u32 = 10;

/// A dataset folder and its workspace in a temporary directory.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub data: PathBuf,
    pub workspace: PathBuf,
    pub labels: Vec<u32>,
}

/// Example i is right in run r when r < i mod 10; wrong runs predict the next class.
fn run(r: u32, labels: &[u32]) -> RunRecord {
    let n = labels.len();
    let mut mask = vec![0u8; n.div_ceil(8)];
    let mut correct = mask.clone();
    let mut preds = Vec::with_capacity(n);
    for (i, &l) in labels.iter().enumerate() {
        bit_set(&mut mask, i);
        if (r as usize) < i % 10 {
            bit_set(&mut correct, i);
            preds.push(l);
        } else {
            preds.push((l + 1) % CLASSES as u32);
        }
    }
    RunRecord {
        key: RunKey { kind_is_proxy: false, ratio_index: 0, run_index: r },
        subset_ratio: 0.5,
        seed: u64::from(r),
        status: RunStatus::Done,
        train_seconds: 1.0,
        eval_seconds: 0.1,
        num_examples: n,
        heldout_mask: mask,
        heldout_correct: correct,
        heldout_predictions: preds,
        final_loss: 0.1,
        epochs: Vec::new(),
    }
}

/// The tracked full-data run: example i's given-label probability rises to (i mod 10)/10 over 3 epochs.
fn proxy_run(labels: &[u32]) -> RunRecord {
    let n = labels.len();
    let epochs = (1..=3)
        .map(|e| EpochStats {
            epoch: e,
            given_prob: (0..n).map(|i| (e as f32 / 3.0) * ((i % 10) as f32 / 10.0)).collect(),
            predicted: labels.to_vec(),
            margin: vec![0.0; n],
        })
        .collect();
    RunRecord {
        key: RunKey { kind_is_proxy: true, ratio_index: 0, run_index: 0 },
        subset_ratio: 1.0,
        seed: 99,
        status: RunStatus::Done,
        train_seconds: 1.0,
        eval_seconds: 0.0,
        num_examples: n,
        heldout_mask: vec![0u8; n.div_ceil(8)],
        heldout_correct: vec![0u8; n.div_ceil(8)],
        heldout_predictions: Vec::new(),
        final_loss: 0.1,
        epochs,
    }
}

/// `n` examples with all runs stored.
pub fn fixture(n: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(n, CLASSES, 0.0, 7);
    let data = dir.path().join("data");
    common::write_idx(&data, &ds);
    let workspace = dir.path().join("fixture.cscore");
    let project = Project::open(&data, &LoadOptions::default(), Some(&workspace), None).unwrap();
    let ws = &project.workspace;
    let overrides = PlanOverrides {
        ratios: Some(vec![0.5]),
        runs: Some(RUNS as usize),
        proxy_runs: Some(1),
        track_runs: Some(0),
        ..Default::default()
    };
    resolve_plan(ws, &overrides).unwrap();
    for r in 0..RUNS {
        assert!(ws.insert_run(&run(r, &ds.labels)).unwrap());
    }
    assert!(ws.insert_run(&proxy_run(&ds.labels)).unwrap());
    // a proxy that agrees with the C-score except on multiples of 7
    let proxy: Vec<f32> = (0..n).map(|i| if i % 7 == 0 { 1.0 } else { (i % 10) as f32 / 10.0 }).collect();
    ws.set_proxy_scores("learning_speed", &proxy).unwrap();
    Fixture { labels: ds.labels.clone(), dir, data, workspace }
}

/// The explorer over a fixture, as `cscore explore WS --no-train` opens it (plain-Unicode images).
pub fn open_app(f: &Fixture) -> App {
    let project = Project::open(&f.data, &LoadOptions::default(), Some(&f.workspace), None).unwrap();
    let plan = cscore::estimate::stored_plan(&project.workspace).unwrap();
    let mut app = Session::open(project, plan, &Config::default(), Some("dark"), None).unwrap().app;
    app.images = ImageMode::Shade;
    app.data.workspace_path = PathBuf::from("fixture.cscore");
    app
}

/// The dataset of a fixture.
pub fn dataset(f: &Fixture) -> Dataset {
    cscore::data::load(&f.data, &LoadOptions::default()).unwrap()
}
