//! The workspace's record of its examples (labels as estimated, files): written when a command first
//! opens the workspace with its dataset (a new one, or an older one without it), and used when the dataset
//! has changed or gone so that the tags and scores still export with their labels and files; `show` says
//! the label and file; `--clean`, which needs the pixels, is still refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::export_support::{cscore, parse_csv, text};
use cscore::store::Workspace;
use std::path::{Path, PathBuf};

/// `pets/{cat,dog}/…`, 12 images a class.
fn pets(root: &Path) -> PathBuf {
    let dir = root.join("pets");
    crate::common::pets(&dir, 12);
    dir
}

#[test]
fn tags_export_with_their_files_after_the_folder_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let dir = pets(root);
    let plan = ["--ratios", "0.5", "--runs", "1", "--model", "mlp:8", "--epochs", "1", "--lr", "0.05"];
    let args =
        [&["estimate", "pets", "-w", "p.cscore", "--proxies", "none", "--no-progress"][..], &plan].concat();
    let out = cscore(&args, root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ws = Workspace::open(&root.join("p.cscore")).unwrap();
    let record = ws.example_record().unwrap().expect("estimate records the examples");
    assert_eq!(record.labels, [vec![0; 12], vec![1; 12]].concat());
    assert_eq!(record.paths.as_ref().unwrap()[13], "dog/01.png");
    ws.set_tag(13, Some("mislabeled"), Some(0)).unwrap();
    ws.set_tag(2, Some("ood"), None).unwrap();
    drop(ws);
    let before = text(&cscore(&["export", "p.cscore"], root).stdout);

    // The user fixes the folder: the out-of-distribution cat goes, the mislabeled dog moves to cat/.
    std::fs::remove_file(dir.join("cat/02.png")).unwrap();
    std::fs::rename(dir.join("dog/01.png"), dir.join("cat/01b.png")).unwrap();
    let out = cscore(&["export", "p.cscore"], root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("24 examples then, 23 now") && err.contains("recorded when it was made"), "{err}");
    assert!(err.contains("files gone: 2 (cat/02.png, dog/01.png); files new: 1 (cat/01b.png)"), "{err}");
    assert_eq!(text(&out.stdout), before, "the same table as before the change");
    let table = parse_csv(&text(&out.stdout));
    let col = |name: &str| table[0].iter().position(|c| c == name).unwrap();
    let row = &table[14];
    assert_eq!((row[col("tag")].as_str(), row[col("relabel")].as_str()), ("mislabeled", "0"));
    assert_eq!(row[col("label_name")], "dog");
    assert!(row[col("path")].ends_with("pets/dog/01.png"), "{}", row[col("path")]);
    let jsonl = cscore(&["export", "p.cscore", "--tag", "ood", "--format", "jsonl"], root);
    let first: serde_json::Value = serde_json::from_str(text(&jsonl.stdout).lines().next().unwrap()).unwrap();
    assert_eq!((first["index"].as_u64(), first["label"].as_u64()), (Some(2), Some(0)));

    // `show` names the recorded file, says when it is gone, and draws the one still there.
    let show = cscore(&["show", "p.cscore", "13", "--ascii"], root);
    let shown = text(&show.stdout);
    assert!(show.status.success(), "{}", text(&show.stderr));
    assert!(shown.contains("pets/dog/01.png (no longer there)"), "{shown}");
    assert!(
        text(&show.stderr).contains("read from that file where it is still there"),
        "{}",
        text(&show.stderr)
    );
    let still = cscore(&["show", "p.cscore", "3", "--ascii"], root);
    let (gone_lines, still_lines) = (shown.lines().count(), text(&still.stdout).lines().count());
    assert!(text(&still.stdout).contains("pets/cat/03.png\n"), "{}", text(&still.stdout));
    assert_eq!(still_lines, gone_lines + 4, "an 8×8 image is 4 rows of ASCII:\n{}", text(&still.stdout));
    let clean = cscore(&["export", "p.cscore", "--clean", "--to", "clean"], root);
    assert!(!clean.status.success() && text(&clean.stderr).contains("23 now"), "{}", text(&clean.stderr));
}

/// A workspace made before the record (schema 5, no record) gains it the next time a command opens it
/// with its dataset; without the dataset there is none, and the export says why as before.
#[test]
fn an_older_workspace_gains_the_record_when_opened_with_its_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    pets(root);
    let out = cscore(
        &[
            "estimate",
            "pets",
            "-w",
            "p.cscore",
            "--ratios",
            "0.5",
            "--runs",
            "1",
            "--epochs",
            "1",
            "--model",
            "mlp:8",
            "--proxies",
            "none",
            "--no-progress",
        ],
        root,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let c = rusqlite::Connection::open(root.join("p.cscore")).unwrap();
    c.execute("DELETE FROM example_record", []).unwrap();
    drop(c);
    std::fs::rename(root.join("pets"), root.join("moved")).unwrap();
    let lost = cscore(&["export", "p.cscore"], root);
    assert!(
        !lost.status.success() && text(&lost.stderr).contains("pass --data PATH"),
        "{}",
        text(&lost.stderr)
    );
    let found = cscore(&["export", "p.cscore", "--data", "moved"], root);
    assert!(found.status.success(), "{}", text(&found.stderr));
    let record = Workspace::open(&root.join("p.cscore")).unwrap().example_record().unwrap().unwrap();
    assert_eq!(record.paths.unwrap()[0], "cat/00.png", "relative to the folder, wherever it is");
    std::fs::remove_dir_all(root.join("moved")).unwrap();
    let gone = cscore(&["export", "p.cscore"], root);
    assert!(gone.status.success(), "{}", text(&gone.stderr));
    assert!(
        text(&gone.stderr).contains("pass --data PATH"),
        "the reason is still said: {}",
        text(&gone.stderr)
    );
}
