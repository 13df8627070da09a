//! Image folders as users have them: TIFF and PNM files (torchvision reads them), stray files said, photos
//! resized to a size a CPU trains at (and said), a workspace made at another size still opening, and
//! `--image-size` on a format it does not apply to said, a stray colour file in a grey folder named.

use super::*;

/// Each format `ImageFolder` reads is read: .tif, .tiff, .ppm, .pgm beside .png; other files are named
/// in a note, not read.
#[test]
fn tiff_and_pnm_files_are_images_and_stray_files_are_said() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("mixed");
    for class in ["a", "b"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
    }
    rgb(8, 8, [10, 20, 30]).save(dir.join("a/1.png")).unwrap();
    rgb(8, 8, [40, 50, 60]).save(dir.join("a/2.tif")).unwrap();
    rgb(8, 8, [70, 80, 90]).save(dir.join("a/3.TIFF")).unwrap();
    rgb(8, 8, [1, 2, 3]).save(dir.join("b/4.ppm")).unwrap();
    image::GrayImage::from_pixel(8, 8, image::Luma([200])).save(dir.join("b/5.pgm")).unwrap();
    for stray in ["a/Thumbs.db", "b/labels.txt", "README.md"] {
        std::fs::write(dir.join(stray), b"x").unwrap();
    }
    rgb(8, 8, [9, 9, 9]).save(dir.join("stray.png")).unwrap();
    let ds = load(&dir, &opts()).unwrap();
    assert_eq!((ds.len(), ds.channels, ds.height, ds.width), (5, 3, 8, 8));
    assert_eq!(ds.labels, vec![0, 0, 0, 1, 1]);
    let tif = ds.image(1);
    assert_eq!((tif[0], tif[64], tif[128]), (40, 50, 60), "the TIFF's pixels, planar");
    assert_eq!(ds.image(4)[0], 200, "the PGM's grey in every channel");
    assert_eq!(
        ds.notes,
        vec![
            format!(
                "skipped 1 image(s) outside the class folders (a file at the top level has no class), e.g. {}",
                dir.join("stray.png").display()
            ),
            format!(
                "skipped 3 file(s) that are not images (.db ×1, .md ×1, .txt ×1), e.g. {}",
                dir.join("README.md").display()
            )
        ]
    );
}

/// Photos are read at a size a CPU trains at (the longer side 32, aspect kept), and a note says so, and
/// another that the portrait among the landscapes is stretched; a folder of one small size is read as it
/// is, without a note.
#[test]
fn large_images_are_resized_by_default_and_a_note_says_so() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("photos");
    for class in ["a", "b"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        rgb(200, 150, [9, 9, 9]).save(dir.join(class).join("x.jpg")).unwrap();
        rgb(200, 150, [9, 9, 9]).save(dir.join(class).join("y.jpg")).unwrap();
    }
    rgb(90, 120, [9, 9, 9]).save(dir.join("a/z.png")).unwrap();
    let ds = load(&dir, &opts()).unwrap();
    assert_eq!((ds.height, ds.width), (24, 32), "150×200 with the longer side 32");
    let stretched = |size: &str, advice: &str| {
        format!(
            "images: 1 of 5 have another shape than {size} (height×width) and are stretched to it (first: \
             a/z.png, 120×90); {advice}"
        )
    };
    let (default, asked_advice) = (
        "crop or pad them to one shape first to keep their proportions",
        "an --image-size of their shape, or cropping or padding them first, keeps their proportions",
    );
    assert_eq!(
        ds.notes,
        [
            "images: 5 files (2 sizes, most common 150×200 (4 of 5)) resized to 24×32 (the longer side capped \
             at 32 for training on a CPU); --image-size HxW chooses the size"
                .to_string(),
            stretched("24×32", default)
        ]
    );
    let asked = load(&dir, &LoadOptions { image_size: Some((150, 200)), ..opts() }).unwrap();
    assert_eq!((asked.height, asked.width), (150, 200));
    assert_eq!(asked.notes, [stretched("150×200", asked_advice)]);
    let small = image_folder(root.path());
    let notes = load(&small, &LoadOptions { image_size: Some((4, 6)), ..opts() }).unwrap().notes;
    assert!(!notes.iter().any(|n| n.contains("resized to")), "{notes:?}");
    // …but its one square image among 4×6 ones is stretched to 4×6.
    assert!(notes.iter().any(|n| n.starts_with("images: 1 of 3 have another shape than 4×6")), "{notes:?}");
}

/// A workspace made when large images were read whole (or with `--image-size`) opens with the folder read
/// at the size it recorded, without the flag; another dataset is still refused.
#[test]
fn a_workspace_made_at_another_size_still_opens() {
    use cscore::project::{dataset_info, Project};
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("photos");
    for (class, v) in [("a", 10u8), ("b", 200)] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        rgb(100, 80, [v, v, v]).save(dir.join(class).join("x.png")).unwrap();
    }
    let whole = load(&dir, &LoadOptions { image_size: Some((80, 100)), ..opts() }).unwrap();
    let ws = root.path().join("old.cscore");
    drop(cscore::store::Workspace::create(&ws, &dataset_info(&whole)).unwrap());
    let project = Project::open(&dir, &opts(), Some(&ws), None).unwrap();
    assert_eq!((project.dataset.height, project.dataset.width), (80, 100), "read as the workspace was made");
    let fresh = Project::open(&dir, &opts(), Some(&root.path().join("new.cscore")), None).unwrap();
    assert_eq!((fresh.dataset.height, fresh.dataset.width), (26, 32));
    let asked = LoadOptions { image_size: Some((40, 50)), ..opts() };
    let Err(e) = Project::open(&dir, &asked, Some(&ws), None) else { panic!("another size opened") };
    assert!(e.to_string().contains("--image-size 80x100"), "{e}");
}

/// `--image-size` and `--skip-unreadable` mean nothing to IDX, CIFAR or `.npz` data: a note says so
/// instead of silence.
#[test]
fn folder_options_on_another_format_are_said() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let asked = LoadOptions { image_size: Some((16, 16)), skip_unreadable: true, ..opts() };
    let ds = load(&root.join("sample_data/mnist-10k"), &asked).unwrap();
    assert_eq!((ds.height, ds.width), (28, 28));
    assert_eq!(
        ds.notes,
        [
            "--image-size 16x16 applies to image folders only; these images are read at their own size, 28×28",
            "--skip-unreadable applies to image folders only; idx data is read whole or refused"
        ]
    );
}

/// A folder unzipped from a macOS archive carries `__MACOSX/`: it is not a class. Several unreadable files
/// are named in one error (the first, then the others), not found one rerun at a time; an empty file
/// says it is empty.
#[test]
fn archive_debris_is_not_a_class_and_bad_files_are_named_together() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("unzipped");
    for class in ["a", "b", "__MACOSX/a"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
    }
    rgb(8, 8, [1, 2, 3]).save(dir.join("a/1.png")).unwrap();
    rgb(8, 8, [4, 5, 6]).save(dir.join("b/2.png")).unwrap();
    std::fs::write(dir.join("__MACOSX/a/._1.png"), b"resource fork").unwrap();
    let ds = load(&dir, &opts()).unwrap();
    assert_eq!(ds.class_names, vec!["a", "b"]);
    std::fs::write(dir.join("a/0.png"), b"").unwrap();
    std::fs::write(dir.join("b/3.jpg"), b"not a jpeg").unwrap();
    std::fs::write(dir.join("b/4.jpg"), b"not a jpeg either").unwrap();
    let e = load(&dir, &opts()).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}: 3 files cannot be read as images; the first: ", dir.display())),
        "{e}"
    );
    assert!(e.contains("0.png: cannot read image: the file is empty (0 bytes)"), "{e}");
    assert!(
        e.contains(&format!(
            "the others: {}, {}",
            dir.join("b/3.jpg").display(),
            dir.join("b/4.jpg").display()
        )),
        "{e}"
    );
    assert!(!e.contains('\n'), "{e}");
}

/// A grey folder with a stray colour file is read in colour (as torchvision would), and a note names the
/// file that decided it; a folder mostly in colour gets no note.
#[test]
fn a_stray_colour_file_in_a_grey_folder_is_named() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("scans");
    for class in ["a", "b"] {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for i in 0..3 {
            image::GrayImage::from_pixel(8, 8, image::Luma([9]))
                .save(dir.join(format!("{class}/{i}.png")))
                .unwrap();
        }
    }
    let grey = load(&dir, &opts()).unwrap();
    assert_eq!((grey.channels, grey.notes.len()), (1, 0), "{:?}", grey.notes);
    rgb(8, 8, [200, 10, 10]).save(dir.join("b/red.png")).unwrap();
    let ds = load(&dir, &opts()).unwrap();
    assert_eq!(ds.channels, 3);
    assert_eq!(
        ds.notes,
        vec![format!(
            "read in colour (3 channels) because 1 of the 7 images is stored in colour, e.g. {}; the others are \
             grey (a file's colour type decides, not its pixels: greyscale ones saved as RGB count as colour)",
            std::path::Path::new("b").join("red.png").display()
        )]
    );
}
