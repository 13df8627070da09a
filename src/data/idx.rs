//! IDX files (MNIST, Fashion-MNIST, KMNIST, EMNIST): u8 images N×H×W and u8 labels N, plain or gzip.

use super::read::{open, read_up_to, RESERVE_RATIO};
use super::{idx_names, invalid, numbered_classes, DataError, LabelsOnly, Loaded};
use flate2::read::MultiGzDecoder;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

const IMAGES_MAGIC: u32 = 0x0000_0803;
const LABELS_MAGIC: u32 = 0x0000_0801;
/// IDX element type code of unsigned bytes, the only one image datasets use.
const U8_TYPE: u8 = 0x08;

/// One IDX array: its dimensions and raw bytes.
struct IdxArray {
    dims: Vec<usize>,
    data: Vec<u8>,
}

/// Loads an IDX dataset from a folder or from its images (or labels) file.
pub(super) fn load(path: &Path) -> Result<Loaded, DataError> {
    let (images_path, labels_path) = idx_names::locate(path)?;
    let images = read_idx(&images_path, IMAGES_MAGIC)?;
    let labels = read_idx(&labels_path, LABELS_MAGIC)?;
    let (n, height, width) = (images.dims[0], images.dims[1], images.dims[2]);
    if labels.dims[0] != n {
        let images_name = images_path.file_name().unwrap_or_default().to_string_lossy();
        return Err(invalid(
            &labels_path,
            format!(
                "image/label count mismatch: {} labels but {images_name} holds {n} images",
                labels.dims[0]
            ),
        ));
    }
    let labels: Vec<u32> = labels.data.iter().map(|&b| u32::from(b)).collect();
    let k = labels.iter().max().map_or(0, |&m| m as usize + 1);
    Ok(Loaded {
        channels: 1,
        height,
        width,
        pixels: images.data,
        labels,
        class_names: numbered_classes(k),
        paths: None,
        notes: Vec::new(),
        unreadable: Vec::new(),
    })
}

/// The labels of an IDX dataset with its images' height and width, read from the labels file and the
/// images file's header alone (the explorer shows its list before the pixels are in).
pub(super) fn load_labels(path: &Path) -> Result<LabelsOnly, DataError> {
    let (images_path, labels_path) = idx_names::locate(path)?;
    let labels = read_idx(&labels_path, LABELS_MAGIC)?;
    let dims = with_reader(&images_path, |r, _, gz| {
        let read_err = read_error(&images_path, gz);
        header(r, &images_path, IMAGES_MAGIC, &read_err).map(|(dims, _)| dims)
    })?;
    if labels.dims[0] != dims[0] {
        return Err(invalid(&labels_path, "image/label count mismatch"));
    }
    Ok(LabelsOnly {
        shape: Some((1, dims[1], dims[2])),
        labels: labels.data.iter().map(|&b| u32::from(b)).collect(),
        class_names: None,
        paths: None,
    })
}

/// Reads one IDX file, decompressing it when it starts with the gzip magic bytes.
fn read_idx(path: &Path, magic: u32) -> Result<IdxArray, DataError> {
    with_reader(path, |r, reserve, gz| parse(r, reserve, path, magic, gz))
}

/// Calls `f` with a reader of `path`'s contents (decompressed when it starts with the gzip magic bytes),
/// the most bytes worth reserving up front, and whether it is gzip.
fn with_reader<T>(
    path: &Path,
    f: impl FnOnce(&mut dyn Read, u64, bool) -> Result<T, DataError>,
) -> Result<T, DataError> {
    let (file, file_len) = open(path)?;
    let mut reader = BufReader::new(file);
    let head = reader.fill_buf().map_err(|e| invalid(path, format!("cannot read: {e}")))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let reserve = file_len.saturating_mul(RESERVE_RATIO).saturating_add(1024);
        f(&mut MultiGzDecoder::new(reader), reserve, true)
    } else {
        f(&mut reader, file_len, false)
    }
}

/// How a read error of `path` is reported.
fn read_error(path: &Path, gz: bool) -> impl Fn(std::io::Error) -> DataError + '_ {
    move |e| {
        if gz {
            invalid(path, format!("corrupt gzip data: {e}"))
        } else {
            invalid(path, format!("cannot read: {e}"))
        }
    }
}

/// Parses the header and data of an IDX stream, reserving at most `reserve` bytes up front.
fn parse<R: Read>(
    mut r: R,
    reserve: u64,
    path: &Path,
    want_magic: u32,
    gz: bool,
) -> Result<IdxArray, DataError> {
    let read_err = read_error(path, gz);
    let (dims, total) = header(&mut r, path, want_magic, &read_err)?;
    let data = read_up_to(&mut r, total.saturating_add(1), reserve).map_err(&read_err)?;
    let shape = dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("×");
    let got = data.len() as u64;
    if got < total {
        return Err(invalid(
            path,
            format!(
                "truncated file: the header promises {shape} = {total} bytes of data but only {got} follow"
            ),
        ));
    }
    if got > total {
        return Err(invalid(
            path,
            format!("trailing garbage: more than the {shape} = {total} bytes of data the header promises"),
        ));
    }
    Ok(IdxArray { dims, data })
}

/// Parses an IDX header: the dimensions and the number of data bytes they promise.
fn header<R: Read>(
    mut r: R,
    path: &Path,
    want_magic: u32,
    read_err: &dyn Fn(std::io::Error) -> DataError,
) -> Result<(Vec<usize>, u64), DataError> {
    let mut head = [0u8; 4];
    let got = read_up_to(&mut r, 4, 4).map_err(read_err)?;
    if got.len() < 4 {
        return Err(invalid(
            path,
            format!("truncated file: {} bytes, too short for an IDX header", got.len()),
        ));
    }
    head.copy_from_slice(&got);
    let magic = u32::from_be_bytes(head);
    check_magic(path, magic, want_magic)?;
    let ndims = usize::from(head[3]);
    let dim_bytes = read_up_to(&mut r, 4 * ndims as u64, 64).map_err(read_err)?;
    if dim_bytes.len() < 4 * ndims {
        return Err(invalid(path, "truncated file: the header ends early"));
    }
    let mut dims = Vec::with_capacity(ndims);
    for c in dim_bytes.chunks_exact(4) {
        let d = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        dims.push(usize::try_from(d).map_err(|_| invalid(path, "dimension too large"))?);
    }
    let total = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .filter(|&t| usize::try_from(t).is_ok())
        .ok_or_else(|| invalid(path, format!("header dimensions {dims:?} are too large")))?;
    Ok((dims, total))
}

/// Accepts exactly `want` (u8 data, the expected rank); explains any other header.
fn check_magic(path: &Path, magic: u32, want: u32) -> Result<(), DataError> {
    if magic == want {
        return Ok(());
    }
    let [z0, z1, ty, nd] = magic.to_be_bytes();
    let what = if want == IMAGES_MAGIC { "images (N×H×W)" } else { "labels (N)" };
    let problem = if z0 != 0 || z1 != 0 {
        format!("bad magic number 0x{magic:08X} (expected 0x{want:08X}): not an IDX file")
    } else if ty != U8_TYPE {
        format!("unsupported IDX element type 0x{ty:02X} (magic number 0x{magic:08X}); only unsigned bytes (0x08) are supported")
    } else {
        format!(
            "bad magic number 0x{magic:08X}: {nd} dimensions, but IDX {what} need {} (0x{want:08X})",
            want & 0xFF
        )
    };
    Err(invalid(path, problem))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn header(magic: u32, dims: &[u32]) -> Vec<u8> {
        let mut v = magic.to_be_bytes().to_vec();
        for d in dims {
            v.extend(d.to_be_bytes());
        }
        v
    }

    fn parse_bytes(bytes: &[u8], magic: u32) -> Result<IdxArray, DataError> {
        parse(bytes, bytes.len() as u64, Path::new("f"), magic, false)
    }

    #[test]
    fn parses_images() {
        let mut b = header(IMAGES_MAGIC, &[2, 2, 3]);
        b.extend(0..12u8);
        let a = parse_bytes(&b, IMAGES_MAGIC).unwrap();
        assert_eq!(a.dims, vec![2, 2, 3]);
        assert_eq!(a.data, (0..12u8).collect::<Vec<_>>());
    }

    #[test]
    fn rejects_bad_headers() {
        let msg = |b: &[u8], m| parse_bytes(b, m).err().unwrap().to_string();
        assert!(msg(&header(0x1234_5678, &[]), IMAGES_MAGIC).contains("bad magic number"));
        assert!(msg(&header(LABELS_MAGIC, &[3]), IMAGES_MAGIC).contains("bad magic number"));
        assert!(msg(&header(0x0000_0D03, &[1, 1, 1]), IMAGES_MAGIC).contains("element type"));
        assert!(msg(&[0, 0], IMAGES_MAGIC).contains("truncated"));
        assert!(msg(&header(IMAGES_MAGIC, &[2]), IMAGES_MAGIC).contains("truncated"));
        let huge = header(IMAGES_MAGIC, &[u32::MAX, u32::MAX, u32::MAX]);
        assert!(msg(&huge, IMAGES_MAGIC).contains("too large"));
        let mut short = header(LABELS_MAGIC, &[5]);
        short.extend([1, 2]);
        assert!(msg(&short, LABELS_MAGIC).contains("truncated"));
        let mut long = header(LABELS_MAGIC, &[1]);
        long.extend([1, 2]);
        assert!(msg(&long, LABELS_MAGIC).contains("trailing garbage"));
    }
}
