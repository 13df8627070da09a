//! Cleaned datasets: the examples as estimated, without those whose tag is dropped and with relabels
//! applied, written as IDX, `.npz` or an image folder, plus `manifest.csv` saying what became of each.

mod folder;
mod formats;
mod originals;

use std::path::{Path, PathBuf};

use super::csv::write_csv;
use super::table::{Cells, Table};
use super::{AtomicDir, ExportError};
use crate::data::Dataset;
use crate::store::TagRow;

/// The layout a cleaned dataset is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `train-images-idx3-ubyte` and `train-labels-idx1-ubyte` (grey images, < 256 classes), optionally gzip.
    Idx {
        /// Write `.gz` files.
        gzip: bool,
    },
    /// `data.npz` with `x` (N,H,W) or (N,H,W,C) uint8, `y` int64 and `original_index` int64.
    Npz,
    /// `root/<class>/<new index>.png`.
    Folder,
}

/// What to drop and change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanOptions {
    /// Examples with any of these tags are left out.
    pub drop_tags: Vec<String>,
    /// Give examples with a relabel that label.
    pub apply_relabels: bool,
    /// How to write the result.
    pub layout: Layout,
    /// With [`Layout::Folder`] and a dataset read from files (an image folder): copy each kept example's
    /// own file (original size, format and name) instead of writing the image as estimated. Leave it off
    /// where the estimated images differ from the files (injected out-of-distribution images).
    pub copy_originals: bool,
}

/// What became of an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Written unchanged.
    Kept,
    /// Written with its relabel.
    Relabeled,
    /// Left out.
    Dropped,
}

impl Action {
    /// The name written in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Action::Kept => "kept",
            Action::Relabeled => "relabeled",
            Action::Dropped => "dropped",
        }
    }
}

/// One line of `manifest.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestRow {
    /// Index in the written dataset, as `cscore` loads it (`None` when dropped).
    pub new_index: Option<usize>,
    /// Index in the estimated dataset.
    pub original_index: usize,
    /// Label in the estimated dataset.
    pub original_label: u32,
    /// Label written.
    pub label: u32,
    /// What was done.
    pub action: Action,
    /// Its tag, if any.
    pub tag: Option<String>,
}

/// What [`write_clean`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanReport {
    /// Examples written.
    pub kept: usize,
    /// Examples written with a new label.
    pub relabeled: usize,
    /// Examples left out.
    pub dropped: usize,
    /// The manifest file.
    pub manifest: PathBuf,
    /// What to give `cscore` (or `cscore::data::load`) to read the written dataset.
    pub dataset: PathBuf,
}

/// Decides every example's fate; rows are in original order. New indices follow the order in which
/// `cscore` reads the layout back (image folders group examples by class).
pub fn plan_clean(ds: &Dataset, tags: &[TagRow], opts: &CleanOptions) -> Vec<ManifestRow> {
    let mut rows: Vec<ManifestRow> = (0..ds.len())
        .map(|i| ManifestRow {
            new_index: None,
            original_index: i,
            original_label: ds.labels[i],
            label: ds.labels[i],
            action: Action::Kept,
            tag: None,
        })
        .collect();
    for t in tags {
        let Some(row) = rows.get_mut(t.example) else {
            continue;
        };
        row.tag = t.tag.clone();
        if t.tag.as_ref().is_some_and(|tag| opts.drop_tags.contains(tag)) {
            row.action = Action::Dropped;
        } else if let Some(r) = t.relabel.filter(|&r| opts.apply_relabels && r != row.label) {
            row.label = r;
            row.action = Action::Relabeled;
        }
    }
    let mut kept: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].action != Action::Dropped).collect();
    if opts.layout == Layout::Folder {
        kept.sort_by_key(|&i| rows[i].label);
    }
    for (new, &i) in kept.iter().enumerate() {
        rows[i].new_index = Some(new);
    }
    rows
}

/// Writes the cleaned dataset and `manifest.csv` into `dir` (absent or empty), atomically: the folder
/// appears complete or not at all.
pub fn write_clean(
    ds: &Dataset,
    tags: &[TagRow],
    opts: &CleanOptions,
    dir: &Path,
) -> Result<CleanReport, ExportError> {
    formats::check_layout(ds, opts.layout)?;
    let mut rows = plan_clean(ds, tags, opts);
    if rows.iter().all(|r| r.new_index.is_none()) {
        return Err(ExportError::Usage("every example would be dropped; nothing to write".into()));
    }
    let out = AtomicDir::new(dir)?;
    let originals = ds.paths.as_deref().filter(|_| opts.copy_originals && opts.layout == Layout::Folder);
    let written = match originals {
        Some(paths) => Some(originals::copy_originals(ds, paths, &mut rows, out.path())?),
        None => {
            let mut order: Vec<(usize, usize)> =
                rows.iter().filter_map(|r| Some((r.new_index?, r.original_index))).collect();
            order.sort_unstable();
            let order: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
            let labels: Vec<u32> = order.iter().map(|&i| rows[i].label).collect();
            match opts.layout {
                Layout::Idx { gzip } => formats::write_idx(ds, &order, &labels, out.path(), gzip)?,
                Layout::Npz => formats::write_npz(ds, &order, &labels, out.path())?,
                Layout::Folder => folder::write_folder(ds, &order, &labels, out.path())?,
            }
            None
        }
    };
    let manifest = out.path().join("manifest.csv");
    write_manifest(&rows, ds.paths.as_deref(), written.as_deref(), &manifest)?;
    out.commit()?;
    let count = |a: Action| rows.iter().filter(|r| r.action == a).count();
    Ok(CleanReport {
        kept: rows.len() - count(Action::Dropped),
        relabeled: count(Action::Relabeled),
        dropped: count(Action::Dropped),
        manifest: dir.join("manifest.csv"),
        dataset: if opts.layout == Layout::Npz { dir.join("data.npz") } else { dir.to_path_buf() },
    })
}

/// `manifest.csv`: `new_index,original_index,original_label,label,action,tag`, one row per original example,
/// then `original_path` (absolute) when the dataset was read from files, and `path` (relative to the
/// written folder) when their copies were written.
fn write_manifest(
    rows: &[ManifestRow],
    sources: Option<&[PathBuf]>,
    written: Option<&[Option<PathBuf>]>,
    path: &Path,
) -> Result<(), ExportError> {
    let int = |f: &dyn Fn(&ManifestRow) -> Option<usize>| {
        Cells::Int(rows.iter().map(|r| f(r).and_then(|v| i64::try_from(v).ok())).collect())
    };
    let text = |p: &Path| p.to_string_lossy().into_owned();
    let mut t = Table::new();
    let mut cols = vec![
        ("new_index", int(&|r| r.new_index)),
        ("original_index", int(&|r| Some(r.original_index))),
        ("original_label", int(&|r| Some(r.original_label as usize))),
        ("label", int(&|r| Some(r.label as usize))),
        ("action", Cells::Text(rows.iter().map(|r| Some(r.action.name().to_string())).collect())),
        ("tag", Cells::Text(rows.iter().map(|r| r.tag.clone()).collect())),
    ];
    if let Some(sources) = sources {
        let absolute = |p: &PathBuf| text(&std::path::absolute(p).unwrap_or_else(|_| p.clone()));
        cols.push(("original_path", Cells::Text(sources.iter().map(|p| Some(absolute(p))).collect())));
    }
    if let Some(written) = written {
        cols.push(("path", Cells::Text(written.iter().map(|p| p.as_deref().map(text)).collect())));
    }
    for (name, cells) in cols {
        t.push(name, cells).map_err(ExportError::Usage)?;
    }
    let mut bytes = Vec::new();
    write_csv(&t, &(0..rows.len()).collect::<Vec<_>>(), &mut bytes).map_err(|e| ExportError::io(path, e))?;
    super::atomic::write_synced(path, &bytes)
}
