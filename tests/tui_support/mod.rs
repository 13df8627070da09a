//! Small synthetic workspaces for the explorer's tests: an IDX folder on disk, a stored plan and runs
//! with known C-scores. `fixture`: one ratio, example i scores (i mod 10) / 10, one tracked run and one
//! proxy. `rich_fixture`: three ratios, tracked holdout runs, injected examples and four proxies.
//! `explorer` drives an app with the real background (workspace thread, jobs).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use cscore::data::{Dataset, LoadOptions};
use cscore::estimate::{resolve_plan, PlanOverrides};
use cscore::project::Project;
use cscore::store::{bit_set, EpochStats, RunKey, RunRecord, RunStatus};
use cscore::tui::{App, Background, Config, ExploreSession, FollowFrom, ImageMode};
use std::path::{Path, PathBuf};
use std::time::Duration;

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

/// Holdout run `r` of `fixture`: example i is right when r < i mod 10; wrong runs predict the next class.
pub fn run(r: u32, labels: &[u32]) -> RunRecord {
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
        heldout_probs: Vec::new(),
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
        heldout_probs: Vec::new(),
        final_loss: 0.1,
        epochs,
    }
}

/// `n` examples with all runs stored.
pub fn fixture(n: usize) -> Fixture {
    fixture_with_runs(n, RUNS)
}

/// `n` examples with the plan of [`fixture`], the proxy run and holdout runs `0..runs` stored.
pub fn fixture_with_runs(n: usize, runs: u32) -> Fixture {
    fixture_of(n, CLASSES, runs)
}

/// [`fixture`] with `classes` classes.
pub fn fixture_with_classes(n: usize, classes: usize) -> Fixture {
    fixture_of(n, classes, RUNS)
}

fn fixture_of(n: usize, classes: usize, runs: u32) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(n, classes, 0.0, 7);
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
    for r in 0..runs {
        assert!(ws.insert_run(&run(r, &ds.labels)).unwrap());
    }
    assert!(ws.insert_run(&proxy_run(&ds.labels)).unwrap());
    // a proxy that agrees with the C-score except on multiples of 7
    let proxy: Vec<f32> = (0..n).map(|i| if i % 7 == 0 { 1.0 } else { (i % 10) as f32 / 10.0 }).collect();
    ws.set_proxy_scores("learning_speed", &proxy).unwrap();
    Fixture { labels: ds.labels.clone(), dir, data, workspace }
}

/// The session over a fixture, as `cscore explore WS --no-train` opens it (plain-Unicode images).
pub fn open_session(f: &Fixture) -> ExploreSession {
    let project = Project::open(&f.data, &LoadOptions::default(), Some(&f.workspace), None).unwrap();
    let plan = cscore::estimate::stored_plan(&project.workspace).unwrap();
    let mut session = ExploreSession::open(project, plan, &Config::default(), Some("dark"), None).unwrap();
    session.app.images = ImageMode::Shade;
    session.app.data.workspace_path = PathBuf::from("fixture.cscore");
    session
}

/// The app alone (its label writes and jobs stay queued as requests).
pub fn open_app(f: &Fixture) -> App {
    open_session(f).app
}

/// The app with its background: the workspace thread (following the file every `poll`) and the jobs.
pub fn explorer(f: &Fixture, poll: Duration) -> (App, Background) {
    let session = open_session(f);
    let from = FollowFrom {
        path: f.workspace.clone(),
        last_run_id: session.last_run_id,
        have_plan: session.app.est.plan.is_some(),
        poll,
    };
    let mut bg = Background::start(from);
    let mut app = session.app;
    assert!(bg.pump_idle(&mut app, WAIT), "the explorer did not settle");
    (app, bg)
}

/// How long tests wait for the background (generous: CI machines are slow and loaded).
pub const WAIT: Duration = Duration::from_secs(60);

/// Per ratio of the rich fixture: the fraction held out of each run is 1 − ratio.
pub const RICH_RATIOS: [f64; 3] = [0.25, 0.5, 0.75];
/// Holdout runs per ratio of the rich fixture (run 0 of each is tracked).
pub const RICH_RUNS: u32 = 4;
/// The proxies of the rich fixture.
pub const RICH_PROXIES: [&str; 4] = ["el2n", "forgetting_events", "fused", "learning_speed"];

/// Whether the rich fixture's run `r` of ratio `ri` holds example `i` out.
pub fn rich_held_out(i: usize, ri: usize, r: u32) -> bool {
    let k = ((1.0 - RICH_RATIOS[ri]) * 4.0).round() as usize;
    // the step between runs depends on the example, so examples are held out a different number of times
    (i * 7 + r as usize * (3 + i / 3) + ri) % 4 < k
}

/// Example i's difficulty in the rich fixture (0 hardest); injected examples are always wrong.
fn rich_correct(i: usize, ri: usize, r: u32, injected: bool) -> bool {
    !injected && (i * 13 + r as usize * 5 + ri * 7) % 10 < (i % 10) + ri
}

fn rich_run(ri: usize, r: u32, labels: &[u32], injected: &[Option<u32>]) -> RunRecord {
    let n = labels.len();
    let mut mask = vec![0u8; n.div_ceil(8)];
    let mut correct = mask.clone();
    let mut preds = Vec::new();
    for (i, &l) in labels.iter().enumerate() {
        if !rich_held_out(i, ri, r) {
            continue;
        }
        bit_set(&mut mask, i);
        if rich_correct(i, ri, r, injected[i].is_some()) {
            bit_set(&mut correct, i);
            preds.push(l);
        } else {
            // an example with injected label noise is predicted as its original class
            preds.push(injected[i].filter(|&o| o != l).unwrap_or((l + 1) % CLASSES as u32));
        }
    }
    let epochs = if r == 0 {
        (1..=3)
            .map(|e| EpochStats {
                epoch: e,
                given_prob: (0..n)
                    .map(|i| {
                        let learned = (i % 10) as f32 / 10.0 * e as f32 / 3.0;
                        if rich_held_out(i, ri, r) {
                            learned / 2.0
                        } else {
                            learned
                        }
                    })
                    .collect(),
                predicted: labels.to_vec(),
                margin: vec![0.0; n],
            })
            .collect()
    } else {
        Vec::new()
    };
    RunRecord {
        key: RunKey { kind_is_proxy: false, ratio_index: ri as u32, run_index: r },
        subset_ratio: RICH_RATIOS[ri],
        seed: u64::from(r) * 10 + ri as u64,
        status: RunStatus::Done,
        train_seconds: 1.0,
        eval_seconds: 0.1,
        num_examples: n,
        heldout_mask: mask,
        heldout_correct: correct,
        heldout_predictions: preds,
        heldout_probs: Vec::new(),
        final_loss: 0.1,
        epochs,
    }
}

/// `n` examples, 5% with injected label noise and 2% replaced by out-of-distribution images (the
/// workspace records them), three ratios with [`RICH_RUNS`] runs each (run 0 tracked), a tracked proxy
/// run and the [`RICH_PROXIES`].
pub fn rich_fixture(n: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(n, CLASSES, 0.0, 11);
    let data = dir.path().join("data");
    common::write_idx(&data, &ds);
    let workspace = dir.path().join("fixture.cscore");
    let project = Project::open(&data, &LoadOptions::default(), Some(&workspace), None).unwrap();
    let ws = &project.workspace;
    ws.set_config("corruption", r#"{"label_noise":0.05,"ood":0.02,"noise_seed":3}"#).unwrap();
    drop(project);
    let project = Project::open(&data, &LoadOptions::default(), Some(&workspace), None).unwrap();
    let ws = &project.workspace;
    let labels = project.dataset.labels.clone();
    let mut injected = vec![None; n];
    for row in &project.injected {
        injected[row.example] = Some(row.original_label);
    }
    let overrides = PlanOverrides {
        ratios: Some(RICH_RATIOS.to_vec()),
        runs: Some(RICH_RUNS as usize),
        proxy_runs: Some(1),
        track_runs: Some(1),
        ..Default::default()
    };
    resolve_plan(ws, &overrides).unwrap();
    for r in 0..RICH_RUNS {
        for ri in 0..RICH_RATIOS.len() {
            assert!(ws.insert_run(&rich_run(ri, r, &labels, &injected)).unwrap());
        }
    }
    assert!(ws.insert_run(&proxy_run(&labels)).unwrap());
    for (k, name) in RICH_PROXIES.iter().enumerate() {
        let scores: Vec<f32> = (0..n)
            .map(|i| match (injected[i], *name) {
                (Some(_), "el2n" | "forgetting_events") => 5.0,
                (Some(_), _) => 0.0,
                _ => ((i * (k + 3)) % 17) as f32 / 17.0,
            })
            .collect();
        ws.set_proxy_scores(name, &scores).unwrap();
    }
    Fixture { labels, dir, data, workspace }
}

/// Stores `count` more proxies (`proxy_00`, …) in a fixture's workspace.
pub fn add_proxies(workspace: &Path, n: usize, count: usize) {
    let ws = cscore::store::Workspace::open(workspace).unwrap();
    for k in 0..count {
        let scores: Vec<f32> = (0..n).map(|i| ((i + k) % 7) as f32).collect();
        ws.set_proxy_scores(&format!("proxy_{k:02}"), &scores).unwrap();
    }
}

/// The dataset of a fixture.
pub fn dataset(f: &Fixture) -> Dataset {
    cscore::data::load(&f.data, &LoadOptions::default()).unwrap()
}
