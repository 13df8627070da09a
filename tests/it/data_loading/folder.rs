//! Image folders: one folder per class, mixed sizes and colour modes.

use super::*;

#[test]
fn image_folder_resizes_to_the_most_common_size() {
    let root = tempfile::tempdir().unwrap();
    let dir = image_folder(root.path());
    assert_eq!(detect_format(&dir).unwrap(), Format::Folder);
    let ds = load(&dir, &opts()).unwrap();
    assert_eq!((ds.len(), ds.channels, ds.height, ds.width), (3, 3, 4, 6));
    assert_eq!(ds.class_names, vec!["cat", "dog"]);
    assert_eq!(ds.labels, vec![0, 0, 1]);
    assert_eq!(ds.name, "pets");
    let paths = ds.paths.clone().unwrap();
    let names: Vec<_> = paths.iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
    assert_eq!(names, ["a.png", "b.jpg", "c.PNG"]);
    let a = ds.image(0);
    assert_eq!((a[0], a[24], a[48]), (200, 10, 30), "planar R, G, B");
    let c = ds.image(2);
    assert_eq!((c[0], c[24], c[48]), (50, 60, 70), "resized uniform image keeps its colour");
}

#[test]
fn image_folder_size_override() {
    let root = tempfile::tempdir().unwrap();
    let dir = image_folder(root.path());
    let o = LoadOptions { image_size: Some((5, 7)), ..opts() };
    let ds = load(&dir, &o).unwrap();
    assert_eq!((ds.height, ds.width, ds.pixels.len()), (5, 7, 3 * 3 * 5 * 7));
}

#[test]
fn grey_image_folder_has_one_channel() {
    let root = tempfile::tempdir().unwrap();
    for (class, v) in [("a", 10u8), ("b", 200)] {
        let d = root.path().join(class);
        std::fs::create_dir_all(&d).unwrap();
        image::GrayImage::from_pixel(3, 3, image::Luma([v])).save(d.join("x.png")).unwrap();
    }
    let ds = load(root.path(), &opts()).unwrap();
    assert_eq!((ds.channels, ds.height, ds.width), (1, 3, 3));
    assert_eq!(ds.pixels, [vec![10u8; 9], vec![200u8; 9]].concat());
}

#[test]
fn empty_image_folder() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("empty");
    std::fs::create_dir(&dir).unwrap();
    let o = LoadOptions { format: Some(Format::Folder), ..opts() };
    expect_err(&dir, &o, "empty", "empty folder");
    expect_err(&dir, &opts(), "empty", "no dataset found (the folder is empty)");
}

#[test]
fn class_folder_without_images() {
    let root = tempfile::tempdir().unwrap();
    let dir = image_folder(root.path());
    std::fs::create_dir(dir.join("emu")).unwrap();
    std::fs::write(dir.join("emu/readme.txt"), "x").unwrap();
    expect_err(&dir, &opts(), "emu", "holds no images");
}

#[test]
fn undecodable_image() {
    let root = tempfile::tempdir().unwrap();
    let dir = image_folder(root.path());
    std::fs::write(dir.join("dog/broken.png"), b"\x89PNG\r\n\x1a\nnot really").unwrap();
    expect_err(&dir, &opts(), "broken.png", "cannot decode image");
}

/// Images in subfolders of a class folder belong to that class, listed as torchvision's `ImageFolder`
/// lists them (the folder's own files, then each subfolder's in sorted order); hidden subfolders are
/// skipped, and a class whose images are all nested is detected and loaded.
#[test]
fn images_in_nested_subfolders_belong_to_their_class() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("photos");
    for sub in ["cat/2019/b", "cat/2019/a", "cat/.thumbs", "dog/inner"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    rgb(4, 4, [1, 1, 1]).save(dir.join("cat/z.png")).unwrap();
    rgb(4, 4, [2, 2, 2]).save(dir.join("cat/2019/b/x.png")).unwrap();
    rgb(4, 4, [3, 3, 3]).save(dir.join("cat/2019/a/y.png")).unwrap();
    rgb(4, 4, [4, 4, 4]).save(dir.join("cat/2019/w.png")).unwrap();
    rgb(4, 4, [5, 5, 5]).save(dir.join("cat/.thumbs/t.png")).unwrap();
    rgb(4, 4, [6, 6, 6]).save(dir.join("dog/inner/d.png")).unwrap();
    assert_eq!(detect_format(&dir).unwrap(), Format::Folder);
    let ds = load(&dir, &opts()).unwrap();
    let rel: Vec<String> = ds
        .paths
        .clone()
        .unwrap()
        .iter()
        .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        rel,
        ["cat/z.png", "cat/2019/w.png", "cat/2019/a/y.png", "cat/2019/b/x.png", "dog/inner/d.png"]
    );
    assert_eq!(ds.labels, vec![0, 0, 0, 0, 1]);
    assert_eq!((ds.image(1)[0], ds.image(4)[0]), (4, 6));
    // Only nested images: still an image folder.
    let only = root.path().join("only");
    std::fs::create_dir_all(only.join("a/deep")).unwrap();
    std::fs::create_dir_all(only.join("b/deep")).unwrap();
    rgb(4, 4, [7, 7, 7]).save(only.join("a/deep/1.png")).unwrap();
    rgb(4, 4, [8, 8, 8]).save(only.join("b/deep/2.png")).unwrap();
    assert_eq!(load(&only, &opts()).unwrap().labels, vec![0, 1]);
}

/// A workspace made when cscore read only the class folders' own images keeps its estimate: its folder,
/// which has images in subfolders, opens as it was read then (and a new workspace reads them all).
#[test]
fn a_workspace_from_before_subfolders_were_read_still_opens() {
    use cscore::project::{dataset_info, Project};
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("photos");
    for sub in ["cat/old", "dog"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    rgb(4, 4, [1, 1, 1]).save(dir.join("cat/a.png")).unwrap();
    rgb(4, 4, [2, 2, 2]).save(dir.join("cat/old/b.png")).unwrap();
    rgb(4, 4, [3, 3, 3]).save(dir.join("dog/c.png")).unwrap();
    let flat = load(&dir, &LoadOptions { flat_folders: true, ..opts() }).unwrap();
    assert_eq!(flat.len(), 2);
    let ws = root.path().join("old.cscore");
    drop(cscore::store::Workspace::create(&ws, &dataset_info(&flat)).unwrap());
    let project = Project::open(&dir, &opts(), Some(&ws), None).unwrap();
    assert_eq!(project.dataset.labels, vec![0, 1], "read as the workspace was made");
    let fresh = Project::open(&dir, &opts(), Some(&root.path().join("new.cscore")), None).unwrap();
    assert_eq!(fresh.dataset.labels, vec![0, 0, 1]);
    // Another dataset is still refused.
    std::fs::remove_file(dir.join("dog/c.png")).unwrap();
    rgb(4, 4, [9, 9, 9]).save(dir.join("dog/c.png")).unwrap();
    let Err(e) = Project::open(&dir, &opts(), Some(&ws), None) else { panic!("another dataset opened") };
    assert!(e.to_string().contains("belongs to dataset"), "{e}");
}
