//! An image folder's examples lead back to their files: the export table's `path` column, and
//! `export --clean` of an image folder copies the kept files themselves (original size, format and name),
//! with `manifest.csv` naming each source file and its copy, and new indices as cscore reads the copy back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::export_support::{cscore, parse_csv, text};

use cscore::data::{load_labels, Format, LoadOptions};
use cscore::store::Workspace;
use std::path::{Path, PathBuf};

/// `photos/{cat,dog}/…`: 24 images a class, two sizes, PNG and JPEG, some in a subfolder; the files by class.
fn photos(root: &Path) -> PathBuf {
    let dir = root.join("photos");
    for (k, class) in ["cat", "dog"].iter().enumerate() {
        std::fs::create_dir_all(dir.join(class).join("2019")).unwrap();
        for j in 0..24u8 {
            let side = if j % 3 == 0 { 40 } else { 32 };
            let img = image::RgbImage::from_fn(side, side, |x, y| {
                image::Rgb([(x as u8).wrapping_mul(7) ^ j, (y as u8).wrapping_mul(5), 90 * k as u8])
            });
            let name = match j % 4 {
                0 => format!("2019/img{j}.png"),
                1 => format!("img{j}.jpg"),
                _ => format!("img{j}.png"),
            };
            img.save(dir.join(class).join(name)).unwrap();
        }
    }
    dir
}

/// A tiny estimate of `root/photos` into `root/p.cscore` (or on with it); checks it succeeded.
fn estimate(root: &Path) {
    let plan =
        ["--ratios", "0.5", "--runs", "1", "--model", "mlp:8", "--epochs", "1", "--image-size", "16x16"];
    let out = cscore(&[&["estimate", "photos", "-w", "p.cscore", "--no-progress"][..], &plan].concat(), root);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn image_folder_exports_name_their_files_and_clean_copies_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let photos = photos(root);
    estimate(root);
    let sources = load_labels(&photos, &LoadOptions::default()).unwrap().unwrap().paths.unwrap();
    assert_eq!(sources.len(), 48);

    // The table's last column is each example's file, absolute.
    let out = cscore(&["export", "p.cscore"], root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = parse_csv(&text(&out.stdout));
    assert_eq!(table[0].last().unwrap(), "path");
    let absolute = |p: &Path| std::path::absolute(p).unwrap().to_string_lossy().into_owned();
    for (i, row) in table[1..].iter().enumerate() {
        assert_eq!(row.last().unwrap(), &absolute(&sources[i]), "row {i}");
    }
    let out = cscore(&["export", "p.cscore", "--format", "jsonl"], root);
    let first: serde_json::Value = serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(first["path"], absolute(&sources[0]));

    // Drop one cat, relabel one cat (in a subfolder) and one dog, and write the cleaned folder.
    let ws = Workspace::open(&root.join("p.cscore")).unwrap();
    ws.set_tag(1, Some("ood"), None).unwrap();
    ws.set_tag(2, Some("mislabeled"), Some(1)).unwrap();
    ws.set_tag(30, Some("mislabeled"), Some(0)).unwrap();
    drop(ws);
    let args = ["export", "p.cscore", "--clean", "--to", "clean", "--drop-tag", "ood", "--apply-relabels"];
    let out = cscore(&args, root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let clean = root.join("clean");
    let manifest = parse_csv(&std::fs::read_to_string(clean.join("manifest.csv")).unwrap());
    let col = |name: &str| manifest[0].iter().position(|c| c == name).unwrap_or_else(|| panic!("{name}"));
    let (new_index, original, action, original_path, path) =
        (col("new_index"), col("original_index"), col("action"), col("original_path"), col("path"));
    let read_back =
        load_labels(&clean, &LoadOptions { format: Some(Format::Folder), ..LoadOptions::default() })
            .unwrap()
            .unwrap();
    let listed = read_back.paths.unwrap();
    assert_eq!(listed.len(), 47);
    assert_eq!(read_back.class_names.unwrap(), ["cat", "dog"]);
    for row in &manifest[1..] {
        let i: usize = row[original].parse().unwrap();
        assert_eq!(row[original_path], absolute(&sources[i]));
        if i == 1 {
            assert_eq!(
                (row[action].as_str(), row[new_index].as_str(), row[path].as_str()),
                ("dropped", "", "")
            );
            continue;
        }
        let copy = clean.join(&row[path]);
        assert_eq!(
            std::fs::read(&copy).unwrap(),
            std::fs::read(&sources[i]).unwrap(),
            "{} is the file",
            row[path]
        );
        let k: usize = row[new_index].parse().unwrap();
        assert_eq!(listed[k], copy, "new_index {k} is where cscore reads the copy back");
        let class = if i < 24 { "cat" } else { "dog" };
        let within = sources[i].strip_prefix(photos.join(class)).unwrap();
        let expect = match i {
            2 => Path::new("dog/from_cat").join(within),
            30 => Path::new("cat/from_dog").join(within),
            _ => Path::new(class).join(within),
        };
        assert_eq!(Path::new(&row[path]), expect);
        assert_eq!(read_back.labels[k], u32::from(i >= 24) ^ u32::from(i == 2 || i == 30), "example {i}");
    }
    // Original sizes and formats: a 40×40 PNG in a subfolder and a JPEG come back as they were.
    assert_eq!(image::image_dimensions(clean.join("cat/2019/img0.png")).unwrap(), (40, 40));
    assert!(clean.join("dog/img1.jpg").exists());

    // As an .npz, the class names go with it (and cscore reads them back).
    let out = cscore(&["export", "p.cscore", "--clean", "--to", "as-npz", "--as", "npz"], root);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let npz = cscore::data::load(&root.join("as-npz/data.npz"), &LoadOptions::default()).unwrap();
    assert_eq!((npz.len(), npz.class_names.clone()), (48, vec!["cat".to_string(), "dog".to_string()]));
}

/// A class folder renamed after the estimate (the images and labels the same): the next command says
/// so once and the workspace takes the new name, so the table's `label_name` and `path` agree. A
/// rename that reorders the classes changes every label of theirs and is a changed dataset.
#[test]
fn a_renamed_class_folder_gives_the_workspace_its_new_name() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let photos = photos(root);
    estimate(root);
    std::fs::rename(photos.join("cat"), photos.join("cats")).unwrap();

    let out = cscore(&["export", "p.cscore"], root);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("note: class folders renamed since the workspace last read them (cat → cats)"),
        "{err}"
    );
    let table = parse_csv(&text(&out.stdout));
    let column = |name: &str| table[0].iter().position(|c| c == name).unwrap();
    let (name, path) = (column("label_name"), column("path"));
    let cats: Vec<&Vec<String>> = table[1..].iter().filter(|r| r[name] == "cats").collect();
    assert_eq!(cats.len(), 24);
    assert!(cats.iter().all(|r| r[path].contains("/photos/cats/")), "{cats:?}");
    assert_eq!(
        Workspace::open(&root.join("p.cscore")).unwrap().dataset_info().unwrap().class_names,
        ["cats", "dog"]
    );

    let out = cscore(&["export", "p.cscore"], root);
    assert!(!text(&out.stderr).contains("renamed"), "said once: {}", text(&out.stderr));
    estimate(root);

    std::fs::rename(photos.join("cats"), photos.join("zebras")).unwrap();
    let out = cscore(&["export", "p.cscore", "--clean", "--as", "npz", "--to", "c.npz"], root);
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("class folder renamed: cats → zebras, which changes the classes' order"), "{err}");
    assert!(!err.contains("files gone"), "the renamed folder's files are not listed as gone: {err}");
}
