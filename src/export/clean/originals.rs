//! Image folder to image folder: the kept examples' own files are copied (original size, format and
//! name), not re-encoded at the training size. A relabeled example goes to its new class's folder under
//! `from_<old class>/`, so it never takes the name of a file already there and its origin stays visible.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::folder::class_folders;
use super::{Action, ManifestRow};
use crate::data::{load_labels, Dataset, Format, LoadOptions};
use crate::export::ExportError;

/// Copies the kept examples' files into class folders under `dir`, and sets each row's `new_index` to the
/// position `cscore` (and torchvision's `ImageFolder`) lists the copy at. Gives each row's written path,
/// relative to `dir` (`None` when dropped).
pub(super) fn copy_originals(
    ds: &Dataset,
    paths: &[PathBuf],
    rows: &mut [ManifestRow],
    dir: &Path,
) -> Result<Vec<Option<PathBuf>>, ExportError> {
    let folders = class_folders(&ds.class_names);
    let mut written: Vec<Option<PathBuf>> = vec![None; rows.len()];
    let mut taken = HashSet::new();
    for row in rows.iter().filter(|r| r.action != Action::Dropped) {
        let i = row.original_index;
        let from =
            paths.get(i).ok_or_else(|| ExportError::Usage(format!("example {i} has no source file")))?;
        let folder = |label: u32| {
            folders
                .get(label as usize)
                .ok_or_else(|| ExportError::Usage(format!("label {label} of example {i} has no class name")))
        };
        let old_class = ds.class_names.get(row.original_label as usize).cloned().unwrap_or_default();
        // Where the file sat under its class folder (subfolders kept); its name alone if the dataset moved.
        let within = from
            .strip_prefix(ds.source.join(&old_class))
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| PathBuf::from(from.file_name().unwrap_or_default()));
        let mut rel = PathBuf::from(folder(row.label)?);
        if row.action == Action::Relabeled {
            rel.push(format!("from_{}", folder(row.original_label)?));
        }
        rel.push(&within);
        if !taken.insert(rel.clone()) {
            // Two files can only meet here through an odd class layout; the index keeps them apart.
            let stem = rel.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let ext = rel.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
            rel.set_file_name(format!("{stem}_{i}{ext}"));
            taken.insert(rel.clone());
        }
        let to = dir.join(&rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ExportError::io(parent, e))?;
        }
        std::fs::copy(from, &to).map_err(|e| ExportError::io(from, e))?;
        std::fs::File::open(&to).and_then(|f| f.sync_all()).map_err(|e| ExportError::io(&to, e))?;
        written[i] = Some(rel);
    }
    // The written folder read back as cscore reads it: that order is the new index.
    let opts = LoadOptions { format: Some(Format::Folder), ..LoadOptions::default() };
    let listed = load_labels(dir, &opts)
        .map_err(|e| ExportError::Usage(format!("reading back the written folder: {e}")))?
        .and_then(|l| l.paths)
        .unwrap_or_default();
    let position: HashMap<PathBuf, usize> = listed.into_iter().enumerate().map(|(k, p)| (p, k)).collect();
    for row in rows.iter_mut() {
        row.new_index =
            written[row.original_index].as_ref().and_then(|rel| position.get(&dir.join(rel)).copied());
        if row.action != Action::Dropped && row.new_index.is_none() {
            return Err(ExportError::Usage(format!(
                "example {}: its copy is not read back as an image (a hidden file name?)",
                row.original_index
            )));
        }
    }
    Ok(written)
}
