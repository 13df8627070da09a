//! IDX and `.npz` writers for cleaned datasets.

use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::Layout;
use crate::data::Dataset;
use crate::export::atomic::write_synced;
use crate::export::npy::{write_npy, NpyData};
use crate::export::ExportError;

/// Refuses layouts that cannot hold the dataset.
pub(super) fn check_layout(ds: &Dataset, layout: Layout) -> Result<(), ExportError> {
    if let Layout::Idx { .. } = layout {
        if ds.channels != 1 {
            return Err(ExportError::Usage(format!(
                "IDX holds grey images only and this dataset has {} channels; use --as npz or --as folder",
                ds.channels
            )));
        }
        if ds.num_classes() > 256 {
            return Err(ExportError::Usage(format!(
                "IDX labels are bytes and this dataset has {} classes; use --as npz or --as folder",
                ds.num_classes()
            )));
        }
    }
    if !matches!(ds.channels, 1 | 3) {
        return Err(ExportError::Usage(format!("cannot write images with {} channels", ds.channels)));
    }
    Ok(())
}

/// Big-endian u32 for IDX headers.
fn be(v: usize) -> Result<[u8; 4], ExportError> {
    u32::try_from(v)
        .map(u32::to_be_bytes)
        .map_err(|_| ExportError::Usage(format!("{v} is too large for IDX")))
}

/// `train-images-idx3-ubyte` and `train-labels-idx1-ubyte` (each `.gz` when `gzip`).
pub(super) fn write_idx(
    ds: &Dataset,
    order: &[usize],
    labels: &[u32],
    dir: &Path,
    gzip: bool,
) -> Result<(), ExportError> {
    let mut images = Vec::with_capacity(16 + order.len() * ds.example_len());
    for v in [0x0803, order.len(), ds.height, ds.width] {
        images.extend(be(v)?);
    }
    for &i in order {
        images.extend_from_slice(ds.image(i));
    }
    let mut label_bytes = Vec::with_capacity(8 + labels.len());
    label_bytes.extend(be(0x0801)?);
    label_bytes.extend(be(labels.len())?);
    // check_layout capped the class count at 256.
    label_bytes.extend(labels.iter().map(|&l| l as u8));
    let suffix = if gzip { ".gz" } else { "" };
    for (name, bytes) in [("train-images-idx3-ubyte", images), ("train-labels-idx1-ubyte", label_bytes)] {
        let path = dir.join(format!("{name}{suffix}"));
        let bytes = if gzip { gz(&bytes).map_err(|e| ExportError::io(&path, e))? } else { bytes };
        write_synced(&path, &bytes)?;
    }
    Ok(())
}

fn gz(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes)?;
    enc.finish()
}

/// `data.npz` with `x` (N,H,W) or (N,H,W,C) uint8 (channels last, as NumPy users expect), `y` int64,
/// `original_index` int64 and `class_names` (K,) strings.
pub(super) fn write_npz(
    ds: &Dataset,
    order: &[usize],
    labels: &[u32],
    dir: &Path,
) -> Result<(), ExportError> {
    let (c, plane) = (ds.channels, ds.height * ds.width);
    let mut x = Vec::with_capacity(order.len() * ds.example_len());
    for &i in order {
        let px = ds.image(i);
        if c == 1 {
            x.extend_from_slice(px);
        } else {
            for p in 0..plane {
                x.extend((0..c).map(|ch| px[ch * plane + p]));
            }
        }
    }
    let mut x_shape = vec![order.len(), ds.height, ds.width];
    if c > 1 {
        x_shape.push(c);
    }
    let y: Vec<i64> = labels.iter().map(|&l| i64::from(l)).collect();
    let index: Vec<i64> = order.iter().map(|&i| i as i64).collect();
    let path = dir.join("data.npz");
    let result = (|| -> zip::result::ZipResult<()> {
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
        let mut zip = ZipWriter::new(std::io::BufWriter::new(file));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .large_file(x.len() as u64 >= u64::from(u32::MAX) - 1024);
        let arrays = [
            ("x.npy", &x_shape[..], NpyData::U8(&x)),
            ("y.npy", &[y.len()][..], NpyData::I64(&y)),
            ("original_index.npy", &[index.len()][..], NpyData::I64(&index)),
            ("class_names.npy", &[ds.class_names.len()][..], NpyData::Str(&ds.class_names)),
        ];
        for (name, shape, data) in arrays {
            zip.start_file(name, options)?;
            write_npy(&mut zip, shape, data)?;
        }
        let mut inner = zip.finish()?.into_inner().map_err(|e| e.into_error())?;
        inner.flush()?;
        inner.sync_all()?;
        Ok(())
    })();
    result.map_err(|e| ExportError::io(&path, std::io::Error::other(e)))
}
