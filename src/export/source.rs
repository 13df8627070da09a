//! Opening a workspace together with the dataset it was estimated on, as the estimator saw it.

use std::path::{Path, PathBuf};

use super::ExportError;
use crate::data::{Format, LoadOptions};
use crate::project::Project;
use crate::store::Workspace;

/// Opens the existing workspace `ws_path` and loads its dataset from where the workspace says it came
/// from (or from `data` when it has moved), re-applying injected corruption so the examples equal those
/// that were estimated. A different dataset is refused by its content hash.
pub fn open_project(ws_path: &Path, data: Option<&Path>) -> Result<Project, ExportError> {
    let info = Workspace::open(ws_path)?.dataset_info()?;
    let source = data.map_or_else(|| PathBuf::from(&info.source), Path::to_path_buf);
    let format = Format::from_name(&info.format);
    // Image folders were resized to the size the workspace records; other formats have a fixed size.
    let image_size = (format == Some(Format::Folder)).then_some((info.height, info.width));
    let load = LoadOptions { format, image_size, ..LoadOptions::default() };
    Project::open(&source, &load, Some(ws_path), None).map_err(|e| match e {
        crate::Error::Data(d) if data.is_none() => ExportError::Usage(format!(
            "{}: cannot load the workspace's dataset ({d}); pass --data PATH if it has moved",
            ws_path.display()
        )),
        other => other.into(),
    })
}

/// The labels of the workspace's dataset before any injected label noise (as published score files carry
/// them), loading the dataset as [`open_project`] does.
pub fn original_labels(ws_path: &Path, data: Option<&Path>) -> Result<Vec<u32>, ExportError> {
    let project = open_project(ws_path, data)?;
    let mut labels = project.dataset.labels;
    for row in &project.injected {
        if let Some(label) = labels.get_mut(row.example) {
            *label = row.original_label;
        }
    }
    Ok(labels)
}
