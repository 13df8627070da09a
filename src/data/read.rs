//! Small file helpers shared by the format readers.

use super::{invalid, DataError};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Deflate cannot expand data by more than about 1032:1, so a decompressed size above this is a lie.
pub(crate) const MAX_DEFLATE_RATIO: u64 = 1032;

/// Up-front buffer reservation for compressed data is capped at this multiple of the file size; the
/// buffer still grows past it if the data really is that compressible.
pub(crate) const RESERVE_RATIO: u64 = 64;

/// Opens `path` for reading, with its length in bytes.
pub(crate) fn open(path: &Path) -> Result<(File, u64), DataError> {
    let file = File::open(path).map_err(|e| invalid(path, format!("cannot read: {e}")))?;
    let len = file.metadata().map_err(|e| invalid(path, format!("cannot read: {e}")))?.len();
    Ok((file, len))
}

/// Reads at most `limit` bytes, reserving no more than `capacity_cap` up front.
pub(crate) fn read_up_to<R: Read>(r: R, limit: u64, capacity_cap: u64) -> std::io::Result<Vec<u8>> {
    let cap = usize::try_from(limit.min(capacity_cap)).unwrap_or(0);
    let mut buf = Vec::with_capacity(cap);
    r.take(limit).read_to_end(&mut buf)?;
    Ok(buf)
}

/// True for names starting with a dot (hidden on Unix, and macOS `._*` resource forks).
pub(crate) fn is_hidden(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// The sorted entries of a directory.
pub(crate) fn sorted_entries(dir: &Path) -> Result<Vec<std::path::PathBuf>, DataError> {
    let rd = std::fs::read_dir(dir).map_err(|e| invalid(dir, format!("cannot list: {e}")))?;
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| invalid(dir, format!("cannot list: {e}")))?;
        out.push(entry.path());
    }
    out.sort();
    Ok(out)
}

/// Formats a byte count for messages.
pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}
