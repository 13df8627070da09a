//! `.npz` archives: dtypes, layouts, shapes, and bad archives.

use super::*;

#[test]
fn npz_u8_images_n_h_w() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("tiny.npz");
    let x: Vec<u8> = (0..12).collect();
    write_npz(
        &f,
        &[
            ("x.npy", npy("|u1", "(3, 2, 2)", &x, false)),
            ("y.npy", npy("<i8", "(3,)", &i64_bytes(&[2, 0, 4]), false)),
        ],
    );
    assert_eq!(detect_format(&f).unwrap(), Format::Npz);
    let ds = load(&f, &opts()).unwrap();
    assert_eq!((ds.len(), ds.channels, ds.height, ds.width), (3, 1, 2, 2));
    assert_eq!(ds.pixels, x);
    assert_eq!(ds.labels, vec![2, 0, 4]);
    assert_eq!(ds.class_names, vec!["0", "1", "2", "3", "4"]);
    assert_eq!(ds.name, "tiny");
}

#[test]
fn npz_float_images_channels_last() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("rgb.npz");
    // Two 1×2 RGB images; values v/255 so they round back to v.
    let vals: Vec<u8> = vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255];
    let x: Vec<u8> = vals.iter().flat_map(|&v| (f32::from(v) / 255.0).to_le_bytes()).collect();
    let y: Vec<u8> = [1u16, 0].iter().flat_map(|v| v.to_le_bytes()).collect();
    write_npz(
        &f,
        &[("x.npy", npy("<f4", "(2, 1, 2, 3)", &x, false)), ("y.npy", npy("<u2", "(2,)", &y, false))],
    );
    let ds = load(&f, &opts()).unwrap();
    assert_eq!((ds.channels, ds.height, ds.width), (3, 1, 2));
    assert_eq!(ds.pixels, vec![1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 255]);
    assert_eq!(ds.labels, vec![1, 0]);
}

#[test]
fn npz_wrong_keys() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("keys.npz");
    write_npz(
        &f,
        &[("images.npy", npy("|u1", "(1, 1, 1)", &[0], false)), ("y.npy", npy("|u1", "(1,)", &[0], false))],
    );
    let msg = expect_err(&f, &opts(), "keys.npz", "no array 'x'");
    assert!(msg.contains("images, y"), "{msg}");
}

/// Entry names are the archive author's: control characters in them (a line break, an escape sequence)
/// are shown escaped, and a long list is cut, so the message stays one harmless line (found by fuzzing).
#[test]
fn npz_entry_names_with_control_characters_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("names.npz");
    let mut entries: Vec<(String, Vec<u8>)> = vec![("0evil\n\u{1b}[31mred.npy".into(), vec![0])];
    entries.extend((0..12).map(|i| (format!("a{i:02}.npy"), vec![0])));
    let refs: Vec<(&str, Vec<u8>)> = entries.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    write_npz(&f, &refs);
    let msg = expect_err(&f, &opts(), "names.npz", "no array 'x'");
    assert!(!msg.chars().any(char::is_control), "{msg:?}");
    assert!(msg.contains("evil\\n\\u{1b}[31mred"), "{msg}");
    assert!(msg.contains("and 3 more"), "{msg}");
}

#[test]
fn npz_wrong_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("flat.npz");
    write_npz(
        &f,
        &[("x.npy", npy("|u1", "(2, 4)", &[0; 8], false)), ("y.npy", npy("|u1", "(2,)", &[0, 1], false))],
    );
    expect_err(&f, &opts(), "flat.npz", "x.npy has shape (2, 4)");
    write_npz(
        &f,
        &[
            ("x.npy", npy("|u1", "(2, 1, 1)", &[0; 2], false)),
            ("y.npy", npy("|u1", "(2, 2)", &[0; 4], false)),
        ],
    );
    expect_err(&f, &opts(), "flat.npz", "y.npy has shape (2, 2)");
}

#[test]
fn npz_count_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("n.npz");
    write_npz(
        &f,
        &[("x.npy", npy("|u1", "(2, 1, 1)", &[0; 2], false)), ("y.npy", npy("|u1", "(3,)", &[0; 3], false))],
    );
    expect_err(&f, &opts(), "n.npz", "count mismatch");
}

#[test]
fn npz_float_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("scaled.npz");
    let x: Vec<u8> = [0.5f64, 255.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    write_npz(
        &f,
        &[("x.npy", npy("<f8", "(2, 1, 1)", &x, false)), ("y.npy", npy("|u1", "(2,)", &[0, 1], false))],
    );
    expect_err(&f, &opts(), "scaled.npz", "outside [0, 1]");
}

#[test]
fn npz_negative_label_unsupported_dtype_fortran_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.npz");
    let x = npy("|u1", "(2, 1, 1)", &[0; 2], false);
    write_npz(&f, &[("x.npy", x.clone()), ("y.npy", npy("<i8", "(2,)", &i64_bytes(&[0, -3]), false))]);
    expect_err(&f, &opts(), "bad.npz", "negative label -3");
    write_npz(
        &f,
        &[("x.npy", npy("<i4", "(1, 1, 1)", &[0; 4], false)), ("y.npy", npy("|u1", "(1,)", &[0], false))],
    );
    expect_err(&f, &opts(), "bad.npz", "unsupported dtype '<i4'");
    write_npz(
        &f,
        &[("x.npy", npy("|u1", "(2, 1, 1)", &[0; 2], true)), ("y.npy", npy("|u1", "(2,)", &[0; 2], false))],
    );
    expect_err(&f, &opts(), "bad.npz", "fortran_order");
    write_npz(
        &f,
        &[("x.npy", npy("|u1", "(2, 2, 2)", &[0; 5], false)), ("y.npy", npy("|u1", "(2,)", &[0; 2], false))],
    );
    expect_err(&f, &opts(), "bad.npz", "truncated");
}

#[test]
fn npz_that_is_not_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("plain.npz");
    std::fs::write(&f, npy("|u1", "(1,)", &[0], false)).unwrap();
    expect_err(&f, &opts(), "plain.npz", "not a zip archive");
}

/// NumPy's fixed-width strings, UTF-32 with NUL padding.
fn unicode(names: &[&str], width: usize) -> Vec<u8> {
    names
        .iter()
        .flat_map(|n| n.chars().map(u32::from).chain(std::iter::repeat(0)).take(width).collect::<Vec<_>>())
        .flat_map(u32::to_le_bytes)
        .collect()
}

/// `class_names` (what `export --clean --as npz` writes) names the classes; it must name every label
/// used, and hold strings.
#[test]
fn npz_class_names_name_the_classes() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("named.npz");
    let x: Vec<u8> = (0..12).collect();
    let y = npy("<i8", "(3,)", &i64_bytes(&[2, 0, 1]), false);
    let names = |descr: &str, shape: &str, data: &[u8]| {
        write_npz(
            &f,
            &[
                ("x.npy", npy("|u1", "(3, 2, 2)", &x, false)),
                ("y.npy", y.clone()),
                ("class_names.npy", npy(descr, shape, data, false)),
            ],
        );
    };
    names("<U4", "(3,)", &unicode(&["cat", "dog", "один"], 4));
    let ds = load(&f, &opts()).unwrap();
    assert_eq!(ds.class_names, vec!["cat", "dog", "один"]);
    let listed = cscore::data::load_labels(&f, &opts()).unwrap().unwrap();
    assert_eq!(listed.class_names, Some(ds.class_names.clone()), "the labels-first reading agrees");
    names("<U3", "(2,)", &unicode(&["cat", "dog"], 3));
    expect_err(&f, &opts(), "named.npz", "class_names.npy names 2 classes but y.npy has label 2");
    names("<i8", "(3,)", &i64_bytes(&[7, 8, 9]));
    expect_err(&f, &opts(), "named.npz", "class_names.npy: unsupported dtype '<i8' for names");
}
