//! Opening a workspace together with the dataset it was estimated on, as the estimator saw it.

use std::path::{Path, PathBuf};

use super::ExportError;
use crate::data::{Dataset, Format, LoadOptions};
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

/// [`open_project`], or, when the dataset cannot be opened as the workspace's (changed, moved, gone) and
/// the workspace records its examples, a project from that record: labels and files, no pixels. The
/// second value then says why the dataset was not used, for a warning.
pub fn open_project_or_record(
    ws_path: &Path,
    data: Option<&Path>,
) -> Result<(Project, Option<String>), ExportError> {
    match open_project(ws_path, data) {
        Ok(project) => Ok((project, None)),
        Err(why) => match project_from_record(ws_path, data) {
            Ok(Some(project)) => Ok((project, Some(fallback_reason(&why)))),
            _ => Err(why),
        },
    }
}

/// Why the record stands in for the dataset: the error, less a changed dataset's advice to export the
/// tags (which the command falling back is doing).
fn fallback_reason(why: &ExportError) -> String {
    match why {
        ExportError::Cscore(e) => match e.as_ref() {
            crate::Error::Store(crate::store::StoreError::DatasetMismatch { path, mismatch }) => {
                format!("{}: {mismatch}", path.display())
            }
            _ => why.to_string(),
        },
        _ => why.to_string(),
    }
}

/// The workspace's project from its record of its examples (labels and files, no pixels; `None`
/// without one): what a workspace still shows when its dataset has changed or gone.
pub fn project_from_record(ws_path: &Path, data: Option<&Path>) -> Result<Option<Project>, ExportError> {
    let workspace = Workspace::open(ws_path)?;
    let Some(record) = workspace.example_record()? else { return Ok(None) };
    let info = workspace.dataset_info()?;
    let root = data.map_or_else(|| PathBuf::from(&info.source), Path::to_path_buf);
    let dataset = Dataset {
        name: info.name,
        format: Format::from_name(&info.format).unwrap_or(Format::Idx),
        channels: info.channels,
        height: info.height,
        width: info.width,
        pixels: Vec::new(),
        labels: record.labels,
        class_names: info.class_names,
        paths: record.paths.map(|p| p.iter().map(|p| root.join(p)).collect()),
        source: root,
        content_hash: info.content_hash,
        notes: Vec::new(),
        unreadable: Vec::new(),
    };
    let injected = workspace.injected()?;
    Ok(Some(Project { dataset, workspace, injected, created: false, notes: Vec::new() }))
}
