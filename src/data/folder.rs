//! Image folders `root/<class>/**/*.png|jpg|…`: classes are the sorted subfolder names (images in their
//! subfolders belong to them, as in torchvision's `ImageFolder`), and every image is resized to one size
//! (the requested one, or the most common one).

use super::folder_size::{default_size, stretch_note};
use super::read::{is_hidden, sorted_entries};
use super::unreadable;
use super::{invalid, DataError, LabelsOnly, Loaded};
use image::imageops::{resize, FilterType};
use image::{ColorType, ImageDecoder, ImageReader};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// File extensions read as images (compared case-insensitively): torchvision's `ImageFolder` list and GIF.
const EXTENSIONS: [&str; 10] = ["png", "jpg", "jpeg", "bmp", "gif", "webp", "tif", "tiff", "ppm", "pgm"];
/// Largest accepted image (height × width), to refuse absurd sizes before allocating.
const MAX_PIXELS: usize = 1 << 26;
/// Images decoded in parallel at a time.
const BATCH: usize = 256;
const EXPECTED: &str = "expected root/<class>/*.png|jpg|jpeg|bmp|gif|webp|tif|tiff|ppm|pgm";

/// What the header of one image says.
struct Header {
    height: usize,
    width: usize,
    grey: bool,
}

/// True for a visible file with an image extension.
pub(super) fn is_image_file(p: &Path) -> bool {
    !is_hidden(p)
        && p.is_file()
        && p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// A folder that macOS's archiver adds to every zip (`__MACOSX`, holding `._*` resource forks), not data.
fn is_archive_debris(p: &Path) -> bool {
    p.file_name().is_some_and(|n| n == "__MACOSX")
}

/// A visible folder that may hold images (neither hidden nor archive debris).
fn is_listed_dir(p: &Path) -> bool {
    p.is_dir() && !is_hidden(p) && !is_archive_debris(p)
}

/// True when some visible subfolder of `dir` holds an image (in it or below it).
pub(super) fn is_image_folder(dir: &Path) -> bool {
    sorted_entries(dir)
        .is_ok_and(|entries| entries.iter().filter(|p| is_listed_dir(p)).any(|sub| has_image_under(sub, 0)))
}

/// True when `dir` or one of its visible subfolders holds an image; stops at the first.
fn has_image_under(dir: &Path, depth: usize) -> bool {
    sorted_entries(dir).is_ok_and(|entries| {
        entries.iter().any(|f| is_image_file(f))
            || (depth < MAX_DEPTH
                && entries.iter().filter(|p| is_listed_dir(p)).any(|sub| has_image_under(sub, depth + 1)))
    })
}

/// Loads an image folder, resizing every image to `size` (height, width) or the most common size, with
/// `channels` (else 1 where every file is stored grey, 3 otherwise). A file
/// that cannot be read refuses the folder, or with `skip` is left out (and returned in `unreadable`).
pub(super) fn load(
    root: &Path,
    size: Option<(usize, usize)>,
    channels: Option<usize>,
    flat: bool,
    skip: bool,
    decoded_before: Option<&std::sync::Arc<dyn super::DecodedImages>>,
) -> Result<Loaded, DataError> {
    let (class_names, files, skipped) = list(root, flat)?;
    let (stray, skipped): (Vec<PathBuf>, Vec<PathBuf>) = skipped.into_iter().partition(|p| is_image_file(p));
    let mut notes: Vec<String> = stray_note(&stray).into_iter().chain(skipped_note(&skipped)).collect();
    let headers: Vec<Result<Header, DataError>> = files.par_iter().map(|(p, _)| header(p)).collect();
    let (files, headers, mut unreadable) = unreadable::split(files, headers);
    if (!skip || files.is_empty()) && !unreadable.is_empty() {
        return Err(unreadable::error(root, &unreadable));
    }
    let channels: usize = match channels {
        Some(c @ (1 | 3)) => c,
        Some(c) => return Err(invalid(root, format!("images are read with 1 or 3 channels, not {c}"))),
        None => {
            notes.extend(colour_note(root, &files, &headers));
            if headers.iter().all(|h| h.grey) {
                1
            } else {
                3
            }
        }
    };
    let sizes: Vec<(usize, usize)> = headers.iter().map(|h| (h.height, h.width)).collect();
    let (height, width) = match size {
        Some((h, w)) if h == 0 || w == 0 => {
            return Err(invalid(root, format!("image size {h}x{w} has a zero side")))
        }
        Some(hw) => hw,
        None => {
            let (size, note) = default_size(&sizes);
            notes.extend(note);
            size
        }
    };
    notes.extend(stretch_note(&sizes, (height, width), size.is_some(), |i| {
        super::file_below(root, &files[i].0)
    }));
    if height.checked_mul(width).is_none_or(|p| p > MAX_PIXELS) {
        return Err(invalid(
            root,
            format!("image size {height}x{width} is too large (at most {MAX_PIXELS} pixels per image)"),
        ));
    }
    let example_len = channels * height * width;
    let total = files
        .len()
        .checked_mul(example_len)
        .ok_or_else(|| invalid(root, format!("{} images of {height}x{width} are too many", files.len())))?;
    let mut pixels = Vec::new();
    pixels.try_reserve_exact(total).map_err(|_| {
        invalid(root, format!("not enough memory for {} images of {height}x{width}", files.len()))
    })?;
    // Decode in parallel a batch at a time, so only one batch of decoded images is alive at once.
    let mut read = Vec::with_capacity(files.len());
    let shape = [channels, height, width];
    for (batch, batch_headers) in files.chunks(BATCH).zip(headers.chunks(BATCH)) {
        let decoded: Vec<Result<Vec<u8>, DataError>> = batch
            .par_iter()
            .zip(batch_headers)
            .map(|((p, _), h)| match &decoded_before {
                Some(store) => kept_or_decode(store.as_ref(), root, p, h, shape),
                None => decode(p, channels, height, width),
            })
            .collect();
        let (ok, images, bad) = unreadable::split(batch.to_vec(), decoded);
        read.extend(ok);
        unreadable.extend(bad);
        for image in images {
            pixels.extend_from_slice(&image);
        }
    }
    if (!skip || read.is_empty()) && !unreadable.is_empty() {
        return Err(unreadable::error(root, &unreadable));
    }
    notes.extend(unreadable::note(root, &unreadable));
    let (paths, labels) = read.into_iter().unzip();
    Ok(Loaded { channels, height, width, pixels, labels, class_names, paths: Some(paths), notes, unreadable })
}

/// The image of `p` as `store` kept it while the file is unchanged; else decoded, and said to `store`
/// where its source is large enough to be worth keeping.
fn kept_or_decode(
    store: &dyn super::DecodedImages,
    root: &Path,
    p: &Path,
    header: &Header,
    shape: [usize; 3],
) -> Result<Vec<u8>, DataError> {
    let [channels, height, width] = shape;
    let Some(stamp) = super::FileStamp::of(p) else { return decode(p, channels, height, width) };
    let file = super::file_below(root, p);
    if let Some(pixels) = store.get(&file, stamp, shape).filter(|px| px.len() == channels * height * width) {
        return Ok(pixels);
    }
    let pixels = decode(p, channels, height, width)?;
    if header.height * header.width >= super::WORTH_KEEPING * height * width {
        store.decoded(&file, stamp);
    }
    Ok(pixels)
}

/// A folder of grey images with a few colour files is read in colour (as torchvision reads every folder),
/// which triples the input: say which files decided it, so that a stray colour file can be converted.
fn colour_note(root: &Path, files: &[(PathBuf, u32)], headers: &[Header]) -> Option<String> {
    let colour: Vec<&Path> =
        files.iter().zip(headers).filter(|(_, h)| !h.grey).map(|((p, _), _)| p.as_path()).collect();
    (!colour.is_empty() && colour.len() * 2 < files.len()).then(|| {
        let first = colour[0].strip_prefix(root).unwrap_or(colour[0]);
        format!(
            "read in colour (3 channels) because {} of the {} images {} stored in colour, e.g. {}; the others are \
             grey (a file's colour type decides, not its pixels: greyscale ones saved as RGB count as colour)",
            colour.len(),
            files.len(),
            if colour.len() == 1 { "is" } else { "are" },
            first.display()
        )
    })
}

/// The note for images beside the class folders, which have no class (`None` when there are none).
fn stray_note(stray: &[PathBuf]) -> Option<String> {
    let first = stray.first()?;
    Some(format!(
        "skipped {} image(s) outside the class folders (a file at the top level has no class), e.g. {}",
        stray.len(),
        first.display()
    ))
}

/// The note for visible files that are not images, by extension (`None` when there are none).
fn skipped_note(skipped: &[PathBuf]) -> Option<String> {
    if skipped.is_empty() {
        return None;
    }
    let mut by_ext: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for p in skipped {
        let ext =
            p.extension().map_or_else(|| "(no extension)".into(), |e| format!(".{}", e.to_string_lossy()));
        *by_ext.entry(ext).or_default() += 1;
    }
    let mut kinds: Vec<(String, usize)> = by_ext.into_iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let listed: Vec<String> = kinds.iter().take(6).map(|(e, n)| format!("{e} ×{n}")).collect();
    let more = if kinds.len() > 6 { ", …" } else { "" };
    Some(format!(
        "skipped {} file(s) that are not images ({}{more}), e.g. {}",
        skipped.len(),
        listed.join(", "),
        skipped[0].display()
    ))
}

/// The labels, class names and files of an image folder, from its listing alone (no image is opened).
pub(super) fn load_labels(root: &Path, flat: bool) -> Result<LabelsOnly, DataError> {
    let (class_names, files, _) = list(root, flat)?;
    let (paths, labels) = files.into_iter().unzip();
    Ok(LabelsOnly { shape: None, labels, class_names: Some(class_names), paths: Some(paths) })
}

/// Class names, every image file with its class index, and the visible files that are not images.
type ClassFiles = (Vec<String>, Vec<(PathBuf, u32)>, Vec<PathBuf>);

/// The sorted class folders and every image file in them (sorted by name) with its class index.
fn list(root: &Path, flat: bool) -> Result<ClassFiles, DataError> {
    let entries: Vec<PathBuf> =
        sorted_entries(root)?.into_iter().filter(|p| !is_hidden(p) && !is_archive_debris(p)).collect();
    if entries.is_empty() {
        return Err(invalid(root, format!("empty folder ({EXPECTED})")));
    }
    let class_dirs: Vec<&PathBuf> = entries.iter().filter(|p| p.is_dir()).collect();
    if class_dirs.is_empty() {
        return Err(invalid(root, format!("no class folders ({EXPECTED})")));
    }
    let mut names = Vec::with_capacity(class_dirs.len());
    let mut files = Vec::new();
    let mut skipped: Vec<PathBuf> = entries.iter().filter(|p| p.is_file()).cloned().collect();
    for (k, dir) in class_dirs.into_iter().enumerate() {
        let name = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let label = u32::try_from(k).map_err(|_| invalid(root, "too many class folders"))?;
        let mut images = Vec::new();
        images_under(dir, 0, flat, &mut images, &mut skipped)?;
        if images.is_empty() {
            return Err(invalid(
                dir,
                format!("class folder '{name}' holds no images ({})", EXTENSIONS.join(", ")),
            ));
        }
        files.extend(images.into_iter().map(|p| (p, label)));
        names.push(name);
    }
    Ok((names, files, skipped))
}

/// Deepest subfolder of a class folder that is searched for images (a guard against symlink cycles).
const MAX_DEPTH: usize = 32;

/// The images of a class folder and of its visible subfolders, in the order torchvision's `ImageFolder`
/// lists them: a folder's own files (sorted) before its subfolders', subfolders in sorted order.
/// `flat`: the folder's own files only.
fn images_under(
    dir: &Path,
    depth: usize,
    flat: bool,
    out: &mut Vec<PathBuf>,
    skipped: &mut Vec<PathBuf>,
) -> Result<(), DataError> {
    let entries = sorted_entries(dir)?;
    out.extend(entries.iter().filter(|p| is_image_file(p)).cloned());
    skipped.extend(entries.iter().filter(|p| p.is_file() && !is_hidden(p) && !is_image_file(p)).cloned());
    if flat {
        return Ok(());
    }
    for sub in entries.iter().filter(|p| is_listed_dir(p)) {
        if depth + 1 > MAX_DEPTH {
            return Err(invalid(
                sub,
                format!("folders nested more than {MAX_DEPTH} deep (a symlink cycle?)"),
            ));
        }
        images_under(sub, depth + 1, false, out, skipped)?;
    }
    Ok(())
}

/// Decodes one image file at its own size, as the loader reads it (by content, not extension).
pub fn open_image(p: &Path) -> Result<image::DynamicImage, DataError> {
    let bytes = std::fs::read(p).map_err(|e| invalid(p, format!("cannot read image: {e}")))?;
    if let Some(why) = super::truncated::truncated_jpeg(&bytes) {
        return Err(invalid(p, format!("cannot decode image: {why}")));
    }
    ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| invalid(p, format!("cannot read image: {e}")))?
        .decode()
        .map_err(|e| invalid(p, format!("cannot decode image: {e}")))
}

/// Reads one image file as the loader reads it into a dataset of channels×height×width (resized,
/// C×H×W): the example it would be now.
pub fn read_example(p: &Path, channels: usize, height: usize, width: usize) -> Result<Vec<u8>, DataError> {
    decode(p, channels, height, width)
}

/// Opens an image, trusting its content over its extension.
fn reader(p: &Path) -> Result<ImageReader<std::io::BufReader<std::fs::File>>, DataError> {
    ImageReader::open(p)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| invalid(p, format!("cannot read image: {e}")))
}

/// Reads the size and colour type of an image without decoding its pixels.
fn header(p: &Path) -> Result<Header, DataError> {
    if std::fs::metadata(p).is_ok_and(|m| m.len() == 0) {
        return Err(invalid(p, "cannot read image: the file is empty (0 bytes)"));
    }
    let decoder = reader(p)?.into_decoder().map_err(|e| invalid(p, format!("cannot decode image: {e}")))?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(invalid(p, format!("cannot decode image: it is {w}x{h} pixels")));
    }
    let grey =
        matches!(decoder.color_type(), ColorType::L8 | ColorType::La8 | ColorType::L16 | ColorType::La16);
    Ok(Header { height: h as usize, width: w as usize, grey })
}

/// Decodes `p` and resizes it to height×width, returned C×H×W.
fn decode(p: &Path, channels: usize, height: usize, width: usize) -> Result<Vec<u8>, DataError> {
    let img = open_image(p)?;
    if img.width() == 0 || img.height() == 0 {
        return Err(invalid(p, "cannot decode image: it has no pixels"));
    }
    // The caller capped height × width at MAX_PIXELS, so both fit u32.
    let (w, h) = (width as u32, height as u32);
    if channels == 1 {
        let mut grey = img.into_luma8();
        if grey.dimensions() != (w, h) {
            grey = resize(&grey, w, h, FilterType::Triangle);
        }
        return Ok(grey.into_raw());
    }
    let mut rgb = img.into_rgb8();
    if rgb.dimensions() != (w, h) {
        rgb = resize(&rgb, w, h, FilterType::Triangle);
    }
    let plane = height * width;
    let mut out = vec![0u8; 3 * plane];
    for (i, px) in rgb.as_raw().chunks_exact(3).enumerate() {
        for (c, &v) in px.iter().enumerate() {
            out[c * plane + i] = v;
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn image_extensions_are_case_insensitive() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.PNG", "b.Jpeg", "c.txt", ".d.png"] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let found: Vec<bool> = ["a.PNG", "b.Jpeg", "c.txt", ".d.png"]
            .iter()
            .map(|n| is_image_file(&dir.path().join(n)))
            .collect();
        assert_eq!(found, [true, true, false, false]);
    }
}
