//! NumPy `.npz` archives (zip, stored or deflated) with arrays `x` (images) and `y` (labels), and
//! optionally `class_names` (strings, one per class: what `cscore export --clean --as npz` writes).

use super::npy::{self, shape_str, Npy};
use super::read::{open, read_up_to, MAX_DEFLATE_RATIO, RESERVE_RATIO};
use super::{invalid, numbered_classes, DataError, LabelsOnly, Loaded};
use std::io::{BufReader, Read};
use std::path::Path;
use zip::ZipArchive;

/// More classes than this means the labels are not class indices.
const MAX_CLASSES: u32 = 100_000;

type Archive = ZipArchive<BufReader<std::fs::File>>;

/// Loads `x` and `y` from a `.npz` archive.
pub(super) fn load(path: &Path) -> Result<Loaded, DataError> {
    let (mut zip, file_len) = open_archive(path)?;
    let x = array(&mut zip, path, file_len, "x")?;
    let y = array(&mut zip, path, file_len, "y")?;
    let (n, channels, height, width, hwc) = images_of(&x.shape, path)?;
    let labels = labels_of(y, n, path)?;
    let mut pixels = x.into_pixels().map_err(|e| invalid(path, format!("x.npy: {e}")))?;
    if hwc && channels > 1 {
        hwc_to_chw(&mut pixels, channels, height * width);
    }
    let class_names = class_names(&mut zip, path, file_len, &labels)?;
    Ok(Loaded {
        channels,
        height,
        width,
        pixels,
        labels,
        class_names,
        paths: None,
        notes: Vec::new(),
        unreadable: Vec::new(),
    })
}

/// The labels (`y`) and the images' shape (from `x`'s header alone: its data is not decompressed).
pub(super) fn load_labels(path: &Path) -> Result<LabelsOnly, DataError> {
    let (mut zip, file_len) = open_archive(path)?;
    let x_name = entry_name(&mut zip, path, "x")?;
    let mut head = Vec::new();
    zip.by_name(&x_name)
        .and_then(|mut entry| {
            // The fixed part says how long the dict is; then the dict, and not a byte of the data (nor more
            // than the entry can hold: a corrupt length is the whole load's to report).
            let most =
                entry.size().min(entry.compressed_size().min(file_len).saturating_mul(MAX_DEFLATE_RATIO));
            (&mut entry).take(12).read_to_end(&mut head)?;
            let rest = npy::header_len(&head).map_or(0, |len| len.saturating_sub(head.len()));
            entry.take((rest as u64).min(most)).read_to_end(&mut head)?;
            Ok(())
        })
        .map_err(|e| invalid(path, format!("{x_name}: cannot read: {e}")))?;
    let x = npy::parse_header(&head).map_err(|e| invalid(path, format!("x.npy: {e}")))?;
    let (n, channels, height, width, _) = images_of(&x.shape, path)?;
    let labels = labels_of(array(&mut zip, path, file_len, "y")?, n, path)?;
    let class_names = Some(class_names(&mut zip, path, file_len, &labels)?);
    Ok(LabelsOnly { shape: Some((channels, height, width)), labels, class_names, paths: None })
}

/// The archive at `path` and the file's length.
fn open_archive(path: &Path) -> Result<(Archive, u64), DataError> {
    if path.is_dir() {
        return Err(invalid(path, "is a folder, not a .npz file"));
    }
    let (file, file_len) = open(path)?;
    let zip = ZipArchive::new(BufReader::new(file))
        .map_err(|e| invalid(path, format!("not a zip archive (a .npz must be one): {e}")))?;
    Ok((zip, file_len))
}

/// (N, C, H, W, stored channels-last) of the image array, or why not images.
fn images_of(shape: &[usize], path: &Path) -> Result<(usize, usize, usize, usize, bool), DataError> {
    image_shape(shape).ok_or_else(|| {
        invalid(
            path,
            format!(
                "x.npy has shape {}; expected (N, H, W), (N, H, W, C) or (N, C, H, W) with C = 1 or 3",
                shape_str(shape)
            ),
        )
    })
}

/// The class indices of `y`, which must hold one per image of `n`.
fn labels_of(y: Npy, n: usize, path: &Path) -> Result<Vec<u32>, DataError> {
    let m = match y.shape.as_slice() {
        [m] | [m, 1] => *m,
        other => return Err(invalid(path, format!("y.npy has shape {}; expected (N,)", shape_str(other)))),
    };
    if m != n {
        return Err(invalid(
            path,
            format!("count mismatch: x.npy holds {n} images but y.npy holds {m} labels"),
        ));
    }
    let labels = y.labels().map_err(|e| invalid(path, format!("y.npy: {e}")))?;
    let max = labels.iter().copied().max().unwrap_or(0);
    if max >= MAX_CLASSES {
        return Err(invalid(
            path,
            format!("y.npy: label {max} is too large (at most {} classes)", MAX_CLASSES),
        ));
    }
    Ok(labels)
}

/// Classes 0..=max label.
fn class_count(labels: &[u32]) -> usize {
    labels.iter().max().map_or(0, |&m| m as usize + 1)
}

/// The archive's `class_names` (one per class, at least one per label used), else "0", "1", ….
fn class_names(
    zip: &mut Archive,
    path: &Path,
    file_len: u64,
    labels: &[u32],
) -> Result<Vec<String>, DataError> {
    let used = class_count(labels);
    if !zip.file_names().any(|n| n == "class_names.npy" || n == "class_names") {
        return Ok(numbered_classes(used));
    }
    let names = array(zip, path, file_len, "class_names")?;
    if names.shape.len() != 1 {
        return Err(invalid(
            path,
            format!(
                "class_names.npy has shape {}; expected (K,), one name per class",
                shape_str(&names.shape)
            ),
        ));
    }
    let names = names.strings().map_err(|e| invalid(path, format!("class_names.npy: {e}")))?;
    if names.len() < used {
        return Err(invalid(
            path,
            format!("class_names.npy names {} classes but y.npy has label {}", names.len(), used - 1),
        ));
    }
    Ok(names)
}

/// Entry names listed in an error at most.
const MAX_LISTED: usize = 10;

/// An archive entry name as it can be shown on one line: control characters and other unprintable ones
/// escaped, at most 40 characters.
fn printable(name: &str) -> String {
    let mut escaped = String::new();
    for c in name.chars() {
        if c.is_control() || c == '\u{fffd}' {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
    }
    match escaped.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

/// Reads and parses array `key` (`key.npy` in the archive).
fn array(zip: &mut Archive, path: &Path, file_len: u64, key: &str) -> Result<Npy, DataError> {
    let entry_name = entry_name(zip, path, key)?;
    let entry =
        zip.by_name(&entry_name).map_err(|e| invalid(path, format!("{entry_name}: cannot read: {e}")))?;
    let size = entry.size();
    let max = entry.compressed_size().min(file_len).saturating_mul(MAX_DEFLATE_RATIO).saturating_add(1024);
    if size > max {
        return Err(invalid(path, format!("{entry_name}: corrupt zip entry (impossible size {size})")));
    }
    let reserve = size.min(file_len.saturating_mul(RESERVE_RATIO).saturating_add(1024));
    let bytes = read_up_to(entry, size.saturating_add(1), reserve)
        .map_err(|e| invalid(path, format!("{entry_name}: corrupt zip entry: {e}")))?;
    if bytes.len() as u64 != size {
        return Err(invalid(path, format!("{entry_name}: corrupt zip entry (size does not match)")));
    }
    npy::parse(bytes).map_err(|e| invalid(path, format!("{key}.npy: {e}")))
}

/// The archive's entry of array `key` (`key.npy`, or `key`), or an error listing what it holds.
fn entry_name(zip: &mut Archive, path: &Path, key: &str) -> Result<String, DataError> {
    let entry_name =
        [format!("{key}.npy"), key.to_string()].into_iter().find(|n| zip.index_for_name(n).is_some());
    let Some(entry_name) = entry_name else {
        let mut keys: Vec<String> =
            zip.file_names().map(|n| printable(n.strip_suffix(".npy").unwrap_or(n))).collect();
        keys.sort_unstable();
        // "and 1 more" would take as much room as the name it hides.
        let listed = if keys.len() == MAX_LISTED + 1 { keys.len() } else { MAX_LISTED };
        let more = keys.len().saturating_sub(listed);
        keys.truncate(listed);
        if more > 0 {
            keys.push(format!("and {more} more"));
        }
        let held = if keys.is_empty() { "nothing".to_string() } else { keys.join(", ") };
        return Err(invalid(
            path,
            format!(
                "no array '{key}' (the archive holds: {held}); expected arrays x (images) and y (labels)"
            ),
        ));
    };
    Ok(entry_name)
}

/// (N, C, H, W, stored channels-last) of an image array shape.
fn image_shape(shape: &[usize]) -> Option<(usize, usize, usize, usize, bool)> {
    match *shape {
        [n, h, w] => Some((n, 1, h, w, false)),
        [n, h, w, c] if c == 1 || c == 3 => Some((n, c, h, w, true)),
        [n, c, h, w] if c == 1 || c == 3 => Some((n, c, h, w, false)),
        _ => None,
    }
}

/// Reorders each image from H×W×C to C×H×W in place, one image at a time.
fn hwc_to_chw(pixels: &mut [u8], channels: usize, plane: usize) {
    if channels * plane == 0 {
        return;
    }
    let mut scratch = vec![0u8; channels * plane];
    for image in pixels.chunks_exact_mut(channels * plane) {
        scratch.copy_from_slice(image);
        for (i, px) in scratch.chunks_exact(channels).enumerate() {
            for (c, &v) in px.iter().enumerate() {
                image[c * plane + i] = v;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(image_shape(&[5, 28, 28]), Some((5, 1, 28, 28, false)));
        assert_eq!(image_shape(&[5, 32, 32, 3]), Some((5, 3, 32, 32, true)));
        assert_eq!(image_shape(&[5, 3, 32, 32]), Some((5, 3, 32, 32, false)));
        assert_eq!(image_shape(&[5, 784]), None);
        assert_eq!(image_shape(&[5, 32, 32, 4]), None);
    }

    #[test]
    fn reorders_channels_last() {
        // One 1×2 image, RGB: pixels (1,2,3) and (4,5,6).
        let mut p = vec![1, 2, 3, 4, 5, 6];
        hwc_to_chw(&mut p, 3, 2);
        assert_eq!(p, vec![1, 4, 2, 5, 3, 6]);
    }
}
