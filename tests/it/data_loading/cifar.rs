//! CIFAR-10 and CIFAR-100 binary batches.

use super::*;

#[test]
fn cifar10_batches_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let b1: Vec<u8> = [cifar_record(&[3], 10), cifar_record(&[9], 20)].concat();
    let b2: Vec<u8> = cifar_record(&[0], 30);
    std::fs::write(p.join("data_batch_1.bin"), b1).unwrap();
    std::fs::write(p.join("data_batch_2.bin"), b2).unwrap();
    std::fs::write(p.join("test_batch.bin"), cifar_record(&[1], 0)).unwrap();
    let names = "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";
    std::fs::write(p.join("batches.meta.txt"), names).unwrap();
    assert_eq!(detect_format(p).unwrap(), Format::Cifar);
    let ds = load(p, &opts()).unwrap();
    assert_eq!((ds.len(), ds.channels, ds.height, ds.width), (3, 3, 32, 32));
    assert_eq!(ds.labels, vec![3, 9, 0]);
    assert_eq!(ds.class_names[3], "cat");
    assert_eq!(ds.class_names.len(), 10);
    let img = ds.image(1);
    assert_eq!((img[0], img[1024], img[2048], img[3071]), (20, 21, 22, 22));
}

#[test]
fn cifar100_fine_labels_and_default_names() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = [cifar_record(&[1, 57], 0), cifar_record(&[19, 99], 5)].concat();
    std::fs::write(dir.path().join("train.bin"), bytes).unwrap();
    let ds = load(dir.path(), &opts()).unwrap();
    assert_eq!(ds.labels, vec![57, 99]);
    assert_eq!(ds.class_names.len(), 100);
    assert_eq!(ds.class_names[57], "57");
}

#[test]
fn cifar_label_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = [cifar_record(&[3], 0), cifar_record(&[10], 0)].concat();
    std::fs::write(dir.path().join("data_batch_1.bin"), bytes).unwrap();
    expect_err(dir.path(), &opts(), "data_batch_1.bin", "out of range");
}

#[test]
fn cifar_truncated_batch() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = cifar_record(&[1, 2], 0);
    bytes.pop();
    std::fs::write(dir.path().join("train.bin"), bytes).unwrap();
    expect_err(dir.path(), &opts(), "train.bin", "truncated");
}

#[test]
fn cifar_without_batches_when_forced() {
    let dir = tempfile::tempdir().unwrap();
    let o = LoadOptions { format: Some(Format::Cifar), ..opts() };
    expect_err(dir.path(), &o, &dir.path().display().to_string(), "no CIFAR batch files");
}
