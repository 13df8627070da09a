//! A dataset opened together with its workspace: the one place that checks they belong together and
//! re-applies the workspace's injected corruption, so every command sees the same examples.

use crate::data::{self, Corruption, Dataset, LoadOptions};
use crate::store::{DatasetInfo, InjectedRow, Workspace, CORRUPTION_KEY};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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
    fn is_none(&self) -> bool {
        self.label_noise == 0.0 && self.ood == 0.0
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
}

/// The default workspace of a dataset: `<dataset name>.cscore` in the current directory.
pub fn default_workspace_path(ds: &Dataset) -> PathBuf {
    PathBuf::from(format!("{}.cscore", ds.name))
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
        let place = |ds: &Dataset| workspace.map_or_else(|| default_workspace_path(ds), Path::to_path_buf);
        Project::open_at(data, load, &place, requested)
    }

    /// As [`Project::open`], with the workspace path chosen from the loaded dataset by `place`.
    pub fn open_at(
        data: &Path,
        load: &LoadOptions,
        place: &dyn Fn(&Dataset) -> PathBuf,
        requested: Option<CorruptionSettings>,
    ) -> Result<Project> {
        let mut dataset = data::load(data, load)?;
        let ws_path = place(&dataset);
        let ws = Workspace::open_or_create(&ws_path, &dataset_info(&dataset))?;
        let stored: Option<CorruptionSettings> = match ws.config(CORRUPTION_KEY)? {
            Some(json) => Some(serde_json::from_str(&json).map_err(|e| {
                Error::Config(format!("{}: unreadable corruption settings: {e}", ws_path.display()))
            })?),
            None => None,
        };
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
            let c = Corruption { label_noise: s.label_noise, ood: s.ood, seed: s.noise_seed };
            injected = data::inject(&mut dataset, &c)?
                .into_iter()
                .map(|i| InjectedRow {
                    example: i.index,
                    kind: i.kind.name().to_string(),
                    original_label: i.original_label,
                })
                .collect();
            if stored.is_none() {
                ws.set_injected(&injected)?;
                let json = serde_json::to_string(&s).map_err(|e| Error::Config(e.to_string()))?;
                ws.set_config(CORRUPTION_KEY, &json)?;
            }
        }
        Ok(Project { dataset, workspace: ws, injected })
    }
}

/// Peak resident memory of this process (Linux `VmHWM`), if known.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
