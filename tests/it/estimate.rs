//! The holdout estimator end to end through the library: accuracy of the ranking, resume, determinism.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use cscore::estimate::{run_estimate, Aggregate, EstimateOptions, Event, Plan};
use cscore::model::{DeviceData, ModelSpec, TrainConfig};
use cscore::project::dataset_info;
use cscore::store::{RunRecord, RunStatus, Workspace};
use std::sync::atomic::{AtomicBool, Ordering};

fn small_plan(runs: usize) -> Plan {
    Plan {
        ratios: vec![0.25, 0.5, 0.75],
        runs,
        seed: 3,
        model: ModelSpec::Mlp(vec![32]),
        train: TrainConfig { epochs: 6, batch: 32, lr: 0.05, momentum: 0.9, weight_decay: 0.0 },
        track_runs: 1,
        proxy_runs: 1,
        ..Plan::default()
    }
}

fn opts(workers: usize) -> EstimateOptions {
    EstimateOptions { workers, ..EstimateOptions::default() }
}

/// A synthetic dataset (see `common::synthetic`), its flipped indices, a fresh workspace for it in a
/// temporary folder (kept alive by the returned guard) and the data on the CPU.
fn fresh(
    n: usize,
    classes: usize,
    flip: f64,
    seed: u64,
) -> (cscore::data::Dataset, Vec<usize>, tempfile::TempDir, Workspace, DeviceData) {
    let (ds, flipped) = common::synthetic(n, classes, flip, seed);
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::create(&dir.path().join("ws.cscore"), &dataset_info(&ds)).unwrap();
    let data = DeviceData::new(&ds, &candle_core::Device::Cpu).unwrap();
    (ds, flipped, dir, ws, data)
}

/// Records without their timings, which legitimately differ between sessions.
fn comparable(mut runs: Vec<RunRecord>) -> Vec<RunRecord> {
    for r in &mut runs {
        r.train_seconds = 0.0;
        r.eval_seconds = 0.0;
    }
    runs.sort_by_key(|r| r.key);
    runs
}

#[test]
fn flipped_labels_get_the_lowest_cscores() {
    let (ds, flipped, _dir, ws, data) = fresh(600, 6, 0.05, 11);
    let plan = small_plan(4);
    let stop = AtomicBool::new(false);
    let report = run_estimate(&ws, &data, &plan, &opts(2), &stop, &mut |_| {}).unwrap();
    assert_eq!(report.committed, 1 + 12);
    assert_eq!(report.remaining, 0);
    let mut agg = Aggregate::new(ds.len(), 3, 6);
    for r in ws.load_runs(false).unwrap() {
        agg.add(&r);
    }
    let low: Vec<f64> = agg.cscores().iter().map(|c| 1.0 - c).collect();
    assert!(low.iter().all(|v| v.is_finite()), "every example held out at least once");
    let auc = common::auroc(&low, &flipped);
    assert!(auc >= 0.9, "AUROC of low C-score for flipped labels = {auc}");
    // The held-out majority prediction recovers most original labels of flipped examples.
    let recovered = flipped.iter().filter(|&&i| agg.heldout_prediction(i) == Some((i % 6) as u32)).count();
    assert!(recovered * 2 > flipped.len(), "{recovered} of {}", flipped.len());
    // Tracked runs: the proxy run and run 0 of each ratio carry per-epoch statistics over all examples.
    let tracked = ws.tracked_runs().unwrap();
    assert_eq!(tracked.len(), 4);
    let stats = ws.epoch_stats(tracked[0]).unwrap();
    assert_eq!(stats.len(), 6);
    assert_eq!(stats[0].given_prob.len(), 600);
}

#[test]
fn interrupted_and_resumed_equals_uninterrupted_and_workers_do_not_matter() {
    let (ds, _) = common::synthetic(240, 4, 0.05, 5);
    let data = DeviceData::new(&ds, &candle_core::Device::Cpu).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plan = small_plan(3);

    let whole = Workspace::create(&dir.path().join("whole.cscore"), &dataset_info(&ds)).unwrap();
    run_estimate(&whole, &data, &plan, &opts(1), &AtomicBool::new(false), &mut |_| {}).unwrap();

    let parts = Workspace::create(&dir.path().join("parts.cscore"), &dataset_info(&ds)).unwrap();
    for round in 0..20 {
        let stop = AtomicBool::new(false);
        let mut seen = 0;
        let report = run_estimate(&parts, &data, &plan, &opts(2), &stop, &mut |e| {
            if let Event::RunCommitted { .. } = e {
                seen += 1;
                if seen == 2 {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        })
        .unwrap();
        if report.remaining == 0 {
            // A stop request lets each of the 2 workers land at most the one run it holds: at most 4 a round.
            assert!(
                round >= 2,
                "the plan has 10 runs, so at least 3 rounds were needed (took {})",
                round + 1
            );
            break;
        }
    }
    let a = comparable(whole.load_runs(true).unwrap());
    let b = comparable(parts.load_runs(true).unwrap());
    assert_eq!(a.len(), 10);
    assert_eq!(a, b, "resumed estimate (2 workers) differs from an uninterrupted one (1 worker)");
}

/// Without the learning check, runs that diverge are recorded as failed and the estimate goes on.
#[test]
fn diverging_runs_are_recorded_as_failed_and_the_estimate_goes_on() {
    let (ds, _, _dir, ws, data) = fresh(120, 3, 0.0, 9);
    let mut plan = small_plan(1);
    plan.train.lr = 1e20; // weights overflow f32 within a few steps
    let opts = EstimateOptions { learning_check: false, ..opts(2) };
    let report = run_estimate(&ws, &data, &plan, &opts, &AtomicBool::new(false), &mut |_| {}).unwrap();
    assert_eq!(report.remaining, 0);
    assert_eq!(report.failed, 4);
    let failures = ws.failures().unwrap();
    assert_eq!(failures.len(), 4);
    assert!(failures[0].1.contains("diverged"), "{}", failures[0].1);
    let runs = ws.load_runs(false).unwrap();
    assert!(runs.iter().all(|r| matches!(r.status, RunStatus::Failed(_))));
    let mut agg = Aggregate::new(ds.len(), 3, 3);
    runs.iter().for_each(|r| agg.add(r));
    assert_eq!(agg.runs(), (0, 3));
    assert_eq!(agg.cscore(0), None);
}

/// With the learning check (the default), an estimate whose first holdout runs all diverge gives up
/// with an error naming the divergence instead of spending the rest of its plan on it; the failed runs
/// stay recorded, so a second session gives up before training.
#[test]
fn an_estimate_whose_first_holdout_runs_all_diverge_gives_up() {
    let (_ds, _, _dir, ws, data) = fresh(120, 3, 0.0, 9);
    let mut plan = small_plan(2);
    plan.train.lr = 1e20;
    let stop = AtomicBool::new(false);
    let err = run_estimate(&ws, &data, &plan, &opts(1), &stop, &mut |_| {}).unwrap_err().to_string();
    assert!(err.contains("the first 3 holdout runs diverged") && err.contains("lower --lr"), "{err}");
    let counts = ws.run_counts().unwrap();
    assert!(counts.done == 0 && (4..=5).contains(&counts.failed), "{counts:?}");
    let mut trained = 0;
    let again = run_estimate(&ws, &data, &plan, &opts(1), &AtomicBool::new(false), &mut |e| {
        trained += usize::from(matches!(e, Event::RunCommitted { .. }))
    });
    assert!(again.unwrap_err().to_string().contains("diverged"));
    assert_eq!(trained, 0);
}

#[test]
fn batched_models_match_single_models() {
    let (ds, _) = common::synthetic(200, 4, 0.0, 1);
    let data = DeviceData::new(&ds, &candle_core::Device::Cpu).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plan = Plan { proxy_runs: 0, track_runs: 0, ..small_plan(4) };
    let single = Workspace::create(&dir.path().join("k1.cscore"), &dataset_info(&ds)).unwrap();
    run_estimate(&single, &data, &plan, &opts(1), &AtomicBool::new(false), &mut |_| {}).unwrap();
    let batched = Workspace::create(&dir.path().join("k4.cscore"), &dataset_info(&ds)).unwrap();
    let o = EstimateOptions { workers: 1, models_per_step: 4, ..EstimateOptions::default() };
    run_estimate(&batched, &data, &plan, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let a = comparable(single.load_runs(false).unwrap());
    let b = comparable(batched.load_runs(false).unwrap());
    assert_eq!(a.len(), 12);
    // On the CPU every model of a batched step is computed on its own, in the same order as alone.
    assert_eq!(a, b, "K = 4 batched runs differ from K = 1 runs on the CPU");
}

/// `n` images (`c` channels, side × side) of `classes` smooth prototype patterns with pixel noise.
fn prototypes(c: usize, side: usize, n: usize, classes: usize) -> cscore::data::Dataset {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let d = c * side * side;
    let protos: Vec<Vec<f64>> = (0..classes)
        .map(|k| {
            (0..d)
                .map(|p| (0.5 + 0.5 * ((p % side) as f64 * (k + 1) as f64 / 5.0).sin()).clamp(0.0, 1.0))
                .collect()
        })
        .collect();
    let mut pixels = Vec::with_capacity(n * d);
    let labels: Vec<u32> = (0..n).map(|i| (i % classes) as u32).collect();
    for &y in &labels {
        for p in &protos[y as usize] {
            pixels.push(((p + rng.random_range(-0.2..0.2)).clamp(0.0, 1.0) * 255.0) as u8);
        }
    }
    let content_hash = cscore::data::Dataset::compute_hash(c, side, side, &pixels, &labels, classes);
    cscore::data::Dataset {
        name: "prototypes".into(),
        source: "prototypes".into(),
        format: cscore::data::Format::Npz,
        channels: c,
        height: side,
        width: side,
        pixels,
        labels,
        class_names: (0..classes).map(|k| k.to_string()).collect(),
        paths: None,
        content_hash,
        notes: Vec::new(),
        unreadable: Vec::new(),
    }
}

#[test]
fn cnn_learns_28x28_grey_and_32x32_rgb_images() {
    for (c, side) in [(1, 28), (3, 32)] {
        let ds = prototypes(c, side, 60, 3);
        let data = DeviceData::new(&ds, &candle_core::Device::Cpu).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("cnn.cscore"), &dataset_info(&ds)).unwrap();
        let plan = Plan {
            ratios: vec![0.5],
            runs: 2,
            model: ModelSpec::Cnn,
            train: TrainConfig { epochs: 4, batch: 10, lr: 0.05, momentum: 0.9, weight_decay: 0.0 },
            track_runs: 1,
            proxy_runs: 0,
            ..small_plan(2)
        };
        run_estimate(&ws, &data, &plan, &opts(2), &AtomicBool::new(false), &mut |_| {}).unwrap();
        let runs = ws.load_runs(true).unwrap();
        assert_eq!(runs.len(), 2);
        for r in &runs {
            assert_eq!(r.status, RunStatus::Done, "{c}×{side}×{side}");
            let held = (0..r.num_examples).filter(|&i| cscore::store::bit_get(&r.heldout_mask, i)).count();
            let hit = (0..r.num_examples).filter(|&i| cscore::store::bit_get(&r.heldout_correct, i)).count();
            assert!(hit * 10 >= held * 8, "{c}×{side}×{side}: {hit} of {held} held-out examples right");
        }
        // The tracked run recorded per-epoch statistics on every example.
        assert_eq!(ws.epoch_stats(ws.tracked_runs().unwrap()[0]).unwrap().len(), 4);
    }
}

#[test]
fn proxy_features_arrive_before_their_run_is_committed() {
    // A process killed between the two would otherwise keep the run and lose the features for good.
    let (ds, _) = common::synthetic(90, 3, 0.0, 5);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.cscore");
    let ws = Workspace::create(&path, &dataset_info(&ds)).unwrap();
    let data = DeviceData::new(&ds, &candle_core::Device::Cpu).unwrap();
    let options = EstimateOptions { proxy_features: true, ..opts(1) };
    let watcher = Workspace::open(&path).unwrap();
    let mut seen = Vec::new();
    run_estimate(&ws, &data, &small_plan(1), &options, &AtomicBool::new(false), &mut |e| match e {
        Event::ProxyFeatures { key, features } => {
            assert_eq!(features.values.len(), 90 * features.dim);
            seen.push(("features", watcher.run(key).unwrap().is_some()));
        }
        Event::RunCommitted { record } if record.key.kind_is_proxy => {
            seen.push(("committed", watcher.run(record.key).unwrap().is_some()));
        }
        _ => {}
    })
    .unwrap();
    assert_eq!(seen, [("features", false), ("committed", true)]);
}

#[test]
fn holdout_runs_wait_for_the_gate_and_proxy_runs_do_not() {
    use cscore::estimate::Gate;
    let (ds, _, dir, ws, data) = fresh(300, 3, 0.0, 8);
    let gate = Gate::closed();
    let options = EstimateOptions { holdout_gate: Some(gate.clone()), ..opts(2) };
    // (proxy run?, gate open when committed?) per commit; asserted after the estimate, since a panic in
    // the callback would leave the workers blocked on their hand-over.
    let mut order = Vec::new();
    let report = run_estimate(&ws, &data, &small_plan(2), &options, &AtomicBool::new(false), &mut |e| {
        if let Event::RunCommitted { record } = e {
            order.push((record.key.kind_is_proxy, gate.is_open()));
            gate.open();
        }
    })
    .unwrap();
    assert_eq!(report.committed, 1 + 6);
    // Only the proxy run can be committed while the gate is closed; then it opens.
    let want: Vec<(bool, bool)> = std::iter::once((true, false)).chain([(false, true); 6]).collect();
    assert_eq!(order, want);
    // A stop request releases workers waiting at a closed gate.
    let ws2 = Workspace::create(&dir.path().join("ws2.cscore"), &dataset_info(&ds)).unwrap();
    let closed = Gate::closed();
    let stop = AtomicBool::new(false);
    let options = EstimateOptions { holdout_gate: Some(closed), ..opts(2) };
    let report = run_estimate(&ws2, &data, &small_plan(2), &options, &stop, &mut |e| {
        if matches!(e, Event::RunCommitted { .. }) {
            stop.store(true, Ordering::Relaxed);
        }
    })
    .unwrap();
    assert_eq!(report.committed, 1, "only the proxy run");
    assert!(report.stopped_early);
}

#[test]
fn a_session_computes_the_input_space_proxies_before_any_holdout_run() {
    use cscore::pipeline::{estimate_with_proxies, Notice, ProxySetup, INPUT_SPACE_HEAD_START};
    use cscore::proxy::{ProxyUpdater, Selection, INPUT_PROXIES};
    use std::sync::{Arc, Mutex};
    let (ds, _, _dir, ws, data) = fresh(400, 4, 0.05, 9);
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = log.clone();
    let notify = Arc::new(move |n: Notice| {
        if let Notice::Stored { names, .. } = n {
            if names.iter().any(|n| INPUT_PROXIES.contains(n)) {
                sink.lock().unwrap().push("input-space proxies".into());
            }
        }
    });
    let updater = ProxyUpdater::new(Selection::all(), &ds.labels, ds.num_classes());
    let proxies = ProxySetup { updater, notify, wait: INPUT_SPACE_HEAD_START };
    let stop = Arc::new(AtomicBool::new(false));
    let plan = small_plan(1);
    estimate_with_proxies(&ws, &data, &plan, &opts(2), Some(proxies), stop, &mut |e, _| {
        if let Event::RunCommitted { record } = e {
            let kind = if record.key.kind_is_proxy { "proxy run" } else { "holdout run" };
            log.lock().unwrap().push(kind.into());
        }
    })
    .unwrap();
    let log = log.lock().unwrap().clone();
    let first_holdout = log.iter().position(|s| s == "holdout run").unwrap();
    let input = log.iter().position(|s| s == "input-space proxies").unwrap();
    assert!(input < first_holdout, "{log:?}");
    assert_eq!(log.iter().filter(|s| *s == "holdout run").count(), 3);
}

#[test]
fn a_panicking_callback_reaches_the_caller_instead_of_hanging() {
    // The estimate runs on a thread of its own so that a hang fails the test instead of stalling it.
    let (ds, _) = common::synthetic(200, 3, 0.0, 12);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ws.cscore");
    Workspace::create(&path, &dataset_info(&ds)).unwrap();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let ws = Workspace::open(&path).unwrap();
        let data = DeviceData::new(&ds, &candle_core::Device::Cpu).unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_estimate(&ws, &data, &small_plan(3), &opts(2), &AtomicBool::new(false), &mut |e| {
                if matches!(e, Event::RunCommitted { .. }) {
                    panic!("callback failed");
                }
            })
            .is_ok()
        }));
        let _ = done_tx.send(outcome.is_err());
    });
    let panicked = done_rx.recv_timeout(std::time::Duration::from_secs(60)).expect("run_estimate hung");
    assert!(panicked);
}
