//! A workspace opens labels first: the explorer shows its ranked list from the dataset's labels (with
//! the workspace's injected label flips) while the pixels are read and checked on a thread of their own,
//! then shows the images; pixels of another dataset are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{common, tui_support};

use cscore::data::LoadOptions;
use cscore::project::{CorruptionSettings, Project};
use cscore::store::Workspace;
use cscore::tui::views::{draw, ViewState};
use cscore::tui::{App, Config, Event, ExploreSession, ImageMode};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::Path;

fn labels_first(data: &Path, ws: &Path) -> Option<cscore::project::LabelsFirst> {
    Project::open_labels_first(data, &LoadOptions::default(), Workspace::open(ws).unwrap()).unwrap()
}

#[test]
fn the_labels_come_first_with_the_injected_flips_and_the_pixels_follow() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, ws) = (tmp.path().join("data"), tmp.path().join("ws.cscore"));
    common::write_idx(&data, &common::synthetic(300, 5, 0.0, 3).0);
    let noise = CorruptionSettings { label_noise: 0.1, ood: 0.05, noise_seed: 9 };
    let full = Project::open(&data, &LoadOptions::default(), Some(&ws), Some(noise)).unwrap();
    drop(full.workspace);
    let first = labels_first(&data, &ws).expect("IDX keeps its labels apart");
    let shown = &first.project.dataset;
    assert_eq!(shown.labels, full.dataset.labels, "the flipped labels, as the estimate saw them");
    assert_eq!(first.project.injected, full.injected);
    assert_eq!(first.project.injected.len(), 45);
    assert!(!shown.has_pixels() && full.dataset.has_pixels());
    assert_eq!((shown.len(), shown.num_classes(), shown.height), (300, 5, 12));
    let loaded = first.pixels.load().unwrap();
    assert_eq!(loaded.pixels, full.dataset.pixels, "with the OOD replacements");
    assert_eq!(loaded.labels, full.dataset.labels);
    assert_eq!(loaded.content_hash, full.dataset.content_hash);
}

#[test]
fn pixels_of_another_dataset_are_refused_and_cifar_opens_the_whole_way() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, ws) = (tmp.path().join("data"), tmp.path().join("ws.cscore"));
    let (mut ds, _) = common::synthetic(200, 4, 0.0, 5);
    common::write_idx(&data, &ds);
    drop(Project::open(&data, &LoadOptions::default(), Some(&ws), None).unwrap());
    ds.pixels[17] = ds.pixels[17].wrapping_add(1);
    common::write_idx(&data, &ds);
    let first = labels_first(&data, &ws).expect("the labels still match");
    let err = first.pixels.load().expect_err("one pixel changed").to_string();
    assert!(err.contains("this workspace belongs to dataset"), "{err}");
    // a labels file of another length, or a format that keeps labels among the pixels: the whole way
    common::write_idx(&data, &common::synthetic(150, 4, 0.0, 5).0);
    assert!(labels_first(&data, &ws).is_none());
    let cifar = tmp.path().join("cifar");
    std::fs::create_dir_all(&cifar).unwrap();
    let records: Vec<u8> =
        (0..4u8).flat_map(|i| std::iter::once(i % 2).chain([i * 50; 3 * 32 * 32])).collect();
    std::fs::write(cifar.join("data_batch_1.bin"), records).unwrap();
    let ws2 = tmp.path().join("cifar.cscore");
    drop(Project::open(&cifar, &LoadOptions::default(), Some(&ws2), None).unwrap());
    assert!(labels_first(&cifar, &ws2).is_none(), "CIFAR keeps each label beside its pixels");
}

#[test]
fn an_npz_opens_on_its_labels_and_the_header_of_its_images() {
    let tmp = tempfile::tempdir().unwrap();
    let (npz, ws) = (tmp.path().join("d.npz"), tmp.path().join("npz.cscore"));
    // 6 RGB images stored channels-last (N, H, W, C), deflated, labels as int64 in three classes
    let pixels: Vec<u8> = (0..6 * 4 * 5 * 3).map(|i| (i * 7 % 251) as u8).collect();
    let x = common::npy("|u1", "(6, 4, 5, 3)", &pixels, false);
    let y = common::npy("<i8", "(6,)", &common::i64_bytes(&[2, 0, 1, 1, 0, 2]), false);
    common::write_npz(&npz, &[("x.npy", x.clone()), ("y.npy", y)]);
    let noise = CorruptionSettings { label_noise: 0.5, ood: 0.0, noise_seed: 4 };
    let full = Project::open(&npz, &LoadOptions::default(), Some(&ws), Some(noise)).unwrap();
    drop(full.workspace);
    let first = labels_first(&npz, &ws).expect("an npz keeps y apart from x");
    let shown = &first.project.dataset;
    assert_eq!(shown.labels, full.dataset.labels, "the flipped labels, as the estimate saw them");
    assert_eq!(first.project.injected, full.injected);
    assert!(!full.injected.is_empty(), "the seed flips some labels");
    assert_eq!((shown.channels, shown.height, shown.width, shown.num_classes()), (3, 4, 5, 3));
    assert!(!shown.has_pixels());
    let loaded = first.pixels.load().unwrap();
    assert_eq!((loaded.pixels, loaded.content_hash), (full.dataset.pixels, full.dataset.content_hash));
    // a label of a class the workspace does not know: the whole way (which says why)
    let y = common::npy("<i8", "(6,)", &common::i64_bytes(&[2, 0, 1, 1, 0, 3]), false);
    common::write_npz(&npz, &[("x.npy", x.clone()), ("y.npy", y)]);
    assert!(labels_first(&npz, &ws).is_none());
    // a version 2 header longer than any version 1 header (padded past 64 KiB): read whole, then the labels
    let mut dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (6, 4, 5, 3), }".to_string();
    dict.push_str(&" ".repeat(70_000 - dict.len() - 13));
    dict.push('\n');
    let mut x2 = b"\x93NUMPY\x02\x00".to_vec();
    x2.extend((dict.len() as u32).to_le_bytes());
    x2.extend(dict.as_bytes());
    x2.extend(&pixels);
    let y = common::npy("<i8", "(6,)", &common::i64_bytes(&[2, 0, 1, 1, 0, 2]), false);
    common::write_npz(&npz, &[("x.npy", x2), ("y.npy", y)]);
    let first = labels_first(&npz, &ws).expect("a long version 2 header is read whole");
    assert_eq!(first.project.dataset.labels, full.dataset.labels);
    // images of another shape (the header says so before any pixel is read): the whole way
    let y = common::npy("<i8", "(6,)", &common::i64_bytes(&[2, 0, 1, 1, 0, 2]), false);
    let x = common::npy("|u1", "(6, 5, 4, 3)", &pixels, false);
    common::write_npz(&npz, &[("x.npy", x), ("y.npy", y)]);
    assert!(labels_first(&npz, &ws).is_none());
}

#[test]
fn an_image_folder_opens_on_its_listing() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, ws) = (tmp.path().join("pets"), tmp.path().join("ws.cscore"));
    for (class, shades) in [("cat", [10u8, 60, 110]), ("dog", [160, 210, 250])] {
        std::fs::create_dir_all(data.join(class)).unwrap();
        for (i, v) in shades.into_iter().enumerate() {
            image::RgbImage::from_pixel(5, 4, image::Rgb([v, 255 - v, 7]))
                .save(data.join(class).join(format!("{i}.png")))
                .unwrap();
        }
    }
    let full = Project::open(&data, &LoadOptions::default(), Some(&ws), None).unwrap();
    drop(full.workspace);
    let first = labels_first(&data, &ws).expect("a folder's labels are its listing");
    assert_eq!(first.project.dataset.labels, vec![0, 0, 0, 1, 1, 1]);
    assert_eq!(first.project.dataset.paths, full.dataset.paths);
    assert_eq!(first.project.dataset.class_names, vec!["cat", "dog"]);
    assert!(!first.project.dataset.has_pixels());
    let loaded = first.pixels.load().unwrap();
    assert_eq!((loaded.pixels, loaded.content_hash), (full.dataset.pixels, full.dataset.content_hash));
    // one more image: the listing no longer matches the workspace, so the whole way (which says why)
    image::RgbImage::from_pixel(5, 4, image::Rgb([1, 2, 3])).save(data.join("dog/3.png")).unwrap();
    assert!(labels_first(&data, &ws).is_none());
}

/// The preview pane's text at 80×24.
fn preview(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| draw(f, app, &mut ViewState::default())).unwrap();
    let buf = terminal.backend().buffer();
    (1..22).map(|y| (48..80).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n").collect()
}

fn app_without_pixels(f: &tui_support::Fixture) -> App {
    let first = labels_first(&f.data, &f.workspace).unwrap();
    let plan = cscore::estimate::stored_plan(&first.project.workspace).unwrap();
    let session = ExploreSession::open(first.project, plan, &Config::default(), Some("dark"), None).unwrap();
    let mut app = session.app;
    app.images = ImageMode::Shade;
    app.update(Event::Resize(80, 24));
    app
}

#[test]
fn the_explorer_says_the_images_are_loading_then_shows_them() {
    let f = tui_support::fixture(100);
    let mut app = app_without_pixels(&f);
    assert_eq!(app.data.len(), 100);
    let before = preview(&app);
    assert!(before.contains("loading the images…"), "{before}");
    assert!(!before.contains(['░', '▒', '▓', '█']), "{before}");
    app.update(Event::Pixels(Box::new(Ok(tui_support::dataset(&f)))));
    assert!(app.images_missing.is_none());
    let after = preview(&app);
    assert!(!after.contains("loading"), "{after}");
    assert!(after.contains(['░', '▒', '▓', '█']), "the image shows:\n{after}");
    // a failure is said, and the list stays
    let mut app = app_without_pixels(&f);
    app.update(Event::Pixels(Box::new(Err("disk gone".into()))));
    assert!(preview(&app).contains("no images"));
    assert!(app.message.as_ref().is_some_and(|m| m.error && m.text.contains("disk gone")));
    // pixels whose labels differ from those shown are not taken
    let mut app = app_without_pixels(&f);
    let mut other = tui_support::dataset(&f);
    other.labels[0] = (other.labels[0] + 1) % 4;
    app.update(Event::Pixels(Box::new(Ok(other))));
    assert!(!app.data.dataset.has_pixels());
    assert!(app.message.as_ref().is_some_and(|m| m.text.contains("labels changed")));
}
