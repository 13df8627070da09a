//! A dataset that differs from the one its workspace was made from: read as an earlier cscore read it,
//! or with its classes renamed.

use super::dataset_info;
use crate::data::{self, Dataset, LoadOptions};
use crate::store::{StoreError, Workspace};
use std::path::Path;

/// A workspace made by an earlier cscore holds an image folder as it was read then: at the size it
/// recorded (before large images were resized by default, they were read whole) and, before cscore read
/// the subfolders of class folders, from the class folders' own images. Reads the folder so, where the
/// user did not ask otherwise, until the workspace takes it; `None` when no reading does.
pub(super) fn reopen_as_then(
    data: &Path,
    load: &LoadOptions,
    ws_path: &Path,
) -> Option<(Workspace, Dataset)> {
    let recorded = Workspace::open(ws_path).and_then(|w| w.dataset_info()).ok()?;
    let sizes = match load.image_size {
        Some(_) => vec![load.image_size],
        None => vec![None, Some((recorded.height, recorded.width))],
    };
    let flats = if load.flat_folders { vec![true] } else { vec![false, true] };
    for flat in flats {
        for &image_size in &sizes {
            if image_size == load.image_size && flat == load.flat_folders {
                continue; // the reading that failed
            }
            let then = LoadOptions { image_size, flat_folders: flat, ..load.clone() };
            let Ok(dataset) = data::load(data, &then) else { continue };
            if let Ok(ws) = Workspace::open_or_create(ws_path, &dataset_info(&dataset)) {
                tracing::info!(path = %ws_path.display(), ?image_size, flat, "the folder read as the workspace's cscore read it");
                return Some((ws, dataset));
            }
        }
    }
    None
}

/// Where `ds` is the workspace's dataset with other class names (class folders renamed, the images
/// and labels the same), gives the workspace the new names, so its exports and the folder agree, and
/// says so; `None` when the names are the same.
pub(super) fn adopt_class_names(ws: &Workspace, ds: &Dataset) -> Result<Option<String>, StoreError> {
    let then = ws.dataset_info()?.class_names;
    if then == ds.class_names || then.len() != ds.class_names.len() {
        return Ok(None);
    }
    let renamed: Vec<String> =
        then.iter().zip(&ds.class_names).filter(|(a, b)| a != b).map(|(a, b)| format!("{a} → {b}")).collect();
    let what = if ds.format == crate::data::Format::Folder { "class folders" } else { "classes" };
    let list = renamed.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    let more = if renamed.len() > 5 { format!(" and {} more", renamed.len() - 5) } else { String::new() };
    let paths =
        ds.paths.as_ref().map(|p| p.iter().map(|p| data::file_below(&ds.source, p)).collect::<Vec<_>>());
    // The files left out as unreadable are below their class folders too.
    let moved = |file: &str| {
        let (class, rest) = file.split_once('/')?;
        let k = then.iter().position(|c| c == class)?;
        Some(format!("{}/{rest}", ds.class_names[k]))
    };
    let renamed_unreadable = ws
        .unreadable_files()?
        .map(|files| files.iter().map(|f| moved(f).unwrap_or_else(|| f.clone())).collect::<Vec<_>>());
    let renamed = ws.transaction(|ws| {
        ws.rename_classes(&ds.class_names, paths.as_deref())?;
        match &renamed_unreadable {
            Some(files) => ws.set_unreadable_files(files),
            None => Ok(()),
        }
    });
    Ok(Some(match renamed {
        Ok(()) => format!(
            "{what} renamed since the workspace was made ({list}{more}); the images and labels are the \
             same, and the workspace now uses the new names"
        ),
        Err(StoreError::ReadOnly { .. }) => format!(
            "{what} renamed since the workspace was made ({list}{more}); the workspace is read-only and \
             keeps the old names"
        ),
        Err(e) => return Err(e),
    }))
}
