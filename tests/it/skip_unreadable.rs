//! `--skip-unreadable`: an image folder with a few broken files (empty, truncated, not images) is read
//! without them when asked, the workspace records which, every later opening (without the flag, labels
//! first too) reads the folder so again, and a left-out file that becomes readable is a changed dataset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cscore::data::{load, LoadOptions};
use cscore::project::Project;
use cscore::store::Workspace;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Six readable images in two classes, then an empty file in `a` and a truncated PNG in `b` (its header
/// reads, its pixels do not: it fails when decoded, not when listed).
fn folder_with_broken_files(root: &Path) -> (PathBuf, Vec<u8>) {
    let dir = root.join("photos");
    for class in ["a", "b"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
    }
    for i in 0..6u8 {
        let class = if i < 3 { "a" } else { "b" };
        image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([i * 40, x as u8 * 9, y as u8 * 7]))
            .save(dir.join(format!("{class}/{i}.png")))
            .unwrap();
    }
    std::fs::write(dir.join("a/empty.png"), b"").unwrap();
    let whole = std::fs::read(dir.join("b/5.png")).unwrap();
    std::fs::write(dir.join("b/cut.png"), &whole[..whole.len() / 2]).unwrap();
    (dir, whole)
}

fn skipping() -> LoadOptions {
    LoadOptions { skip_unreadable: true, ..LoadOptions::default() }
}

#[test]
fn broken_files_refuse_the_folder_unless_left_out_and_then_they_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = folder_with_broken_files(tmp.path());
    let e = load(&dir, &LoadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("a/empty.png: cannot read image: the file is empty"), "{e}");
    assert!(e.ends_with("(--skip-unreadable leaves out the files that cannot be read)"), "{e}");
    // Both stages: the empty file fails when its header is read, the cut one only when decoded.
    std::fs::remove_file(dir.join("a/empty.png")).unwrap();
    let e = load(&dir, &LoadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("b/cut.png: cannot decode image"), "{e}");
    std::fs::write(dir.join("a/empty.png"), b"").unwrap();

    let ds = load(&dir, &skipping()).unwrap();
    assert_eq!((ds.len(), ds.labels.clone()), (6, vec![0, 0, 0, 1, 1, 1]));
    let left_out: Vec<&Path> = ds.unreadable.iter().map(|(p, _)| p.as_path()).collect();
    assert_eq!(left_out, [dir.join("a/empty.png"), dir.join("b/cut.png")]);
    let paths = ds.paths.clone().unwrap();
    assert!(paths.iter().all(|p| !left_out.contains(&p.as_path())));
    let note = ds.notes.iter().find(|n| n.starts_with("left out 2 files")).expect("a note says so");
    assert!(note.contains("a/empty.png: cannot read image") && note.contains("also b/cut.png"), "{note}");
    assert_eq!(ds.image(5)[0], 200, "the last readable image, not a broken one");
}

/// A JPEG cut off in its image data decodes (the decoder fills the rest with grey, silently): it is
/// refused as truncated, as PIL refuses it, and left out with the flag.
#[test]
fn a_truncated_jpeg_is_unreadable() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = folder_with_broken_files(tmp.path());
    std::fs::remove_file(dir.join("a/empty.png")).unwrap();
    std::fs::remove_file(dir.join("b/cut.png")).unwrap();
    let photo = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 77]));
    let mut whole = Vec::new();
    photo.write_to(&mut std::io::Cursor::new(&mut whole), image::ImageFormat::Jpeg).unwrap();
    let scan = whole.windows(2).rposition(|w| w == [0xFF, 0xDA]).unwrap();
    std::fs::write(dir.join("b/IMG_0001.jpg"), &whole[..scan + 80]).unwrap();
    assert!(image::open(dir.join("b/IMG_0001.jpg")).is_ok(), "the decoder alone takes it");
    let e = load(&dir, &LoadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("b/IMG_0001.jpg: cannot decode image: the JPEG file is truncated"), "{e}");
    let ds = load(&dir, &skipping()).unwrap();
    assert_eq!((ds.len(), ds.unreadable.len()), (6, 1));
    std::fs::write(dir.join("b/IMG_0001.jpg"), &whole).unwrap();
    assert_eq!(load(&dir, &LoadOptions::default()).unwrap().len(), 7);
}

#[test]
fn the_workspace_reads_its_folder_without_them_again_and_a_repaired_file_is_a_change() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, whole) = folder_with_broken_files(tmp.path());
    let ws = tmp.path().join("photos.cscore");
    let made = Project::open(&dir, &skipping(), Some(&ws), None).unwrap();
    let recorded = made.workspace.unreadable_files().unwrap();
    assert_eq!(recorded, Some(vec!["a/empty.png".to_string(), "b/cut.png".to_string()]));
    let (hash, labels, paths) =
        (made.dataset.content_hash.clone(), made.dataset.labels.clone(), made.dataset.paths);
    drop(made.workspace);

    let again = Project::open(&dir, &LoadOptions::default(), Some(&ws), None).unwrap();
    assert_eq!((&again.dataset.content_hash, again.dataset.len()), (&hash, 6));
    assert!(!again.created);
    drop(again);

    let first = Project::open_labels_first(&dir, &LoadOptions::default(), Workspace::open(&ws).unwrap())
        .unwrap()
        .expect("the folder's listing without the left-out files matches");
    assert_eq!(first.project.dataset.labels, labels);
    assert_eq!(first.project.dataset.paths, paths);
    assert_eq!(first.pixels.load().unwrap().content_hash, hash);

    // Repairing a file adds an example: the dataset is not the workspace's any more.
    std::fs::write(dir.join("b/cut.png"), &whole).unwrap();
    let e = Project::open(&dir, &LoadOptions::default(), Some(&ws), None).err().expect("refused").to_string();
    assert!(e.contains("6 examples then, 7 now — files new: 1 (b/cut.png)"), "{e}");
    let once =
        format!("belongs to dataset {} as it was (hash ", std::fs::canonicalize(&dir).unwrap().display());
    assert!(e.contains(&once) && e.contains("…), not as it is now (hash "), "the path said once: {e}");
}

#[test]
fn the_command_line_says_the_flag_and_an_estimate_continues_without_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = folder_with_broken_files(tmp.path());
    let run = |extra: &[&str]| {
        let mut args = vec!["estimate", dir.to_str().unwrap(), "--ratios", "0.5", "--runs", "1"];
        args.extend_from_slice(&["--model", "mlp:8", "--epochs", "1", "--lr", "0.05", "--no-learning-check"]);
        args.extend_from_slice(&["--proxies", "none", "--proxy-runs", "0", "--no-progress"]);
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_cscore")).args(&args).current_dir(tmp.path()).output().unwrap()
    };
    let refused = run(&[]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && err.contains("--skip-unreadable"), "{err}");
    assert!(!tmp.path().join("photos.cscore").exists(), "no workspace is left behind");
    let made = run(&["--skip-unreadable"]);
    let err = String::from_utf8_lossy(&made.stderr);
    assert!(made.status.success(), "{err}");
    assert!(err.contains("6 examples") && err.contains("left out 2 files"), "{err}");
    let resumed = run(&["--runs", "2"]);
    let err = String::from_utf8_lossy(&resumed.stderr);
    assert!(resumed.status.success(), "{err}");
    assert!(err.contains("left out 2 files"), "the note is said again: {err}");
    assert!(
        err.contains("the workspace's plan: protocol image, --model mlp:8, inputs standardized"),
        "a resume says the plan it keeps: {err}"
    );
}

/// A class folder renamed after the estimate: the files it left out are recorded under the new name, so
/// the labels-first opening still reads the folder as the workspace does.
#[test]
fn a_renamed_class_folder_keeps_its_left_out_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = folder_with_broken_files(tmp.path());
    let ws_path = tmp.path().join("p.cscore");
    drop(Project::open(&dir, &skipping(), Some(&ws_path), None).unwrap());
    std::fs::rename(dir.join("a"), dir.join("aa")).unwrap();
    let project = Project::open(&dir, &LoadOptions::default(), Some(&ws_path), None).unwrap();
    assert_eq!(project.notes.len(), 1, "{:?}", project.notes);
    assert!(project.notes[0].contains("(a → aa)"), "{:?}", project.notes);
    let mut left_out = project.workspace.unreadable_files().unwrap().unwrap();
    left_out.sort();
    assert_eq!(left_out, ["aa/empty.png", "b/cut.png"]);
    let ws = Workspace::open(&ws_path).unwrap();
    let opened = Project::open_labels_first(&dir, &LoadOptions::default(), ws).unwrap();
    assert_eq!(opened.expect("the labels read as the workspace's").project.dataset.len(), 6);
}
