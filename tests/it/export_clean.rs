//! `cscore export --clean`: every layout loads back with `cscore::data::load` as the estimated dataset
//! minus the dropped examples, with relabels applied, and `manifest.csv` says what became of each.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::export_support;

use cscore::data::{load, LoadOptions};
use export_support::{parse_csv, Fixture};

/// An estimated workspace with injected label noise and tags: 3 mislabeled (one with a relabel),
/// 1 ood, 1 relabel with a keep tag, 1 note only.
fn tagged() -> Fixture {
    let f = Fixture::new(48, 3, 0.1, true);
    let ws = f.workspace();
    let ds = f.dataset();
    ws.set_tag(1, Some("mislabeled"), None).unwrap();
    ws.set_tag(2, Some("mislabeled"), Some((ds.labels[2] + 1) % 3)).unwrap();
    ws.set_tag(9, Some("mislabeled"), None).unwrap();
    ws.set_tag(5, Some("ood"), None).unwrap();
    ws.set_tag(7, Some("fixed"), Some((ds.labels[7] + 2) % 3)).unwrap();
    ws.set_note(8, Some("fine")).unwrap();
    f
}

const DROPPED: [usize; 4] = [1, 2, 5, 9];

#[test]
fn every_layout_round_trips() {
    let f = tagged();
    let ds = f.dataset();
    for (layout, extra) in [("idx", None), ("idx", Some("--gzip")), ("npz", None), ("folder", None)] {
        let dir = format!("clean-{layout}{}", extra.unwrap_or(""));
        let mut args = vec!["export", "d.cscore", "--clean", "--to", &dir, "--drop-tag", "mislabeled,ood"];
        args.extend(["--apply-relabels", "--as", layout]);
        args.extend(extra);
        f.ok(&args);
        let root = f.path(&dir);
        if extra.is_some() {
            assert!(root.join("train-images-idx3-ubyte.gz").exists());
        }
        let written = if layout == "npz" { root.join("data.npz") } else { root.clone() };
        let out = f.cscore(&args);
        assert!(!out.status.success(), "the folder is not empty any more");
        let back = load(&written, &LoadOptions::default()).unwrap();
        let kept: Vec<usize> = (0..ds.len()).filter(|i| !DROPPED.contains(i)).collect();
        assert_eq!(back.len(), kept.len(), "{dir}");
        assert_eq!((back.channels, back.height, back.width), (ds.channels, ds.height, ds.width));

        let manifest = parse_csv(&std::fs::read_to_string(root.join("manifest.csv")).unwrap());
        assert_eq!(manifest[0], ["new_index", "original_index", "original_label", "label", "action", "tag"]);
        assert_eq!(manifest.len(), ds.len() + 1);
        let mut seen = vec![false; back.len()];
        for (i, row) in manifest[1..].iter().enumerate() {
            assert_eq!(row[1], i.to_string());
            assert_eq!(row[2], ds.labels[i].to_string(), "labels as estimated (noise applied)");
            if DROPPED.contains(&i) {
                assert_eq!((row[0].as_str(), row[4].as_str()), ("", "dropped"), "{dir} {i}");
                continue;
            }
            let new: usize = row[0].parse().unwrap();
            assert!(!std::mem::replace(&mut seen[new], true));
            let want_label = if i == 7 { (ds.labels[7] + 2) % 3 } else { ds.labels[i] };
            assert_eq!(row[3], want_label.to_string());
            assert_eq!(row[4], if i == 7 { "relabeled" } else { "kept" });
            assert_eq!(back.image(new), ds.image(i), "{dir}: pixels of {i} at {new}");
            assert_eq!(
                back.class_names[back.labels[new] as usize], ds.class_names[want_label as usize],
                "{dir}"
            );
            assert_eq!(back.labels[new], want_label, "{dir}");
        }
        assert_eq!(manifest[9][5], "", "a note alone is no tag");
        assert_eq!(manifest[6][5], "ood");
        if layout != "folder" {
            let order: Vec<usize> = manifest[1..].iter().filter_map(|r| r[0].parse().ok()).collect();
            assert_eq!(order, (0..kept.len()).collect::<Vec<_>>(), "{dir}: dataset order kept");
        }
    }
}

#[test]
fn without_apply_relabels_labels_stay_and_nothing_dropped_by_default() {
    let f = tagged();
    let ds = f.dataset();
    f.ok(&["export", "d.cscore", "--clean", "--to", "copy", "--as", "npz"]);
    let back = load(&f.path("copy").join("data.npz"), &LoadOptions::default()).unwrap();
    assert_eq!(back.labels, ds.labels);
    assert_eq!(back.pixels, ds.pixels);
    assert_eq!(back.class_names, ds.class_names);
    // The estimated dataset itself (noise included), so its content hash is the one the workspace saw
    // after corruption, not the original.
    let original = load(&f.data, &LoadOptions::default()).unwrap();
    assert_ne!(back.labels, original.labels);
}

#[test]
fn refuses_a_non_empty_folder_and_flags_that_do_not_fit() {
    let f = tagged();
    std::fs::create_dir(f.path("full")).unwrap();
    std::fs::write(f.path("full").join("x"), "").unwrap();
    let err = f.fails(&["export", "d.cscore", "--clean", "--to", "full"]);
    assert!(err.contains("not empty"), "{err}");
    let err = f.fails(&["export", "d.cscore", "--clean", "--to", "y", "--filter", "cscore < 1"]);
    assert!(err.contains("--clean"), "{err}");
    let err = f.fails(&["export", "d.cscore", "--clean", "--to", "y", "--as", "npz", "--gzip"]);
    assert!(err.contains("--gzip applies to --as idx"), "{err}");
    assert!(!f.path("y").exists());
    // The default layout is the source's (IDX here).
    f.ok(&["export", "d.cscore", "--clean", "--to", "same"]);
    assert!(f.path("same").join("train-labels-idx1-ubyte").exists());
    let names: Vec<String> = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "no partial folders left: {names:?}");
}

/// A cleaned copy that drops and relabels nothing says what it kept as labeled, and a misspelt tag is named
/// beside the tags there are.
#[test]
fn what_the_clean_copy_keeps_as_labeled_is_said() {
    let f = tagged();
    let out = f.cscore(&["export", "d.cscore", "--clean", "--to", "same", "--drop-tag", "mislabelled"]);
    assert!(out.status.success());
    let err = export_support::text(&out.stderr);
    assert!(
        err.contains(
            r#"no example is tagged "mislabelled" (the tags are "fixed" ×1, "mislabeled" ×3, "ood" ×1)"#
        ),
        "{err}"
    );
    assert!(
        err.contains(
            r#"kept with their labels: 5 tagged example(s) ("fixed" ×1, "mislabeled" ×3, "ood" ×1)"#
        ),
        "{err}"
    );
    assert!(err.contains("2 relabel(s) not applied"), "{err}");
    // A table of a tag no example has says so once.
    let out = f.cscore(&["export", "d.cscore", "--tag", "mislabelled"]);
    let notes: Vec<String> = export_support::text(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("note:"))
        .map(String::from)
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    let all =
        f.cscore(&["export", "d.cscore", "--clean", "--to", "clean", "--drop-tag", "mislabeled,ood,fixed"]);
    let err = export_support::text(&all.stderr);
    assert!(!err.contains("kept with their labels") && !err.contains("not applied"), "{err}");
}
