//! The CPU build asked for `--device cuda`: it hands the command over to the CUDA build `cscore-cuda`
//! (here `$CSCORE_CUDA_BIN`), or says in one line why it cannot, writing nothing. The real CUDA build with
//! a stub driver and with no driver at all is checked by `.ci/cuda_build.sh`.
#![cfg(all(unix, not(feature = "cuda")))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/mnist-10k")
}

/// `cscore estimate sample_data/mnist-10k -w DIR/ws.cscore --device cuda` with `CSCORE_CUDA_BIN=cuda_bin`.
fn estimate_on_cuda(dir: &Path, cuda_bin: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cscore"))
        .arg("estimate")
        .arg(sample())
        .arg("-w")
        .arg(dir.join("ws.cscore"))
        .args(["--device", "cuda", "--ensemble", "8"])
        .env("CSCORE_CUDA_BIN", cuda_bin)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn one_error_line(out: &Output) -> String {
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

fn script(dir: &Path, body: &str) -> PathBuf {
    let path = dir.join("cscore-cuda");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn without_a_cuda_build_says_where_it_looked_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-cscore-cuda");
    let err = one_error_line(&estimate_on_cuda(dir.path(), &missing));
    assert!(err.contains(&format!("no CUDA build at {}", missing.display())), "{err}");
    assert!(err.contains("--features cuda") && err.contains("--device cpu"), "{err}");
    assert!(!dir.path().join("ws.cscore").exists());
}

#[test]
fn refuses_a_cpu_build_in_place_of_the_cuda_build() {
    // Handing over to itself would loop: the version mark tells the builds apart.
    let dir = tempfile::tempdir().unwrap();
    let err = one_error_line(&estimate_on_cuda(dir.path(), Path::new(env!("CARGO_BIN_EXE_cscore"))));
    assert!(err.contains("is not a CUDA build"), "{err}");
    assert!(!dir.path().join("ws.cscore").exists());
}

#[test]
fn a_missing_driver_library_is_named() {
    // What the dynamic loader prints when the CUDA build starts on a machine without the NVIDIA driver.
    let dir = tempfile::tempdir().unwrap();
    let bin = script(
        dir.path(),
        "echo \"$0: error while loading shared libraries: libcuda.so.1: cannot open shared object file: \
         No such file or directory\" >&2; exit 127",
    );
    let err = one_error_line(&estimate_on_cuda(dir.path(), &bin));
    assert!(err.contains("no NVIDIA driver on this machine (libcuda.so.1 not found)"), "{err}");
    assert!(err.contains("--device cpu"), "{err}");
}

#[test]
fn hands_the_same_arguments_over_and_keeps_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let args = dir.path().join("args.txt");
    let bin = script(
        dir.path(),
        &format!(
            "if [ \"$1\" = --version ]; then echo 'cscore 0.1.0 (cuda)'; exit 0; fi\n\
             printf '%s\\n' \"$@\" > {}; exit 3",
            args.display()
        ),
    );
    let out = estimate_on_cuda(dir.path(), &bin);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    let seen = std::fs::read_to_string(&args).unwrap();
    let expected = format!(
        "estimate\n{}\n-w\n{}\n--device\ncuda\n--ensemble\n8\n",
        sample().display(),
        dir.path().join("ws.cscore").display()
    );
    assert_eq!(seen, expected);
}

#[test]
fn other_devices_and_commands_stay_in_the_cpu_build() {
    let out = Command::new(env!("CARGO_BIN_EXE_cscore"))
        .arg("--version")
        .env("CSCORE_CUDA_BIN", "/nonexistent")
        .output()
        .unwrap();
    assert!(out.status.success());
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(version.starts_with("cscore ") && !version.contains("cuda"), "{version}");
}
