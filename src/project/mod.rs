//! A dataset opened together with its workspace: the one place that checks they belong together and
//! re-applies the workspace's injected corruption, so every command sees the same examples.

use crate::data::{self, Corruption, Dataset, Format, Injection, LoadOptions};
use crate::store::{DatasetInfo, InjectedRow, StoreError, Workspace, CORRUPTION_KEY};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

mod changed;
mod differences;
mod image_cache;
use changed::{adopt_class_names, reopen_as_then};
use differences::name_changed_files;

/// Injected corruption as recorded in a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CorruptionSettings {
    /// Fraction of labels flipped to another class.
    pub label_noise: f64,
    /// Fraction of images replaced by out-of-distribution images.
    pub ood: f64,
    /// Seed of the choice of examples and replacements.
    pub noise_seed: u64,
}

impl CorruptionSettings {
    /// Whether it corrupts nothing.
    pub fn is_none(&self) -> bool {
        self.label_noise == 0.0 && self.ood == 0.0
    }

    fn corruption(&self) -> Corruption {
        Corruption { label_noise: self.label_noise, ood: self.ood, seed: self.noise_seed }
    }
}

/// A loaded dataset (with any injected corruption applied) and its open workspace.
pub struct Project {
    /// The examples as the estimator sees them.
    pub dataset: Dataset,
    /// The workspace holding runs, scores and tags.
    pub workspace: Workspace,
    /// Ground truth of injected corruption (empty when none).
    pub injected: Vec<InjectedRow>,
    /// Whether opening made the workspace file (it did not exist before).
    pub created: bool,
    /// What opening changed in the workspace (renamed classes), for the command to say.
    pub notes: Vec<String>,
}

/// The default workspace of a dataset named `name`: `<name>.cscore` in the current directory.
pub fn default_workspace_path(name: &str) -> PathBuf {
    PathBuf::from(format!("{name}.cscore"))
}

/// What the workspace records about a dataset.
pub fn dataset_info(ds: &Dataset) -> DatasetInfo {
    let source = std::fs::canonicalize(&ds.source).unwrap_or_else(|_| ds.source.clone());
    DatasetInfo {
        name: ds.name.clone(),
        source: source.display().to_string(),
        format: ds.format.name().to_string(),
        content_hash: ds.content_hash.clone(),
        num_examples: ds.len(),
        num_classes: ds.num_classes(),
        channels: ds.channels,
        height: ds.height,
        width: ds.width,
        class_names: ds.class_names.clone(),
    }
}

impl Project {
    /// Loads `data`, opens (or creates) its workspace, and applies the corruption the workspace records
    /// or, for a new workspace, the requested one.
    pub fn open(
        data: &Path,
        load: &LoadOptions,
        workspace: Option<&Path>,
        requested: Option<CorruptionSettings>,
    ) -> Result<Project> {
        let place = |name: &str| workspace.map_or_else(|| default_workspace_path(name), Path::to_path_buf);
        Project::open_at(data, load, &place, requested)
    }

    /// As [`Project::open`], with the workspace path chosen from the dataset's name by `place`.
    pub fn open_at(
        data: &Path,
        load: &LoadOptions,
        place: &dyn Fn(&str) -> PathBuf,
        requested: Option<CorruptionSettings>,
    ) -> Result<Project> {
        let ws_path = place(&data::dataset_name_of(data, load)?);
        // A workspace made with --skip-unreadable reads its folder so again without the flag.
        let skip_unreadable = load.skip_unreadable || records_unreadable(&ws_path);
        // An image folder's large images as the workspace kept them decoded, where the files are unchanged.
        let kept = image_cache::WorkspaceImages::at(&ws_path);
        let decoded =
            load.decoded.clone().or_else(|| Some(kept.clone() as std::sync::Arc<dyn data::DecodedImages>));
        let load = &LoadOptions { skip_unreadable, decoded, ..load.clone() };
        let mut dataset = data::load(data, load)?;
        let created = std::fs::symlink_metadata(&ws_path).is_err();
        let ws = match Workspace::open_or_create(&ws_path, &dataset_info(&dataset)) {
            Err(e @ StoreError::DatasetMismatch { .. }) if dataset.format == Format::Folder => {
                match reopen_as_then(data, load, &ws_path, &dataset) {
                    Ok((ws, then)) => {
                        dataset = then;
                        ws
                    }
                    Err(closest) => {
                        return Err(
                            name_changed_files(e, &ws_path, closest.as_deref().unwrap_or(&dataset)).into()
                        )
                    }
                }
            }
            Err(e @ StoreError::DatasetMismatch { .. }) => {
                return Err(name_changed_files(e, &ws_path, &dataset).into())
            }
            other => other?,
        };
        let notes: Vec<String> = adopt_class_names(&ws, &dataset)?.into_iter().collect();
        record_example_hashes(&ws, &dataset);
        kept.keep(&ws, &dataset);
        if created && !dataset.unreadable.is_empty() {
            ws.set_unreadable_files(&unreadable_below(&dataset))?;
        }
        // Refused after making a new workspace (corruption that cannot be injected): leave no file behind.
        let injected = (|| -> Result<Vec<InjectedRow>> {
            let stored = stored_corruption(&ws)?;
            let requested = requested.filter(|c| !c.is_none());
            let settings = match (stored, requested) {
                (Some(s), Some(r)) if s != r => {
                    return Err(Error::Config(format!(
                    "{}: this workspace was made with --inject-label-noise {} --inject-ood {} --noise-seed {}; \
                         pass the same values (or none) or use another -w path",
                    ws_path.display(),
                    s.label_noise,
                    s.ood,
                    s.noise_seed
                )))
                }
                (Some(s), _) => Some(s),
                (None, Some(r)) => {
                    let counts = ws.run_counts()?;
                    if counts.done + counts.failed > 0 {
                        return Err(Error::Config(format!(
                            "{}: this workspace already holds runs on the clean dataset; \
                             inject corruption into a new workspace (-w other.cscore)",
                            ws_path.display()
                        )));
                    }
                    Some(r)
                }
                (None, None) => None,
            };
            let mut injected = Vec::new();
            if let Some(s) = settings {
                injected = injected_rows(data::inject(&mut dataset, &s.corruption())?);
                if stored.is_none() {
                    ws.set_injected(&injected)?;
                    let json = serde_json::to_string(&s).map_err(|e| Error::Config(e.to_string()))?;
                    ws.set_config(CORRUPTION_KEY, &json)?;
                }
            }
            Ok(injected)
        })();
        match injected {
            Ok(injected) => {
                record_examples(&ws, &dataset);
                Ok(Project { dataset, workspace: ws, injected, created, notes })
            }
            Err(e) => {
                if created {
                    drop(ws);
                    crate::store::remove_workspace_files(&ws_path);
                }
                Err(e)
            }
        }
    }
}

impl Project {
    /// Removes the workspace this project made, for a command refused before it stored anything (a
    /// workspace that existed before is kept).
    pub fn discard_if_new(self) {
        if self.created {
            let path = self.workspace.path().to_path_buf();
            drop(self);
            crate::store::remove_workspace_files(&path);
        }
    }
}

/// What the workspace records of each injection.
fn injected_rows(injections: Vec<Injection>) -> Vec<InjectedRow> {
    injections
        .into_iter()
        .map(|i| InjectedRow {
            example: i.index,
            kind: i.kind.name().to_string(),
            original_label: i.original_label,
        })
        .collect()
}

/// Records the examples' labels (as estimated) and files in a workspace that lacks the record, so that
/// its tags and scores can be exported with them after the dataset changes. Best effort: a workspace
/// opened read-only goes without.
fn record_examples(ws: &Workspace, ds: &Dataset) {
    let paths =
        ds.paths.as_ref().map(|p| p.iter().map(|p| data::file_below(&ds.source, p)).collect::<Vec<_>>());
    let recorded = ws.has_example_record().and_then(|has| match has {
        true => Ok(()),
        false => ws.record_examples(&ds.labels, paths.as_deref()),
    });
    if let Err(e) = recorded {
        tracing::debug!(path = %ws.path().display(), "no example record written: {e}");
    }
}

/// Records each example's pixel hash (before any injected corruption) in a workspace that lacks them, so
/// that a later change to the dataset can be named example by example. Best effort, as the record.
fn record_example_hashes(ws: &Workspace, ds: &Dataset) {
    let recorded = ws.has_example_hashes().and_then(|has| match has || !ds.has_pixels() {
        true => Ok(()),
        false => ws.record_example_hashes(&ds.example_hashes()),
    });
    if let Err(e) = recorded {
        tracing::debug!(path = %ws.path().display(), "no example hashes written: {e}");
    }
}

/// Whether the workspace at `path` exists and records files left out as unreadable.
fn records_unreadable(path: &Path) -> bool {
    path.is_file() && Workspace::open(path).and_then(|ws| ws.unreadable_files()).is_ok_and(|f| f.is_some())
}

/// The dataset's unreadable files as the workspace records them: below the folder, `/`-separated.
fn unreadable_below(ds: &Dataset) -> Vec<String> {
    ds.unreadable.iter().map(|(p, _)| data::file_below(&ds.source, p)).collect()
}

/// The corruption a workspace records, if any.
fn stored_corruption(ws: &Workspace) -> Result<Option<CorruptionSettings>> {
    let Some(json) = ws.config(CORRUPTION_KEY)? else { return Ok(None) };
    serde_json::from_str(&json)
        .map(Some)
        .map_err(|e| Error::Config(format!("{}: unreadable corruption settings: {e}", ws.path().display())))
}

/// A workspace's project whose dataset holds its labels (with the workspace's injected label flips)
/// but no pixels yet, and what loads the rest: the explorer shows its ranked list at once and its
/// images when [`PendingPixels::load`] returns (at a million examples, reading the pixels takes seconds).
pub struct LabelsFirst {
    /// The project; `dataset.pixels` is empty and `dataset.content_hash` the workspace's, not checked yet.
    pub project: Project,
    /// Loading and checking the whole dataset.
    pub pixels: PendingPixels,
}

/// Reads and hashes the whole dataset of a [`LabelsFirst`] project, checks it against the workspace
/// and applies the workspace's corruption, as [`Project::open`] does. (Its labels are the project's unless
/// the files changed meanwhile: the explorer compares them before it takes the pixels.)
pub struct PendingPixels {
    source: PathBuf,
    load: LoadOptions,
    workspace: PathBuf,
}

impl PendingPixels {
    /// The whole dataset, as [`Project::open`] would have loaded it; an error when it does not belong
    /// to the workspace.
    pub fn load(self) -> Result<Dataset> {
        Ok(Project::open(&self.source, &self.load, Some(&self.workspace), None)?.dataset)
    }
}

impl Project {
    /// Opens `workspace`'s dataset at `source` labels first ([`LabelsFirst`]); `None` when the format
    /// keeps its labels among the pixels, or when the labels or shape read do not match the workspace
    /// ([`Project::open`] then says what differs).
    pub fn open_labels_first(
        source: &Path,
        load: &LoadOptions,
        workspace: Workspace,
    ) -> Result<Option<LabelsFirst>> {
        let info = workspace.dataset_info()?;
        let Ok(Some(mut read)) = data::load_labels(source, load) else { return Ok(None) };
        if let (Some(left_out), Some(paths)) = (workspace.unreadable_files()?, read.paths.as_ref()) {
            let left_out: std::collections::HashSet<String> = left_out.into_iter().collect();
            let (paths, labels) = paths
                .iter()
                .cloned()
                .zip(read.labels)
                .filter(|(p, _)| !left_out.contains(&data::file_below(source, p)))
                .unzip();
            (read.paths, read.labels) = (Some(paths), labels);
        }
        let k = info.num_classes;
        let shape = (info.channels, info.height, info.width);
        if read.labels.len() != info.num_examples
            || read.shape.is_some_and(|s| s != shape)
            || read.class_names.as_ref().is_some_and(|names| *names != info.class_names)
            || info.class_names.len() != k
            || read.labels.iter().any(|&y| y as usize >= k)
        {
            return Ok(None);
        }
        let mut labels = read.labels;
        let mut injected = Vec::new();
        if let Some(s) = stored_corruption(&workspace)? {
            injected = injected_rows(data::inject_labels(&mut labels, k, source, &s.corruption())?);
        }
        let dataset = Dataset {
            name: info.name,
            source: source.to_path_buf(),
            format: Format::from_name(&info.format).unwrap_or(Format::Idx),
            channels: info.channels,
            height: info.height,
            width: info.width,
            pixels: Vec::new(),
            labels,
            class_names: info.class_names,
            paths: read.paths,
            content_hash: info.content_hash,
            notes: Vec::new(),
            unreadable: Vec::new(),
        };
        let pixels = PendingPixels {
            source: source.to_path_buf(),
            load: load.clone(),
            workspace: workspace.path().to_path_buf(),
        };
        Ok(Some(LabelsFirst {
            project: Project { dataset, workspace, injected, created: false, notes: Vec::new() },
            pixels,
        }))
    }
}

/// Peak resident memory of this process (Linux `VmHWM`), if known.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
