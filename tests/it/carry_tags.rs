//! `cscore import-tags NEW OLD.cscore`: the labeling of one workspace carried to another of an edited
//! copy of its dataset, each tagged example found by its pixels (an `.npz` whose examples shifted, a
//! folder whose class folder was renamed and files moved), an image edited in place by its file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{i64_bytes, npy, write_npz};
use crate::export_support::{cscore, text};
use cscore::store::{TagRow, Workspace};
use std::path::Path;

fn estimate(root: &Path, data: &str, ws: &str) {
    let args = ["estimate", data, "-w", ws, "--ratios", "0.5", "--runs", "1", "--epochs", "1"];
    let out = cscore(
        &[&args[..], &["--model", "mlp:8", "--lr", "0.05", "--proxies", "none", "--no-progress"]].concat(),
        root,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// An `.npz` of the 4×4 grey examples `keep` of twelve (example `i`'s pixels all `i * 20`), labels `i % 3`.
fn npz(path: &Path, keep: &[u8]) {
    let x: Vec<u8> = keep.iter().flat_map(|&i| [i * 20; 16]).collect();
    let y: Vec<i64> = keep.iter().map(|&i| i64::from(i % 3)).collect();
    let shape = format!("({}, 4, 4)", keep.len());
    write_npz(
        path,
        &[
            ("x.npy", npy("|u1", &shape, &x, false)),
            ("y.npy", npy("<i8", &format!("({},)", keep.len()), &i64_bytes(&y), false)),
        ],
    );
}

fn tag(example: usize, tag: Option<&str>, relabel: Option<u32>, note: Option<&str>) -> TagRow {
    TagRow { example, tag: tag.map(String::from), relabel, note: note.map(String::from) }
}

#[test]
fn the_tags_of_an_npz_workspace_follow_their_examples_when_one_was_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let all: Vec<u8> = (0..12).collect();
    npz(&root.join("d.npz"), &all);
    estimate(root, "d.npz", "old.cscore");
    let old = Workspace::open(&root.join("old.cscore")).unwrap();
    old.set_tag(2, Some("ood"), None).unwrap();
    old.set_tag(7, Some("mislabeled"), Some(2)).unwrap();
    old.set_note(7, Some("a 2, surely")).unwrap();
    old.set_tag(10, Some("ok"), None).unwrap();
    // The new copy: example 2 (the outlier) removed, every later index one less.
    let kept: Vec<u8> = all.iter().copied().filter(|&i| i != 2).collect();
    npz(&root.join("d2.npz"), &kept);
    estimate(root, "d2.npz", "new.cscore");
    let out = cscore(&["import-tags", "new.cscore", "old.cscore"], root);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(
            "2 of the 3 tagged examples of old.cscore found here (by their pixels); 2 examples changed"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "warning: 1 tagged example of old.cscore not carried: not found here by its pixels (#2)"
        ),
        "{err}"
    );
    let tags = Workspace::open(&root.join("new.cscore")).unwrap().tags().unwrap();
    assert_eq!(
        tags,
        [tag(6, Some("mislabeled"), Some(2), Some("a 2, surely")), tag(9, Some("ok"), None, None)]
    );
    // By index it would be one off: a workspace is matched by pixels only; a table has none.
    let out = cscore(&["import-tags", "new.cscore", "old.cscore", "--by", "index"], root);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr)
        .contains("old.cscore is a workspace: its tagged examples are found by their pixels"));
    std::fs::write(root.join("t.csv"), "index,tag\n1,ood\n").unwrap();
    let out = cscore(&["import-tags", "new.cscore", "t.csv", "--by", "content"], root);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--by content takes another workspace"), "{}", text(&out.stderr));
    // Another dataset altogether: nothing of it is here.
    npz(&root.join("other.npz"), &[12, 13]);
    estimate(root, "other.npz", "other.cscore");
    Workspace::open(&root.join("other.cscore")).unwrap().set_tag(0, Some("ood"), None).unwrap();
    let out = cscore(&["import-tags", "new.cscore", "other.cscore"], root);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("has its pixels in this workspace's dataset"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_tags_of_a_folder_follow_renamed_moved_and_edited_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    crate::common::pets(&root.join("pets"), 6);
    estimate(root, "pets", "old.cscore");
    let old = Workspace::open(&root.join("old.cscore")).unwrap();
    old.set_tag(1, Some("ood"), None).unwrap(); // cat/01.png
    old.set_tag(3, Some("mislabeled"), Some(1)).unwrap(); // cat/03.png, a dog
    old.set_tag(4, Some("mislabeled"), Some(1)).unwrap(); // cat/04.png, a dog
    old.set_tag(8, Some("ok"), None).unwrap(); // dog/02.png
    old.set_note(8, Some("fine")).unwrap();
    old.set_tag(10, Some("ok"), None).unwrap(); // dog/04.png
                                                // The folder edited: cat/04.png moved to dog/ (its relabel applied), dog/02.png redrawn in place,
                                                // dog/04.png deleted, and cat/ renamed kitty/ (which sorts after dog/: the class indices swap).
    let pets = root.join("pets");
    std::fs::rename(pets.join("cat/04.png"), pets.join("dog/04b.png")).unwrap();
    image::RgbImage::new(8, 8).save(pets.join("dog/02.png")).unwrap();
    std::fs::remove_file(pets.join("dog/04.png")).unwrap();
    std::fs::rename(pets.join("cat"), pets.join("kitty")).unwrap();
    estimate(root, "pets", "new.cscore");
    let out = cscore(&["import-tags", "new.cscore", "old.cscore"], root);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("4 of the 5 tagged examples of old.cscore found here (3 by their pixels, 1 changed since by its file)"),
        "{err}"
    );
    assert!(err.contains("not found here by its pixels (#10 dog/04.png)"), "{err}");
    assert!(
        err.contains("note: 1 example relabeled since, to the class its relabel named (#4 cat/04.png)"),
        "{err}"
    );
    // New order: dog/00, 01, 02, 03, 04b, 05 (0–5), kitty/00, 01, 02, 03, 05 (6–10); dog is class 0 now.
    let tags = Workspace::open(&root.join("new.cscore")).unwrap().tags().unwrap();
    assert_eq!(
        tags,
        [
            tag(2, Some("ok"), None, Some("fine")),
            tag(7, Some("ood"), None, None),
            tag(9, Some("mislabeled"), Some(0), None),
        ]
    );
}
