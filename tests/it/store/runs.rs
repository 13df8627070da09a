//! Runs: round trips, duplicates, failures, and what is refused.

use super::*;

fn assert_runs_round_trip(num_classes: usize) {
    let (_dir, path) = temp();
    let n = 101; // not a multiple of 8: the last bitset byte is partial
    let ws = new_ws(&path, n, num_classes);
    let mut holdout = run(key(false, 2, 7), n, num_classes, 1, 0);
    holdout.final_loss = f64::NAN;
    let proxy = run(key(true, 0, 0), n, num_classes, 2, 3);
    assert!(ws.insert_run(&holdout).unwrap());
    assert!(ws.insert_run(&proxy).unwrap());
    if num_classes > 256 {
        assert!(holdout.heldout_predictions.iter().any(|&p| p > 255));
        assert!(proxy.epochs[0].predicted.iter().any(|&p| p > 255));
    }

    let reopened = Workspace::open(&path).unwrap();
    let loaded = reopened.load_runs(true).unwrap();
    assert_eq!(loaded.len(), 2);
    assert!(loaded[0].final_loss.is_nan(), "a diverged loss comes back as NaN");
    let mut first = loaded[0].clone();
    (first.final_loss, holdout.final_loss) = (0.0, 0.0);
    assert_eq!(first, holdout);
    assert_eq!(loaded[1], proxy);
    assert_eq!(loaded[1].seed, u64::MAX - 12_347);
    for i in 0..n {
        assert_eq!(bit_get(&loaded[0].heldout_mask, i), (i + 1) % 3 == 0);
    }

    let without = reopened.load_runs(false).unwrap();
    assert!(without.iter().all(|r| r.epochs.is_empty()));
    assert_eq!(reopened.epoch_stats(proxy.key).unwrap(), proxy.epochs);
    assert_eq!(reopened.epoch_stats(key(true, 0, 9)).unwrap(), vec![]);
    assert_eq!(reopened.tracked_runs().unwrap(), vec![proxy.key]);
}

#[test]
fn runs_round_trip_with_u8_predictions() {
    assert_runs_round_trip(10);
}

#[test]
fn runs_round_trip_with_u16_predictions() {
    assert_runs_round_trip(300);
}

#[test]
fn a_duplicate_run_key_writes_nothing() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 40, 10);
    let first = run(key(false, 1, 1), 40, 10, 0, 2);
    assert!(ws.insert_run(&first).unwrap());
    let version = ws.data_version().unwrap();
    let second = run(key(false, 1, 1), 40, 10, 1, 5);
    assert!(!ws.insert_run(&second).unwrap());
    assert_eq!(ws.load_runs(true).unwrap(), vec![first.clone()]);
    assert_eq!(ws.epoch_stats(first.key).unwrap().len(), 2);
    assert_eq!(ws.data_version().unwrap(), version);
}

#[test]
fn failed_runs_keep_their_reason_and_are_counted() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 16, 4);
    let done = run(key(false, 0, 0), 16, 4, 0, 0);
    let mut failed = run(key(false, 0, 1), 16, 4, 0, 0);
    failed.status = RunStatus::Failed("loss diverged at epoch 3".into());
    failed.heldout_mask.clear();
    failed.heldout_correct.clear();
    failed.heldout_predictions.clear();
    failed.final_loss = f64::INFINITY;
    assert!(ws.insert_run(&done).unwrap());
    assert!(ws.insert_run(&failed).unwrap());

    assert_eq!(ws.run_counts().unwrap(), RunCounts { done: 1, failed: 1 });
    assert_eq!(ws.run_keys().unwrap(), vec![(done.key, true), (failed.key, false)]);
    assert_eq!(ws.failures().unwrap(), vec![(failed.key, "loss diverged at epoch 3".to_string())]);
    assert_eq!(ws.load_runs(false).unwrap()[1], failed);
}

#[test]
fn runs_after_returns_only_newer_runs() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 8, 2);
    assert!(ws.runs_after(0, false).unwrap().is_empty());
    ws.insert_run(&run(key(false, 0, 0), 8, 2, 0, 0)).unwrap();
    ws.insert_run(&run(key(false, 1, 0), 8, 2, 0, 1)).unwrap();
    let all = ws.runs_after(0, true).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].1.epochs.len(), 1);
    let last = all[1].0;
    assert!(ws.runs_after(last, false).unwrap().is_empty());
    ws.insert_run(&run(key(false, 0, 1), 8, 2, 0, 0)).unwrap();
    let newer = ws.runs_after(last, false).unwrap();
    assert_eq!(newer.len(), 1);
    assert_eq!(newer[0].1.key, key(false, 0, 1));
}

#[test]
fn malformed_runs_are_refused_and_nothing_is_written() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 20, 10);
    let good = run(key(false, 0, 0), 20, 10, 0, 1);

    let mut wrong_n = good.clone();
    wrong_n.num_examples = 21;
    let mut short_mask = good.clone();
    short_mask.heldout_mask.pop();
    let mut extra_prediction = good.clone();
    extra_prediction.heldout_predictions.push(1);
    let mut bad_label = good.clone();
    bad_label.heldout_predictions[0] = 10;
    let mut bad_epoch = good.clone();
    bad_epoch.epochs[0].margin.pop();
    let mut correct_not_held_out = good.clone();
    bit_set(&mut correct_not_held_out.heldout_correct, 1);
    let mut bit_past_end = good.clone();
    bit_set(&mut bit_past_end.heldout_mask, 23);

    for (bad, words) in [
        (wrong_n, "covers 21 examples"),
        (short_mask, "held-out mask has 2 bytes"),
        (extra_prediction, "predictions for"),
        (bad_label, "predicted label 10 is out of range"),
        (bad_epoch, "epoch 1 does not cover"),
        (correct_not_held_out, "correct but not held out"),
        (bit_past_end, "bits past example 20"),
    ] {
        let err = ws.insert_run(&bad).unwrap_err();
        assert!(matches!(err, StoreError::Invalid { .. }), "{err}");
        assert!(err.to_string().contains(words), "{err}");
    }
    assert!(ws.load_runs(true).unwrap().is_empty());
    assert!(ws.insert_run(&good).unwrap());
}
