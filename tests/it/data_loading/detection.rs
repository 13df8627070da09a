//! Format detection and its override.

use super::*;

#[test]
fn directory_matching_no_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello").unwrap();
    let name = dir.path().display().to_string();
    expect_err(dir.path(), &opts(), &name, "no dataset found: expected an IDX folder");
}

#[test]
fn nonexistent_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("missing-data");
    expect_err(&p, &opts(), "missing-data", "no such file or directory");
}

#[test]
fn format_override_wins_over_detection() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = idx_dir(root.path(), "d", true, false);
    let o = LoadOptions { format: Some(Format::Npz), ..opts() };
    expect_err(&dir, &o, "d", "is a folder, not a .npz file");
    let f = root.path().join("tiny.npz");
    write_npz(
        &f,
        &[("x.npy", npy("|u1", "(1, 1, 1)", &[0], false)), ("y.npy", npy("|u1", "(1,)", &[0], false))],
    );
    let o = LoadOptions { format: Some(Format::Idx), ..opts() };
    expect_err(&f, &o, "tiny.npz", "not an IDX file name");
}
