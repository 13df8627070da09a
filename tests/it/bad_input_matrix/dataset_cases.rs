//! The malformed datasets: IDX, CIFAR, image folders and `.npz`.

use super::*;

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

pub(super) fn cases() -> Vec<Case> {
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
    ]
}
