//! A photo folder is decoded once: its workspace keeps the large images as read, and a later opening takes
//! them while the files' sizes and times are unchanged (decoding and resizing photos took most of every
//! `show`, `export` and explorer opening); a file touched since is decoded again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cscore::data::LoadOptions;
use cscore::project::Project;
use std::path::Path;

/// `dir/{a,b}/k.png`: 96×128 colour images (read at 24×32: 16 times fewer pixels), and one small one.
fn photos(dir: &Path) {
    for (c, class) in ["a", "b"].iter().enumerate() {
        std::fs::create_dir_all(dir.join(class)).unwrap();
        for k in 0..3u8 {
            image::RgbImage::from_fn(128, 96, |x, y| image::Rgb([k * 50 + c as u8 * 9, x as u8, y as u8]))
                .save(dir.join(class).join(format!("{k}.png")))
                .unwrap();
        }
    }
    image::RgbImage::from_pixel(32, 24, image::Rgb([1, 2, 3])).save(dir.join("a/small.png")).unwrap();
}

fn kept(ws: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(ws).unwrap();
    let mut s = conn.prepare("SELECT file FROM decoded_images ORDER BY file").unwrap();
    s.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_folders_large_images_are_decoded_once_while_their_files_are_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, ws) = (tmp.path().join("photos"), tmp.path().join("ws.cscore"));
    photos(&data);
    let first = Project::open(&data, &LoadOptions::default(), Some(&ws), None).unwrap();
    assert_eq!((first.dataset.height, first.dataset.width), (24, 32));
    let hash = first.dataset.content_hash.clone();
    drop(first);
    // The six large images are kept; the small one decodes faster than it is looked up.
    assert_eq!(kept(&ws), ["a/0.png", "a/1.png", "a/2.png", "b/0.png", "b/1.png", "b/2.png"]);
    assert_eq!(
        Project::open(&data, &LoadOptions::default(), Some(&ws), None).unwrap().dataset.content_hash,
        hash
    );
    // What is kept is what is read: pixels kept otherwise make another dataset, refused as such…
    let conn = rusqlite::Connection::open(&ws).unwrap();
    conn.execute("UPDATE decoded_images SET pixels = zeroblob(length(pixels)) WHERE file = 'b/1.png'", [])
        .unwrap();
    drop(conn);
    let e = Project::open(&data, &LoadOptions::default(), Some(&ws), None).err().expect("another dataset");
    assert!(e.to_string().contains("b/1.png"), "{e}");
    // …until the file is touched (a new modification time): then it is decoded again, and kept so.
    let file = std::fs::File::options().write(true).open(data.join("b/1.png")).unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5)).unwrap();
    drop(file);
    assert_eq!(
        Project::open(&data, &LoadOptions::default(), Some(&ws), None).unwrap().dataset.content_hash,
        hash
    );
    assert_eq!(
        Project::open(&data, &LoadOptions::default(), Some(&ws), None).unwrap().dataset.content_hash,
        hash
    );
}

/// Two files of one size and time (unpacked from one archive) swapped by renaming: each path now holds
/// the other file (another inode), so neither is taken as kept; the folder is another dataset.
#[test]
fn files_swapped_by_renaming_are_not_taken_for_the_images_kept_at_their_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, ws) = (tmp.path().join("photos"), tmp.path().join("ws.cscore"));
    let when = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    for (c, class) in ["a", "b"].iter().enumerate() {
        std::fs::create_dir_all(data.join(class)).unwrap();
        for k in 0..2u8 {
            let path = data.join(class).join(format!("{k}.bmp"));
            image::RgbImage::from_pixel(128, 96, image::Rgb([k * 90, c as u8 * 200, 7])).save(&path).unwrap();
            std::fs::File::options().write(true).open(&path).unwrap().set_modified(when).unwrap();
        }
    }
    let hash = Project::open(&data, &LoadOptions::default(), Some(&ws), None).unwrap().dataset.content_hash;
    assert_eq!(kept(&ws).len(), 4);
    let (x, y) = (data.join("a/1.bmp"), data.join("b/1.bmp"));
    assert_eq!(std::fs::metadata(&x).unwrap().len(), std::fs::metadata(&y).unwrap().len());
    std::fs::rename(&x, data.join("swap")).unwrap();
    std::fs::rename(&y, &x).unwrap();
    std::fs::rename(data.join("swap"), &y).unwrap();
    let e = Project::open(&data, &LoadOptions::default(), Some(&ws), None).err().expect("another dataset");
    assert!(e.to_string().contains("a/1.bmp"), "{e}");
    // Swapped back: the same dataset again.
    std::fs::rename(&x, data.join("swap")).unwrap();
    std::fs::rename(&y, &x).unwrap();
    std::fs::rename(data.join("swap"), &y).unwrap();
    assert_eq!(
        Project::open(&data, &LoadOptions::default(), Some(&ws), None).unwrap().dataset.content_hash,
        hash
    );
}
