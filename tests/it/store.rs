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

#[test]
fn dataset_info_round_trips_through_a_reopen() {
    let (_dir, path) = temp();
    let want = info(1234, 10, HASH);
    let ws = Workspace::create(&path, &want).unwrap();
    assert_eq!(ws.path(), path.as_path());
    assert_eq!(ws.dataset_info().unwrap(), want);
    drop(ws);
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.dataset_info().unwrap(), want);
    assert_eq!((ws.num_examples(), ws.num_classes()), (1234, 10));
}

#[test]
fn create_refuses_an_existing_file() {
    let (_dir, path) = temp();
    new_ws(&path, 10, 2);
    let err = Workspace::create(&path, &info(10, 2, HASH)).unwrap_err();
    assert!(matches!(err, StoreError::Exists { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.starts_with(&path.display().to_string()), "{msg}");
    assert!(msg.contains("already exists"), "{msg}");
    // The refused create left the first workspace intact.
    assert_eq!(Workspace::open(&path).unwrap().num_examples(), 10);
}

#[test]
fn create_rejects_inconsistent_dataset_info_without_leaving_a_file() {
    let (_dir, path) = temp();
    let mut bad = info(10, 3, HASH);
    bad.class_names.pop();
    let err = Workspace::create(&path, &bad).unwrap_err();
    assert!(err.to_string().contains("3 classes but 2 class names"), "{err}");
    assert!(!path.exists());
}

#[test]
fn open_of_a_missing_file_says_so() {
    let (_dir, path) = temp();
    let err = Workspace::open(&path).unwrap_err();
    assert_eq!(err.to_string(), format!("{}: no such workspace", path.display()));
    assert!(!path.exists(), "open must not create a file");
}

#[test]
fn open_or_create_reuses_the_same_dataset_and_refuses_another() {
    let (_dir, path) = temp();
    let ws = Workspace::open_or_create(&path, &info(10, 2, HASH)).unwrap();
    ws.set_config("plan", r#"{"runs":3}"#).unwrap();
    drop(ws);
    let ws = Workspace::open_or_create(&path, &info(10, 2, HASH)).unwrap();
    assert_eq!(ws.config("plan").unwrap().as_deref(), Some(r#"{"runs":3}"#));
    drop(ws);

    let mut other = info(10, 2, "0123456789abcdef0123");
    other.source = "/data/other".into();
    let err = Workspace::open_or_create(&path, &other).unwrap_err();
    assert!(matches!(err, StoreError::DatasetMismatch { .. }));
    assert_eq!(
        err.to_string(),
        format!(
            "{}: this workspace belongs to dataset /data/toy (hash abcdef012345…), \
             not to /data/other (hash 0123456789ab…); use another -w path",
            path.display()
        )
    );
}

#[test]
fn config_round_trips_and_rejects_invalid_json() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 4, 2);
    assert_eq!(ws.config("plan").unwrap(), None);
    ws.set_config("plan", "[1,2]").unwrap();
    ws.set_config("plan", r#"{"ratios":[0.1,0.5]}"#).unwrap();
    assert_eq!(ws.config("plan").unwrap().as_deref(), Some(r#"{"ratios":[0.1,0.5]}"#));
    let err = ws.set_config("plan", "{oops").unwrap_err();
    assert!(err.to_string().contains("config plan: not valid JSON"), "{err}");
}

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

#[test]
fn proxy_and_reference_scores_round_trip_and_check_length() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 5, 2);
    let speed = vec![0.5, f32::NAN, -1.0, 2.5, 1e-7];
    ws.set_proxy_scores("learning_speed", &speed).unwrap();
    ws.set_proxy_scores("knn_agreement", &[1.0; 5]).unwrap();
    ws.set_proxy_scores("knn_agreement", &[0.25; 5]).unwrap();
    let back = ws.proxy_scores("learning_speed").unwrap().unwrap();
    assert_eq!(
        back.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        speed.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(ws.proxy_scores("knn_agreement").unwrap(), Some(vec![0.25; 5]));
    assert_eq!(ws.proxy_scores("nope").unwrap(), None);
    assert_eq!(ws.proxy_names().unwrap(), vec!["knn_agreement", "learning_speed"]);

    let err = ws.set_proxy_scores("margin", &[1.0; 4]).unwrap_err();
    assert!(err.to_string().contains("have 4 values but the dataset has 5"), "{err}");
    assert!(ws.set_proxy_scores("", &[1.0; 5]).is_err());

    ws.set_reference_scores("paper", &[0.9, 0.8, 0.7, 0.6, 0.5], "cscores.npz").unwrap();
    assert_eq!(ws.reference_scores("paper").unwrap(), Some(vec![0.9, 0.8, 0.7, 0.6, 0.5]));
    assert_eq!(ws.reference_names().unwrap(), vec!["paper"]);
    assert_eq!(ws.reference_scores("other").unwrap(), None);
    assert!(ws.set_reference_scores("paper", &[0.0; 6], "x").is_err());
}

#[test]
fn injected_rows_replace_and_validate() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 10, 3);
    let rows = vec![
        InjectedRow { example: 7, kind: "label_noise".into(), original_label: 2 },
        InjectedRow { example: 1, kind: "ood".into(), original_label: 0 },
    ];
    ws.set_injected(&rows).unwrap();
    assert_eq!(ws.injected().unwrap(), vec![rows[1].clone(), rows[0].clone()]);
    ws.set_injected(&rows[..1]).unwrap();
    assert_eq!(ws.injected().unwrap(), vec![rows[0].clone()]);

    let out_of_range = InjectedRow { example: 10, kind: "ood".into(), original_label: 0 };
    let err = ws.set_injected(&[out_of_range]).unwrap_err();
    assert!(err.to_string().contains("example 10 is out of range (the dataset has 10 examples)"));
    let bad_label = InjectedRow { example: 3, kind: "ood".into(), original_label: 3 };
    assert!(ws.set_injected(&[bad_label]).unwrap_err().to_string().contains("original label 3"));
    let twice = vec![rows[0].clone(), rows[0].clone()];
    assert!(ws.set_injected(&twice).unwrap_err().to_string().contains("injected twice"));
    assert_eq!(ws.injected().unwrap(), vec![rows[0].clone()], "refused writes change nothing");
    ws.set_injected(&[]).unwrap();
    assert!(ws.injected().unwrap().is_empty());
}

fn tag_row(example: usize, tag: Option<&str>, relabel: Option<u32>, note: Option<&str>) -> TagRow {
    TagRow { example, tag: tag.map(String::from), relabel, note: note.map(String::from) }
}

#[test]
fn tags_keep_history_and_undo_step_by_step() {
    let (_dir, path) = temp();
    let ws = new_ws(&path, 10, 3);
    assert_eq!(ws.undo_last_tag().unwrap(), None);

    ws.set_tag(4, Some("mislabeled"), Some(2)).unwrap();
    ws.set_note(4, Some("looks like a 2")).unwrap();
    ws.set_tag(4, Some("ambiguous"), None).unwrap();
    ws.set_tag(4, Some("ambiguous"), None).unwrap(); // no change: no history step
    ws.set_tag(9, Some("ood"), None).unwrap();
    ws.set_tag(9, None, None).unwrap();
    assert_eq!(ws.tags().unwrap(), vec![tag_row(4, Some("ambiguous"), None, Some("looks like a 2"))]);

    // Undo walks back one change at a time, newest first, keeping notes.
    assert_eq!(ws.undo_last_tag().unwrap(), Some(tag_row(9, Some("ood"), None, None)));
    assert_eq!(ws.undo_last_tag().unwrap(), Some(tag_row(9, None, None, None)));
    assert_eq!(
        ws.undo_last_tag().unwrap(),
        Some(tag_row(4, Some("mislabeled"), Some(2), Some("looks like a 2")))
    );
    // A new change after undos is undone next, then the older history continues.
    ws.set_tag(0, Some("ood"), None).unwrap();
    assert_eq!(ws.undo_last_tag().unwrap(), Some(tag_row(0, None, None, None)));
    assert_eq!(ws.undo_last_tag().unwrap(), Some(tag_row(4, None, None, Some("looks like a 2"))));
    assert_eq!(ws.undo_last_tag().unwrap(), None);
    assert_eq!(ws.tags().unwrap(), vec![tag_row(4, None, None, Some("looks like a 2"))]);
    ws.set_note(4, None).unwrap();
    assert!(ws.tags().unwrap().is_empty());

    let err = ws.set_tag(10, Some("ood"), None).unwrap_err();
    assert!(err.to_string().contains("example 10 is out of range"), "{err}");
    let err = ws.set_tag(1, None, Some(3)).unwrap_err();
    assert!(err.to_string().contains("relabel 3 is out of range (the dataset has 3 classes)"));
    assert!(ws.set_tag(1, Some(" "), None).is_err());
    assert!(ws.set_note(10, Some("x")).is_err());
}

#[test]
fn a_newer_schema_version_is_refused() {
    let (_dir, path) = temp();
    drop(new_ws(&path, 3, 2));
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Workspace::open(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: workspace schema version 99 (written by cscore {}) is newer than this cscore {} supports \
             (version {}); upgrade cscore to open it",
            path.display(),
            env!("CARGO_PKG_VERSION"),
            env!("CARGO_PKG_VERSION"),
            cscore::store::SCHEMA_VERSION
        )
    );
    let err = Workspace::open_or_create(&path, &info(3, 2, HASH)).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
}

#[test]
fn files_that_are_not_workspaces_are_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    let garbage = b"this is certainly not an SQLite database, just some text. ".repeat(40);
    std::fs::write(&text, &garbage).unwrap();
    let err = Workspace::open(&text).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: not a cscore workspace (not an SQLite database)", text.display())
    );
    assert_eq!(std::fs::read(&text).unwrap(), garbage);
    assert!(Workspace::open_or_create(&text, &info(3, 2, HASH)).is_err());

    let empty = dir.path().join("empty.cscore");
    std::fs::write(&empty, b"").unwrap();
    let err = Workspace::open(&empty).unwrap_err();
    assert!(err.to_string().ends_with("not a cscore workspace (an empty file)"), "{err}");

    let foreign = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&foreign).unwrap();
    conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
    drop(conn);
    let err = Workspace::open(&foreign).unwrap_err();
    assert!(err.to_string().contains("an SQLite database of another program"), "{err}");

    let err = Workspace::open(dir.path()).unwrap_err();
    assert!(err.to_string().contains("not a cscore workspace (a directory)"), "{err}");
}

#[test]
fn two_connections_writing_at_once_lose_nothing() {
    let (_dir, path) = temp();
    let n = 400;
    drop(new_ws(&path, n, 10));
    let barrier = Arc::new(Barrier::new(2));
    let writers: Vec<_> = (0..2usize)
        .map(|t| {
            let path = path.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || -> Result<usize, StoreError> {
                let ws = Workspace::open(&path)?;
                barrier.wait();
                let mut inserted = 0;
                for i in 0..200 {
                    ws.set_tag(t * 200 + i, Some("mislabeled"), Some((i % 10) as u32))?;
                    if i % 10 == 0 {
                        ws.set_note(t * 200 + i, Some("checked"))?;
                        // Both threads race for the same keys: each must be stored exactly once.
                        let rec = run(key(false, (i / 10) as u32, 0), n, 10, t as u32, 1);
                        inserted += usize::from(ws.insert_run(&rec)?);
                        let own = run(key(true, t as u32, i as u32), n, 10, 0, 0);
                        inserted += usize::from(ws.insert_run(&own)?);
                    }
                }
                Ok(inserted)
            })
        })
        .collect();
    let inserted: usize = writers.into_iter().map(|w| w.join().unwrap().unwrap()).sum();

    let ws = Workspace::open(&path).unwrap();
    let tags = ws.tags().unwrap();
    assert_eq!(tags.len(), 400);
    assert!(tags.iter().all(|t| t.tag.as_deref() == Some("mislabeled")));
    assert_eq!(tags.iter().filter(|t| t.note.is_some()).count(), 40);
    assert_eq!(inserted, 20 + 40);
    assert_eq!(ws.run_counts().unwrap(), RunCounts { done: 60, failed: 0 });
    assert_eq!(ws.tracked_runs().unwrap().len(), 20);
}

#[test]
fn data_version_changes_when_another_connection_writes() {
    let (_dir, path) = temp();
    let follower = new_ws(&path, 6, 2);
    let writer = Workspace::open(&path).unwrap();
    let before = follower.data_version().unwrap();
    assert_eq!(follower.data_version().unwrap(), before);
    writer.set_tag(1, Some("ood"), None).unwrap();
    let after = follower.data_version().unwrap();
    assert_ne!(after, before);
    writer.insert_run(&run(key(false, 0, 0), 6, 2, 0, 0)).unwrap();
    assert_ne!(follower.data_version().unwrap(), after);
    assert_eq!(follower.runs_after(0, false).unwrap().len(), 1);
}

#[test]
fn racing_open_or_create_calls_all_get_the_same_workspace() {
    let (_dir, path) = temp();
    let barrier = Arc::new(Barrier::new(6));
    let openers: Vec<_> = (0..6)
        .map(|i| {
            let path = path.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || -> Result<(), StoreError> {
                barrier.wait();
                let ws = Workspace::open_or_create(&path, &info(12, 3, HASH))?;
                ws.set_tag(i, Some("seen"), None)
            })
        })
        .collect();
    for opener in openers {
        opener.join().unwrap().unwrap();
    }
    assert_eq!(Workspace::open(&path).unwrap().tags().unwrap().len(), 6);
}

#[test]
fn opening_and_writing_wait_for_a_slow_writer() {
    let (_dir, path) = temp();
    drop(new_ws(&path, 6, 2));
    let slow = rusqlite::Connection::open(&path).unwrap();
    slow.execute_batch("BEGIN IMMEDIATE; INSERT INTO config VALUES ('slow', '1');").unwrap();
    let waiter = {
        let path = path.clone();
        std::thread::spawn(move || -> Result<Option<String>, StoreError> {
            let ws = Workspace::open(&path)?;
            ws.set_config("fast", "2")?;
            ws.config("slow")
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    slow.execute_batch("COMMIT").unwrap();
    assert_eq!(waiter.join().unwrap().unwrap().as_deref(), Some("1"));
}
