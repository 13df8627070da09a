//! A dataset that differs from the one its workspace was made from: read as an earlier cscore read it,
//! or with its classes renamed.

use super::dataset_info;
use crate::data::{self, Dataset, LoadOptions};
use crate::store::{StoreError, Workspace};
use std::path::Path;

/// A workspace made by an earlier cscore holds an image folder as it was read then: at the size it
/// recorded (before large images were resized by default, they were read whole) and, before cscore read
/// the subfolders of class folders, from the class folders' own images. A workspace of grey images whose
/// folder gained a file stored in colour (a grey PNG saved as palette or RGB) is read in grey. Reads the
/// folder so, where the user did not ask otherwise and `first` (the reading that failed) differs, until
/// the workspace takes it; else `Err` with the reading at the workspace's shape, if one was made, by
/// which the refusal names the files that changed.
pub(super) fn reopen_as_then(
    data: &Path,
    load: &LoadOptions,
    ws_path: &Path,
    first: &Dataset,
) -> Result<(Workspace, Dataset), Option<Box<Dataset>>> {
    let Ok(recorded) = Workspace::open(ws_path).and_then(|w| w.dataset_info()) else { return Err(None) };
    let then_size = (recorded.height, recorded.width);
    let sizes = match load.image_size {
        Some(_) => vec![load.image_size],
        None if then_size != (first.height, first.width) => vec![None, Some(then_size)],
        None => vec![None],
    };
    let channels = match load.channels {
        Some(_) => vec![load.channels],
        None if recorded.channels != first.channels => vec![None, Some(recorded.channels)],
        None => vec![None],
    };
    let flats = if load.flat_folders { vec![true] } else { vec![false, true] };
    let mut closest = None;
    for flat in flats {
        for &image_size in &sizes {
            for &chans in &channels {
                if (image_size, chans, flat) == (load.image_size, load.channels, load.flat_folders) {
                    continue; // the reading that failed
                }
                let then = LoadOptions { image_size, channels: chans, flat_folders: flat, ..load.clone() };
                let Ok(dataset) = data::load(data, &then) else { continue };
                if let Ok(ws) = Workspace::open_or_create(ws_path, &dataset_info(&dataset)) {
                    tracing::info!(path = %ws_path.display(), ?image_size, ?chans, flat, "the folder read as the workspace's cscore read it");
                    return Ok((ws, dataset));
                }
                let shape = (dataset.channels, dataset.height, dataset.width);
                if flat == load.flat_folders && shape == (recorded.channels, recorded.height, recorded.width)
                {
                    closest = Some(Box::new(dataset));
                }
            }
        }
    }
    Err(closest)
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
            "{what} renamed since the workspace last read them ({list}{more}); the images and labels are the \
             same, and the workspace now uses the new names"
        ),
        Err(StoreError::ReadOnly { .. }) => format!(
            "{what} renamed since the workspace last read them ({list}{more}); the workspace is read-only and \
             keeps the old names"
        ),
        Err(e) => return Err(e),
    }))
}
