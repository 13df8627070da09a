//! `cscore import-tags`: the labeling of one workspace carried to another of an edited copy of the
//! folder (matched by file), and index,tag tables as pandas writes them (matched by index).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::export_support::{cscore, text};
use cscore::store::{TagRow, Workspace};
use std::path::Path;

fn pets(dir: &Path) {
    crate::common::pets(dir, 10);
}

fn estimate(root: &Path, data: &str, ws: &str) {
    let args = ["estimate", data, "-w", ws, "--ratios", "0.5", "--runs", "1", "--epochs", "1"];
    let out = cscore(
        &[&args[..], &["--model", "mlp:8", "--lr", "0.05", "--proxies", "none", "--no-progress"]].concat(),
        root,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// `root/pets` estimated into `old.cscore`, marked by `mark`, and its tagged rows exported to `tags.csv`.
fn tagged_export(root: &Path, mark: impl FnOnce(&Workspace)) {
    pets(&root.join("pets"));
    estimate(root, "pets", "old.cscore");
    mark(&Workspace::open(&root.join("old.cscore")).unwrap());
    let out = cscore(&["export", "old.cscore", "--filter", "tag != null", "-o", "tags.csv"], root);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn the_labeling_of_a_folder_follows_its_files_into_a_workspace_of_the_edited_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    tagged_export(root, |old| {
        old.set_tag(2, Some("ood"), None).unwrap(); // cat/02.png
        old.set_tag(13, Some("mislabeled"), Some(0)).unwrap(); // dog/03.png
        old.set_note(13, Some("a cat, surely")).unwrap();
        old.set_tag(15, Some("ok"), None).unwrap(); // dog/05.png
    });

    // The edited copy elsewhere: the outlier deleted, a new image added (the indices all shift).
    pets(&root.join("v2/pets"));
    std::fs::remove_file(root.join("v2/pets/cat/02.png")).unwrap();
    image::RgbImage::new(8, 8).save(root.join("v2/pets/cat/00a.png")).unwrap();
    // …and a new class that sorts first: class 0 is bird now, and the old relabel 0 (cat) is class 1.
    std::fs::create_dir(root.join("v2/pets/bird")).unwrap();
    for b in 0..2u8 {
        image::RgbImage::from_pixel(8, 8, image::Rgb([b, 200, 9]))
            .save(root.join(format!("v2/pets/bird/{b}.png")))
            .unwrap();
    }
    estimate(root, "v2/pets", "new.cscore");
    let out = cscore(&["import-tags", "new.cscore", "tags.csv"], root);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("2 rows of tags.csv matched examples by path; 2 examples changed"), "{err}");
    assert!(err.contains("1 row matches no example (line ") && err.contains("pets/cat/02.png"), "{err}");
    let new = Workspace::open(&root.join("new.cscore")).unwrap();
    let tags = new.tags().unwrap();
    // In the new listing bird/ comes first (0, 1), cat/00a.png is example 3, cat/02.png is gone: dog/03.png
    // is 15, dog/05.png 17; the relabel to cat is class 1 here.
    let cat = Some("a cat, surely".to_string());
    assert_eq!(
        tags,
        [
            TagRow { example: 15, tag: Some("mislabeled".into()), relabel: Some(1), note: cat },
            TagRow { example: 17, tag: Some("ok".into()), relabel: None, note: None },
        ]
    );
    // Importing again changes nothing; the explorer's undo takes a tag change back.
    let again = cscore(&["import-tags", "new.cscore", "tags.csv"], root);
    assert!(text(&again.stderr).contains("0 examples changed"), "{}", text(&again.stderr));
    assert_eq!(new.undo_last_tag().unwrap().unwrap().example, 17);
}

/// A relabel to a class none of the exported rows carries is read by the export's `relabel_name`, not
/// by its index (class 0 here is bird, there cat).
#[test]
fn a_relabel_keeps_its_class_by_name_where_no_row_is_of_that_class() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    tagged_export(root, |old| old.set_tag(13, Some("mislabeled"), Some(0)).unwrap()); // dog/03.png is a cat
    let table = std::fs::read_to_string(root.join("tags.csv")).unwrap();
    let header: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = table.lines().nth(1).unwrap().split(',').collect();
    let at = |c: &str| header.iter().position(|h| *h == c).unwrap();
    assert_eq!((row[at("label_name")], row[at("relabel")], row[at("relabel_name")]), ("dog", "0", "cat"));

    pets(&root.join("v2/pets"));
    std::fs::create_dir(root.join("v2/pets/bird")).unwrap();
    image::RgbImage::from_pixel(8, 8, image::Rgb([3, 200, 9])).save(root.join("v2/pets/bird/0.png")).unwrap();
    estimate(root, "v2/pets", "new.cscore");
    let out = cscore(&["import-tags", "new.cscore", "tags.csv"], root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let tags = Workspace::open(&root.join("new.cscore")).unwrap().tags().unwrap();
    assert_eq!(tags, [TagRow { example: 14, tag: Some("mislabeled".into()), relabel: Some(1), note: None }]);
}

#[test]
fn index_tables_and_their_mistakes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    pets(&root.join("pets"));
    estimate(root, "pets", "p.cscore");
    std::fs::write(root.join("issues.csv"), "index,tag,relabel\n4,mislabeled,dog\n7,mislabeled,\n").unwrap();
    let out = cscore(&["import-tags", "p.cscore", "issues.csv"], root);
    assert!(
        out.status.success() && text(&out.stderr).contains("by index; 2 examples changed"),
        "{}",
        text(&out.stderr)
    );
    let tags = Workspace::open(&root.join("p.cscore")).unwrap().tags().unwrap();
    assert_eq!((tags[0].example, tags[0].relabel, tags[1].example, tags[1].relabel), (4, Some(1), 7, None));
    std::fs::write(root.join("t.jsonl"), "{\"index\":5,\"tag\":\"ood\"}\n").unwrap();
    assert!(cscore(&["import-tags", "p.cscore", "t.jsonl"], root).status.success());
    for (body, says) in [
        (
            "index,tag\n99,ood\n",
            "none of its 1 rows matches an example of this workspace by index (the first: line 2, index 99)",
        ),
        (
            "index,tag,relabel\n1,x,horse\n",
            "line 2: relabel 'horse' is neither a class name (classes: cat, dog) nor a class index below 2",
        ),
        ("label,tag\n1,ood\n", "no 'index' or 'path' column"),
    ] {
        std::fs::write(root.join("bad.csv"), body).unwrap();
        let out = cscore(&["import-tags", "p.cscore", "bad.csv"], root);
        assert!(!out.status.success() && text(&out.stderr).contains(says), "{body}: {}", text(&out.stderr));
    }
    let tags = Workspace::open(&root.join("p.cscore")).unwrap().tags().unwrap();
    assert_eq!(tags.len(), 3, "refused files change nothing: {tags:?}");
    std::fs::write(root.join("own.csv"), "index,tag,relabel\n9,mislabeled,cat\n").unwrap();
    let out = cscore(&["import-tags", "p.cscore", "own.csv"], root);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: 1 row relabels an example to the class it has, read as no relabel (line 2)"),
        "{err}"
    );
    let tags = Workspace::open(&root.join("p.cscore")).unwrap().tags().unwrap();
    assert_eq!((tags[3].example, tags[3].tag.as_deref(), tags[3].relabel), (9, Some("mislabeled"), None));
}

/// `eval --truth-indices` takes files too, for a folder: a list of known-bad files, as a data engineer
/// has them (absolute, relative to anywhere above the folder, or with a header line).
#[test]
fn eval_truth_may_name_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    pets(&root.join("pets"));
    estimate(root, "pets", "p.cscore");
    let absolute = std::fs::canonicalize(root.join("pets/dog/04.png")).unwrap();
    let list = format!("path\npets/cat/03.png\n{}\n7\n", absolute.display());
    std::fs::write(root.join("bad.txt"), list).unwrap();
    let out = cscore(&["eval", "p.cscore", "--truth-indices", "bad.txt"], root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("against 3 known-bad examples of 20"), "{}", text(&out.stdout));
    std::fs::write(root.join("bad.txt"), "pets/cat/03.png\npets/cat/99.png\n").unwrap();
    let out = cscore(&["eval", "p.cscore", "--truth-indices", "bad.txt"], root);
    let err = text(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains("line 2: 'pets/cat/99.png' is neither an example index nor an example's file"),
        "{err}"
    );
}

/// A table exported before a class folder was renamed (same order) imports by index into a workspace
/// of the renamed folder: its relabels to the old name are read as the class its rows' examples have
/// here. By path, the renamed folder is found by its files (the old name's rows under the new name).
#[test]
fn a_table_from_before_a_class_folder_was_renamed_imports() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    tagged_export(root, |old| {
        old.set_tag(1, Some("ok"), None).unwrap(); // cat/01.png
        old.set_tag(13, Some("mislabeled"), Some(0)).unwrap(); // dog/03.png is a cat
    });
    std::fs::rename(root.join("pets/cat"), root.join("pets/cats")).unwrap();
    estimate(root, "pets", "new.cscore");
    let out = cscore(&["import-tags", "new.cscore", "tags.csv", "--by", "index"], root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("another class"),
        "a renamed class is the same: {}",
        text(&out.stderr)
    );
    let tags = Workspace::open(&root.join("new.cscore")).unwrap().tags().unwrap();
    let got: Vec<(usize, Option<&str>, Option<u32>)> =
        tags.iter().map(|t| (t.example, t.tag.as_deref(), t.relabel)).collect();
    assert_eq!(got, [(1, Some("ok"), None), (13, Some("mislabeled"), Some(0))]);

    estimate(root, "pets", "by-path.cscore");
    let out = cscore(&["import-tags", "by-path.cscore", "tags.csv", "--by", "path"], root);
    let err = text(&out.stderr);
    assert!(out.status.success() && !err.contains("matched no"), "{err}");
    let tags = Workspace::open(&root.join("by-path.cscore")).unwrap().tags().unwrap();
    let by_path: Vec<(usize, Option<&str>, Option<u32>)> =
        tags.iter().map(|t| (t.example, t.tag.as_deref(), t.relabel)).collect();
    assert_eq!(by_path, got, "{err}");
}
