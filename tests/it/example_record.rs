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

/// Estimates `data` into the workspace `ws` with a tiny plan (and `extra` flags); asserts it succeeded.
fn estimate(root: &Path, data: &str, ws: &str, extra: &[&str]) {
    let plan = ["--ratios", "0.5", "--runs", "1", "--model", "mlp:8", "--epochs", "1", "--lr", "0.05"];
    let quiet = ["--proxies", "none", "--no-progress"];
    let args = [&["estimate", data, "-w", ws][..], &plan, &quiet, extra].concat();
    let out = cscore(&args, root);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn tags_export_with_their_files_after_the_folder_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let dir = pets(root);
    estimate(root, "pets", "p.cscore", &[]);
    let ws = Workspace::open(&root.join("p.cscore")).unwrap();
    let record = ws.example_record().unwrap().expect("estimate records the examples");
    assert_eq!(record.labels, [vec![0; 12], vec![1; 12]].concat());
    assert_eq!(record.paths.as_ref().unwrap()[13], "dog/01.png");
    ws.set_tag(13, Some("mislabeled"), Some(0)).unwrap();
    ws.set_tag(2, Some("ood"), None).unwrap();
    drop(ws);
    let before = text(&cscore(&["export", "p.cscore"], root).stdout);

    // The user fixes the folder: the out-of-distribution cat goes, the mislabeled dog moves to cat/, and
    // a cat is cropped in place (the same name, other pixels).
    std::fs::remove_file(dir.join("cat/02.png")).unwrap();
    std::fs::rename(dir.join("dog/01.png"), dir.join("cat/01b.png")).unwrap();
    image::RgbImage::from_pixel(8, 8, image::Rgb([9, 9, 9])).save(dir.join("cat/05.png")).unwrap();
    let out = cscore(&["export", "p.cscore"], root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("24 examples then, 23 now") && err.contains("recorded when it was made"), "{err}");
    assert!(
        err.contains(
            "files moved (the same pixels): 1 (dog/01.png → cat/01b.png); files gone: 1 (cat/02.png); files \
             changed (other pixels): 1 (cat/05.png)"
        ),
        "{err}"
    );
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
    let cropped = text(&cscore(&["show", "p.cscore", "5", "--no-image"], root).stdout);
    assert!(
        cropped.contains("pets/cat/05.png (its pixels changed since the workspace recorded it)"),
        "{cropped}"
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
    estimate(root, "pets", "p.cscore", &[]);
    let c = rusqlite::Connection::open(root.join("p.cscore")).unwrap();
    c.execute("DELETE FROM example_record", []).unwrap();
    c.execute("DELETE FROM example_hashes", []).unwrap();
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
    let hashes = Workspace::open(&root.join("p.cscore")).unwrap().example_hashes().unwrap().unwrap();
    let ds = cscore::data::load(&root.join("moved"), &Default::default()).unwrap();
    assert_eq!(hashes, ds.example_hashes(), "the pixel hashes are recorded with it");
    std::fs::remove_dir_all(root.join("moved")).unwrap();
    let gone = cscore(&["export", "p.cscore"], root);
    assert!(gone.status.success(), "{}", text(&gone.stderr));
    assert!(
        text(&gone.stderr).contains("pass --data PATH"),
        "the reason is still said: {}",
        text(&gone.stderr)
    );
}

/// An `.npz` (or IDX, CIFAR) dataset changed: the refusal names the examples whose pixels or labels
/// changed (the labels as read then, not the injected flips the workspace trained on; by class name, so
/// a reordering of the class names alone is no change), examples added or removed at the end, and, where
/// examples shifted, those removed and how many are the same at other indices.
#[test]
fn a_changed_array_dataset_names_the_examples_that_changed() {
    /// Changes the examples' pixels, labels and class names.
    type Edit = dyn Fn(&mut Vec<Vec<u8>>, &mut Vec<i64>, &mut Vec<&str>);
    use crate::common::{i64_bytes, npy, write_npz};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // 60 examples of 4×4 (each its own pixels), labels i % 3, classes cat, dog, fox; `edit` changes them.
    let write = |n: usize, edit: &Edit| {
        let mut x: Vec<Vec<u8>> =
            (0..n).map(|i| (0..16).map(|k| ((i * 16 + k) * 7 % 251) as u8).collect()).collect();
        let mut y: Vec<i64> = (0..n as i64).map(|i| i % 3).collect();
        let mut names = vec!["cat", "dog", "fox"];
        edit(&mut x, &mut y, &mut names);
        let utf32: Vec<u8> =
            names.iter().flat_map(|c| c.chars().flat_map(|ch| (ch as u32).to_le_bytes())).collect();
        let entries = [
            ("x.npy", npy("|u1", &format!("({}, 4, 4)", x.len()), &x.concat(), false)),
            ("y.npy", npy("<i8", &format!("({},)", y.len()), &i64_bytes(&y), false)),
            ("class_names.npy", npy("<U3", "(3,)", &utf32, false)),
        ];
        write_npz(&root.join("d.npz"), &entries);
    };
    let refusal = |n: usize, edit: &Edit| {
        write(n, edit);
        let out = cscore(&["estimate", "d.npz", "-w", "w.cscore"], root);
        assert!(!out.status.success(), "{}", text(&out.stderr));
        text(&out.stderr)
    };
    write(60, &|_, _, _| {});
    estimate(root, "d.npz", "w.cscore", &["--no-learning-check", "--inject-label-noise", "0.2"]);
    let ws = Workspace::open(&root.join("w.cscore")).unwrap();
    assert_eq!(ws.example_hashes().unwrap().map(|h| h.len()), Some(60));
    assert!(!ws.injected().unwrap().is_empty());
    drop(ws);

    let err = refusal(60, &|x, y, _| {
        x[5].fill(0);
        y[17] = 0;
        y[40] = 0;
    });
    assert!(
        err.contains(
            "examples whose pixels changed: 1 (#5); labels changed: 2 (#17 fox → cat, #40 dog → cat)"
        ),
        "{err}"
    );
    // The class names in another order, each example keeping its class, and one example relabeled.
    let err = refusal(60, &|_, y, names| {
        *names = vec!["fox", "dog", "cat"];
        y.iter_mut().for_each(|l| *l = 2 - *l);
        y[4] = 2; // dog → cat
    });
    assert!(
        err.contains(
            "— class names cat, dog, fox then, fox, dog, cat now; labels changed: 1 (#4 dog → cat);"
        ),
        "{err}"
    );
    let err = refusal(60, &|_, y, names| {
        *names = vec!["fox", "dog", "cat"];
        y.iter_mut().for_each(|l| *l = 2 - *l);
    });
    assert!(
        err.contains("— class names cat, dog, fox then, fox, dog, cat now;"),
        "the reordering alone: {err}"
    );
    let err = refusal(70, &|_, _, _| {});
    assert!(err.contains("60 examples then, 70 now — 10 examples added after the first 60;"), "{err}");
    let err = refusal(60, &|x, y, _| {
        x.truncate(57);
        y.truncate(57);
        x[4].fill(1);
    });
    assert!(err.contains("examples whose pixels changed: 1 (#4); the last 3 examples removed"), "{err}");
    let err = refusal(60, &|x, y, _| {
        x.remove(5);
        y.remove(5);
    });
    assert!(
        err.contains(
            "examples removed (or their pixels changed): 1 (#5); 54 examples the same at other indices (#6 → #5, \
             #7 → #6, #8 → #7, …)"
        ),
        "{err}"
    );
    let err = refusal(60, &|x, y, _| {
        x.reverse();
        y.reverse();
    });
    assert!(err.contains("the same 60 examples in another order (#0 → #59, #1 → #58, #2 → #57, …)"), "{err}");
    assert!(!err.contains("labels changed"), "{err}");
}

/// A class folder renamed (keeping the classes' order) together with another edit: the rename is said as
/// such, not as its files gone and new, and not as a change of the labels; a workspace from before the
/// pixel hashes says it cannot name images changed in place.
#[test]
fn a_renamed_class_folder_with_another_edit_is_said_as_a_rename() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let dir = pets(root);
    estimate(root, "pets", "p.cscore", &[]);
    std::fs::copy(root.join("p.cscore"), root.join("old.cscore")).unwrap();
    let c = rusqlite::Connection::open(root.join("old.cscore")).unwrap();
    c.execute("DELETE FROM example_hashes", []).unwrap();
    drop(c);

    std::fs::rename(dir.join("cat"), dir.join("cats")).unwrap();
    image::RgbImage::from_pixel(8, 8, image::Rgb([9, 9, 9])).save(dir.join("dog/05.png")).unwrap();
    let out = cscore(&["export", "p.cscore"], root);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(
            "the files have changed since the workspace was made — class folder renamed: cat → cats; files \
                      changed (other pixels): 1 (dog/05.png)\n"
        ),
        "{err}"
    );
    let out = cscore(&["export", "old.cscore"], root);
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "class folder renamed: cat → cats; this workspace predates its examples' pixel hashes, so images \
                      changed in place are not named\n"
        ),
        "{err}"
    );
}

/// A folder of grey images one of which is saved again in colour with the same pixels (as PNG optimisers
/// and editors do) is still the workspace's dataset, read in grey; one saved in colour with other pixels
/// is named in the refusal, which does not suggest --image-size for a change of channels.
#[test]
fn a_grey_folder_with_a_file_saved_in_colour_is_read_in_grey() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let dir = root.join("digits");
    for class in ["a", "b"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for j in 0..8u32 {
            let seed = j + if class == "a" { 0 } else { 50 };
            image::GrayImage::from_fn(8, 8, |x, y| image::Luma([((x * 31 + y * 7 + seed * 13) % 256) as u8]))
                .save(dir.join(class).join(format!("{j}.png")))
                .unwrap();
        }
    }
    estimate(root, "digits", "d.cscore", &[]);
    let as_rgb = |file: &str, tweak: bool| {
        let mut rgb = image::open(dir.join(file)).unwrap().to_rgb8();
        if tweak {
            rgb.put_pixel(0, 0, image::Rgb([255, 0, 0]));
        }
        rgb.save(dir.join(file)).unwrap();
    };
    as_rgb("a/3.png", false);
    let out = cscore(&["estimate", "digits", "-w", "d.cscore", "--runs", "2", "--no-progress"], root);
    assert!(out.status.success(), "the same pixels: {}", text(&out.stderr));
    as_rgb("b/4.png", true);
    let out = cscore(&["estimate", "digits", "-w", "d.cscore", "--runs", "3", "--no-progress"], root);
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains(
            "its images are 1×8×8, these 3×8×8 (a folder is read in colour when any of its images is stored in \
             colour) — files changed (other pixels): 1 (b/4.png);"
        ),
        "{err}"
    );
}

/// Two class folders renamed whose files have the same names (`00.png`… in each): the pixels say which
/// went where, so the refusal pairs them right and names no file as changed.
#[test]
fn two_renamed_folders_with_the_same_file_names_are_told_apart_by_their_pixels() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let dir = pets(root);
    estimate(root, "pets", "p.cscore", &[]);
    std::fs::rename(dir.join("cat"), dir.join("cats")).unwrap();
    std::fs::rename(dir.join("dog"), dir.join("ant")).unwrap();
    let out = cscore(&["export", "p.cscore"], root);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(
            "— class folders renamed: cat → cats, dog → ant, which changes the classes' order and so their \
             labels\n"
        ),
        "{err}"
    );
}
