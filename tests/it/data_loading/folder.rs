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
