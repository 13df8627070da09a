//! The bad-input matrix: malformed datasets (IDX, CIFAR, image folders, `.npz`), imported score files,
//! config, theme and keymap files, filter expressions and workspace files, each given to the real binary
//! next to a finished workspace. Every one must exit non-zero with one line on stderr that names the
//! problem, never panic, and leave the workspace byte for byte as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{i64_bytes, npy, write_npz};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One malformed input: how to make it, the command that reads it, and what the error must say.
struct Case {
    name: &'static str,
    /// Writes the bad input under the folder (the workspace `ws.cscore` and dataset `d/` are there).
    make: fn(&Path),
    args: &'static [&'static str],
    /// Environment variables set for the command.
    env: &'static [(&'static str, &'static str)],
    /// Substrings the single error line must contain.
    says: &'static [&'static str],
}

fn idx_bytes(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut v = magic.to_be_bytes().to_vec();
    for d in dims {
        v.extend(d.to_be_bytes());
    }
    v.extend(data);
    v
}

/// An IDX folder `bad/` of 4 images of 2×2 with the given image and label files.
fn idx_dir(root: &Path, images: &[u8], labels: &[u8]) {
    let d = root.join("bad");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("train-images-idx3-ubyte"), images).unwrap();
    std::fs::write(d.join("train-labels-idx1-ubyte"), labels).unwrap();
}

fn good_images() -> Vec<u8> {
    idx_bytes(0x803, &[4, 2, 2], &[7; 16])
}

fn good_labels() -> Vec<u8> {
    idx_bytes(0x801, &[4], &[0, 1, 2, 1])
}

fn cifar_dir(root: &Path, files: &[(&str, Vec<u8>)]) {
    let d = root.join("bad");
    std::fs::create_dir_all(&d).unwrap();
    for (name, bytes) in files {
        std::fs::write(d.join(name), bytes).unwrap();
    }
}

fn cifar_record(label: u8) -> Vec<u8> {
    let mut r = vec![label];
    r.extend(std::iter::repeat_n(9u8, 3072));
    r
}

/// A grey 2×2 PNG.
fn png(path: &Path) {
    image::GrayImage::from_pixel(2, 2, image::Luma([100])).save(path).unwrap();
}

const N: usize = 60;

fn cases() -> Vec<Case> {
    vec![
        // ---------- IDX ----------
        Case {
            name: "idx bad magic",
            make: |r| idx_dir(r, &idx_bytes(0x1234, &[4, 2, 2], &[7; 16]), &good_labels()),
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["train-images-idx3-ubyte", "magic"],
        },
        Case {
            name: "idx truncated images",
            make: |r| idx_dir(r, &idx_bytes(0x803, &[4, 2, 2], &[7; 10]), &good_labels()),
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["train-images-idx3-ubyte", "truncated"],
        },
        Case {
            name: "idx count mismatch",
            make: |r| idx_dir(r, &good_images(), &idx_bytes(0x801, &[3], &[0, 1, 2])),
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["4", "3"],
        },
        Case {
            name: "idx .gz that is not gzip",
            make: |r| {
                let d = r.join("bad");
                std::fs::create_dir_all(&d).unwrap();
                std::fs::write(d.join("train-images-idx3-ubyte.gz"), b"not gzip at all").unwrap();
                std::fs::write(d.join("train-labels-idx1-ubyte.gz"), b"not gzip either").unwrap();
            },
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["train-images-idx3-ubyte.gz"],
        },
        Case {
            name: "idx a header that claims 2^32 images",
            make: |r| idx_dir(r, &idx_bytes(0x803, &[u32::MAX, 2, 2], &[7; 16]), &good_labels()),
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["train-images-idx3-ubyte"],
        },
        // ---------- CIFAR ----------
        Case {
            name: "cifar truncated record",
            make: |r| cifar_dir(r, &[("data_batch_1.bin", [cifar_record(1), vec![3; 100]].concat())]),
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["data_batch_1.bin", "truncated"],
        },
        Case {
            name: "cifar label out of range",
            make: |r| cifar_dir(r, &[("data_batch_1.bin", [cifar_record(1), cifar_record(10)].concat())]),
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["data_batch_1.bin", "label 10", "out of range"],
        },
        Case {
            name: "cifar names file with the wrong count",
            make: |r| {
                cifar_dir(
                    r,
                    &[("data_batch_1.bin", cifar_record(1)), ("batches.meta.txt", b"cat\ndog\n".to_vec())],
                )
            },
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["batches.meta.txt", "2 class names"],
        },
        Case {
            name: "cifar a gap in the batch numbers",
            make: |r| {
                cifar_dir(r, &[("data_batch_1.bin", cifar_record(1)), ("data_batch_3.bin", cifar_record(2))])
            },
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["data_batch_2.bin is missing"],
        },
        // ---------- image folders ----------
        Case {
            name: "folder: empty",
            make: |r| std::fs::create_dir_all(r.join("bad")).unwrap(),
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["bad", "empty"],
        },
        Case {
            name: "folder: an undecodable image",
            make: |r| {
                let d = r.join("bad");
                std::fs::create_dir_all(d.join("cat")).unwrap();
                std::fs::create_dir_all(d.join("dog")).unwrap();
                png(&d.join("cat/a.png"));
                std::fs::write(d.join("dog/b.png"), b"\x89PNG but not really").unwrap();
            },
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["b.png"],
        },
        Case {
            name: "folder: a bad --image-size",
            make: |r| {
                let d = r.join("bad");
                std::fs::create_dir_all(d.join("cat")).unwrap();
                png(&d.join("cat/a.png"));
            },
            args: &["estimate", "bad", "-w", "ws.cscore", "--image-size", "0x5"],
            env: &[],
            says: &["image-size"],
        },
        Case {
            name: "a folder that matches no format",
            make: |r| {
                std::fs::create_dir_all(r.join("bad")).unwrap();
                std::fs::write(r.join("bad/notes.txt"), "hello").unwrap();
            },
            args: &["estimate", "bad", "-w", "ws.cscore"],
            env: &[],
            says: &["bad", "no dataset found"],
        },
        // ---------- .npz ----------
        Case {
            name: "npz not a zip",
            make: |r| std::fs::write(r.join("bad.npz"), b"PK? no").unwrap(),
            args: &["estimate", "bad.npz", "-w", "ws.cscore"],
            env: &[],
            says: &["bad.npz"],
        },
        Case {
            name: "npz wrong keys",
            make: |r| {
                write_npz(&r.join("bad.npz"), &[("images.npy", npy("|u1", "(2, 2, 2)", &[0; 8], false))])
            },
            args: &["estimate", "bad.npz", "-w", "ws.cscore"],
            env: &[],
            says: &["bad.npz", "x"],
        },
        Case {
            name: "npz wrong shape",
            make: |r| {
                write_npz(
                    &r.join("bad.npz"),
                    &[
                        ("x.npy", npy("|u1", "(8,)", &[0; 8], false)),
                        ("y.npy", npy("<i8", "(2,)", &i64_bytes(&[0, 1]), false)),
                    ],
                )
            },
            args: &["estimate", "bad.npz", "-w", "ws.cscore"],
            env: &[],
            says: &["bad.npz", "(8,)"],
        },
        Case {
            name: "npz count mismatch",
            make: |r| {
                write_npz(
                    &r.join("bad.npz"),
                    &[
                        ("x.npy", npy("|u1", "(2, 2, 2)", &[0; 8], false)),
                        ("y.npy", npy("<i8", "(3,)", &i64_bytes(&[0, 1, 1]), false)),
                    ],
                )
            },
            args: &["estimate", "bad.npz", "-w", "ws.cscore"],
            env: &[],
            says: &["bad.npz", "2", "3"],
        },
        Case {
            name: "npz negative label",
            make: |r| {
                write_npz(
                    &r.join("bad.npz"),
                    &[
                        ("x.npy", npy("|u1", "(2, 2, 2)", &[0; 8], false)),
                        ("y.npy", npy("<i8", "(2,)", &i64_bytes(&[0, -1]), false)),
                    ],
                )
            },
            args: &["estimate", "bad.npz", "-w", "ws.cscore"],
            env: &[],
            says: &["bad.npz", "-1"],
        },
        Case {
            name: "npz float pixels outside [0, 1]",
            make: |r| {
                let x: Vec<u8> = [0.5f32, 2.0, 0.1, 0.2].iter().flat_map(|v| v.to_le_bytes()).collect();
                write_npz(
                    &r.join("bad.npz"),
                    &[
                        ("x.npy", npy("<f4", "(1, 2, 2)", &x, false)),
                        ("y.npy", npy("<i8", "(1,)", &i64_bytes(&[0]), false)),
                    ],
                )
            },
            args: &["estimate", "bad.npz", "-w", "ws.cscore"],
            env: &[],
            says: &["bad.npz", "[0, 1]"],
        },
        Case {
            name: "npz unsupported dtype",
            make: |r| {
                write_npz(
                    &r.join("bad.npz"),
                    &[
                        ("x.npy", npy("<c16", "(1, 1, 1)", &[0; 16], false)),
                        ("y.npy", npy("<i8", "(1,)", &i64_bytes(&[0]), false)),
                    ],
                )
            },
            args: &["estimate", "bad.npz", "-w", "ws.cscore"],
            env: &[],
            says: &["bad.npz", "c16"],
        },
        // ---------- imported score files ----------
        Case {
            name: "import: .npy of the wrong length",
            make: |r| {
                let v: Vec<u8> = (0..N - 1).flat_map(|i| (i as f64).to_le_bytes()).collect();
                std::fs::write(r.join("s.npy"), npy("<f8", &format!("({},)", N - 1), &v, false)).unwrap();
            },
            args: &["import-scores", "ws.cscore", "s.npy", "--name", "theirs"],
            env: &[],
            says: &["s.npy", "59", "60"],
        },
        Case {
            name: "import: CSV with a word for a score",
            make: |r| std::fs::write(r.join("s.csv"), "index,score\n0,0.5\n1,high\n").unwrap(),
            args: &["import-scores", "ws.cscore", "s.csv", "--name", "theirs"],
            env: &[],
            says: &["s.csv", "high"],
        },
        Case {
            name: "import: CSV with a duplicate index",
            make: |r| std::fs::write(r.join("s.csv"), "index,score\n0,0.5\n0,0.7\n").unwrap(),
            args: &["import-scores", "ws.cscore", "s.csv", "--name", "theirs"],
            env: &[],
            says: &["s.csv", "line 3", "index 0 appears twice"],
        },
        Case {
            name: "import: CSV index out of range",
            make: |r| std::fs::write(r.join("s.csv"), "index,score\n0,0.5\n60,0.7\n").unwrap(),
            args: &["import-scores", "ws.cscore", "s.csv", "--name", "theirs"],
            env: &[],
            says: &["s.csv", "60"],
        },
        Case {
            name: "import: .npz whose labels differ from the dataset's",
            make: |r| {
                let scores: Vec<u8> = (0..N).flat_map(|i| (i as f64 / 60.0).to_le_bytes()).collect();
                write_npz(
                    &r.join("s.npz"),
                    &[
                        ("scores.npy", npy("<f8", "(60,)", &scores, false)),
                        ("labels.npy", npy("<i8", "(60,)", &i64_bytes(&[2; N]), false)),
                    ],
                )
            },
            args: &["import-scores", "ws.cscore", "s.npz", "--name", "theirs"],
            env: &[],
            says: &["s.npz", "label"],
        },
        Case {
            name: "import: a bad score name",
            make: |r| std::fs::write(r.join("s.csv"), "index,score\n0,0.5\n").unwrap(),
            args: &["import-scores", "ws.cscore", "s.csv", "--name", "their scores!"],
            env: &[],
            says: &["their scores!"],
        },
        // ---------- config, keymap and theme files ----------
        Case {
            name: "config: TOML syntax error",
            make: |r| std::fs::write(r.join("config.toml"), "theme = \"dark\"\nproxy = \n").unwrap(),
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[("CSCORE_CONFIG", "config.toml")],
            says: &["config.toml", "line 2"],
        },
        Case {
            name: "config: an unknown setting",
            make: |r| std::fs::write(r.join("config.toml"), "theme = \"dark\"\npol_ms = 100\n").unwrap(),
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[("CSCORE_CONFIG", "config.toml")],
            says: &["config.toml", "pol_ms"],
        },
        Case {
            name: "config: a setting of the wrong type",
            make: |r| std::fs::write(r.join("config.toml"), "poll_ms = \"fast\"\n").unwrap(),
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[("CSCORE_CONFIG", "config.toml")],
            says: &["config.toml", "poll_ms"],
        },
        Case {
            name: "keymap: an unknown command",
            make: |r| std::fs::write(r.join("config.toml"), "[keys]\ntag_mislabelled = \"M\"\n").unwrap(),
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[("CSCORE_CONFIG", "config.toml")],
            says: &["config.toml", "tag_mislabelled"],
        },
        Case {
            name: "keymap: an unknown key name",
            make: |r| std::fs::write(r.join("config.toml"), "[keys]\nquit = \"ctrl-escape-q\"\n").unwrap(),
            args: &["explore", "ws.cscore", "--no-train"],
            env: &[("CSCORE_CONFIG", "config.toml")],
            says: &["config.toml", "ctrl-escape-q"],
        },
        Case {
            name: "theme: a bad colour",
            make: |r| {
                std::fs::write(r.join("t.toml"), "[styles]\nselected = { fg = \"ultraviolet\" }\n").unwrap()
            },
            args: &["explore", "ws.cscore", "--no-train", "--theme", "t.toml"],
            env: &[("CSCORE_CONFIG", "none.toml")],
            says: &["t.toml"],
        },
        Case {
            name: "theme: no such theme",
            make: |_| {},
            args: &["explore", "ws.cscore", "--no-train", "--theme", "solarized-neon"],
            env: &[("CSCORE_CONFIG", "none.toml")],
            says: &["solarized-neon"],
        },
        // ---------- filter expressions ----------
        Case {
            name: "filter: unbalanced parenthesis",
            make: |_| {},
            args: &["export", "ws.cscore", "--filter", "(cscore < 0.2 and label == 1", "-o", "out.csv"],
            env: &[],
            says: &["filter", "position"],
        },
        Case {
            name: "filter: an unknown column",
            make: |_| {},
            args: &["export", "ws.cscore", "--filter", "cscroe < 0.2", "-o", "out.csv"],
            env: &[],
            says: &["cscroe"],
        },
        Case {
            name: "filter: an unterminated string",
            make: |_| {},
            args: &["export", "ws.cscore", "--filter", "tag == \"mislab", "-o", "out.csv"],
            env: &[],
            says: &["filter", "string"],
        },
        Case {
            name: "filter: nested deeper than the limit",
            make: |_| {},
            args: &["export", "ws.cscore", "--filter", DEEP, "-o", "out.csv"],
            env: &[],
            says: &["filter", "deep"],
        },
        Case {
            name: "filter: a dangling operator",
            make: |_| {},
            args: &["export", "ws.cscore", "--filter", "cscore < 0.2 and", "-o", "out.csv"],
            env: &[],
            says: &["filter", "position"],
        },
        // ---------- workspace files ----------
        Case {
            name: "workspace: a file that is not SQLite",
            make: |r| std::fs::write(r.join("junk.cscore"), vec![0x42; 4096]).unwrap(),
            args: &["export", "junk.cscore", "-o", "out.csv"],
            env: &[],
            says: &["junk.cscore", "not a cscore workspace"],
        },
        Case {
            name: "workspace: an SQLite database of another program",
            make: |r| {
                let c = rusqlite::Connection::open(r.join("other.cscore")).unwrap();
                c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
            },
            args: &["show", "other.cscore", "0"],
            env: &[],
            says: &["other.cscore", "another program"],
        },
        Case {
            name: "workspace: written by a newer cscore",
            make: |r| {
                std::fs::copy(r.join("ws.cscore"), r.join("new.cscore")).unwrap();
                let c = rusqlite::Connection::open(r.join("new.cscore")).unwrap();
                c.pragma_update(None, "user_version", 99).unwrap();
            },
            args: &["export", "new.cscore", "-o", "out.csv"],
            env: &[],
            says: &["new.cscore", "version 99", "newer", "upgrade cscore"],
        },
    ]
}

/// 70 nested parentheses, above the parser's limit of 64.
const DEEP: &str = "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((cscore < 1))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))";

fn sha(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|b| hex::encode(Sha256::digest(b)))
}

/// The workspace files' digests (main file, WAL, shared memory); WAL checkpointed away beforehand.
fn fingerprint(ws: &Path) -> Vec<(PathBuf, Option<String>)> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|s| {
            let mut p = ws.as_os_str().to_owned();
            p.push(s);
            let p = PathBuf::from(p);
            let d = sha(&p);
            (p, d)
        })
        .collect()
}

#[test]
fn every_malformed_input_is_one_clear_line_and_leaves_the_workspace_alone() {
    let root = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(N, 3, 0.0, 7);
    common::write_idx(&root.path().join("d"), &ds);
    let small = ["--ratios", "0.5", "--runs", "1", "--model", "mlp:8", "--epochs", "1", "--no-progress"];
    let out = Command::new(env!("CARGO_BIN_EXE_cscore"))
        .args(["estimate", "d", "-w", "ws.cscore"])
        .args(small)
        .current_dir(root.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ws = root.path().join("ws.cscore");
    let cases = cases();
    assert!(cases.len() >= 20, "the issue asks for at least 20 malformed inputs");
    let mut failures = Vec::new();
    for case in &cases {
        let dir = tempfile::tempdir_in(root.path()).unwrap();
        // Each case in a folder of its own holding the finished workspace and the dataset.
        std::fs::copy(&ws, dir.path().join("ws.cscore")).unwrap();
        std::fs::create_dir_all(dir.path().join("d")).unwrap();
        for f in std::fs::read_dir(root.path().join("d")).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, dir.path().join("d").join(f.file_name().unwrap())).unwrap();
        }
        (case.make)(dir.path());
        let here = dir.path().join("ws.cscore");
        let before = fingerprint(&here);
        let out = Command::new(env!("CARGO_BIN_EXE_cscore"))
            .args(case.args)
            .envs(case.env.iter().copied())
            .env_remove("RUST_LOG")
            .current_dir(dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut problems = Vec::new();
        if out.status.success() {
            problems.push("exited 0".to_string());
        }
        if err.contains("panicked") || out.status.code() == Some(101) {
            problems.push("panicked".into());
        }
        if lines.len() != 1 {
            problems.push(format!("{} lines on stderr", lines.len()));
        }
        for want in case.says {
            if !err.contains(want) {
                problems.push(format!("does not say {want:?}"));
            }
        }
        if fingerprint(&here) != before {
            problems.push("the workspace changed".into());
        }
        if dir.path().join("out.csv").exists() {
            problems.push("an output file was written".into());
        }
        if !problems.is_empty() {
            failures.push(format!("{}: {} — stderr: {}", case.name, problems.join(", "), err.trim()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
