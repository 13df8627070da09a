//! What differs between a changed dataset and the workspace's record of its examples, for the refusal.

use crate::data::{self, pixel_hash, Dataset};
use crate::store::{ExampleRecord, StoreError, Workspace};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A changed dataset's refusal with what differs from the workspace's record of its examples: for an
/// image folder, the files gone (or now unreadable), new (or now readable) and changed (their pixels);
/// for other formats, the examples whose pixels or labels changed.
pub(super) fn name_changed_files(e: StoreError, ws_path: &Path, ds: &Dataset) -> StoreError {
    let StoreError::DatasetMismatch { path, mut mismatch } = e else { return e };
    let Ok(ws) = Workspace::open(ws_path) else { return StoreError::DatasetMismatch { path, mismatch } };
    let recorded = ws.example_record().ok().flatten();
    // Pixel hashes compare only at the size the workspace read its images.
    let same_shape = ws
        .dataset_info()
        .is_ok_and(|i| (i.channels, i.height, i.width) == (ds.channels, ds.height, ds.width));
    let hashes = ws.example_hashes().ok().flatten().filter(|_| same_shape && ds.has_pixels());
    let said = match (recorded, ds.paths.as_ref()) {
        (Some(ExampleRecord { paths: Some(then), .. }), Some(now)) => {
            folder_differences(&then, hashes.as_deref(), now, ds)
        }
        (Some(record), None) => {
            // The labels as read then: the record holds them with the injected flips.
            let mut labels = record.labels;
            for row in ws.injected().unwrap_or_default() {
                if let Some(l) = labels.get_mut(row.example) {
                    *l = row.original_label;
                }
            }
            example_differences(&labels, hashes.as_deref(), ds)
        }
        _ => Vec::new(),
    };
    if !said.is_empty() {
        mismatch.difference = format!("{} — {}", mismatch.difference, said.join("; "));
    }
    StoreError::DatasetMismatch { path, mismatch }
}

/// Up to three of `items` and how many there are: `4 (a, b, c, …)`.
fn list(items: &[String]) -> String {
    let more = if items.len() > 3 { ", …" } else { "" };
    format!("{} ({}{more})", items.len(), items.iter().take(3).cloned().collect::<Vec<_>>().join(", "))
}

/// What differs between an image folder's recorded files (and their pixel hashes) and its files now.
fn folder_differences(then: &[String], hashes: Option<&[u64]>, now: &[PathBuf], ds: &Dataset) -> Vec<String> {
    let now: HashMap<String, usize> =
        now.iter().enumerate().map(|(i, p)| (data::file_below(&ds.source, p), i)).collect();
    let was: HashSet<&str> = then.iter().map(String::as_str).collect();
    let unreadable: HashSet<String> =
        ds.unreadable.iter().map(|(p, _)| data::file_below(&ds.source, p)).collect();
    let gone: Vec<String> = then
        .iter()
        .filter(|f| !now.contains_key(*f))
        .map(|f| if unreadable.contains(f) { format!("{f} (now unreadable)") } else { f.clone() })
        .collect();
    let mut new: Vec<&String> = now.keys().filter(|f| !was.contains(f.as_str())).collect();
    new.sort();
    let changed: Vec<String> = match hashes {
        Some(hashes) => then
            .iter()
            .zip(hashes)
            .filter(|(f, &h)| now.get(*f).is_some_and(|&j| pixel_hash(ds.image(j)) != h))
            .map(|(f, _)| f.clone())
            .collect(),
        None => Vec::new(),
    };
    let mut said: Vec<String> = renamed_folders(&gone, &new)
        .into_iter()
        .map(|(a, b)| {
            format!("class folder {a} renamed {b}, which changes the classes' order and so their labels")
        })
        .collect();
    if !gone.is_empty() {
        said.push(format!("files gone: {}", list(&gone)));
    }
    if !new.is_empty() {
        said.push(format!("files new: {}", list(&new.into_iter().cloned().collect::<Vec<_>>())));
    }
    if !changed.is_empty() {
        said.push(format!("files changed (other pixels): {}", list(&changed)));
    }
    said
}

/// What differs between the recorded examples (labels as read, pixel hashes) and the dataset's now, by
/// index: examples whose pixels or labels changed, or, where only the count changed, examples added or
/// removed at the end.
fn example_differences(labels: &[u32], hashes: Option<&[u64]>, ds: &Dataset) -> Vec<String> {
    let common = labels.len().min(ds.len());
    let name = |l: u32| ds.class_names.get(l as usize).cloned().unwrap_or_else(|| l.to_string());
    let relabeled: Vec<String> = (0..common)
        .filter(|&i| labels[i] != ds.labels[i])
        .map(|i| format!("#{i} {} → {}", name(labels[i]), name(ds.labels[i])))
        .collect();
    let repainted: Vec<String> = match hashes {
        Some(h) => {
            (0..common).filter(|&i| h[i] != pixel_hash(ds.image(i))).map(|i| format!("#{i}")).collect()
        }
        None => Vec::new(),
    };
    let mut said = Vec::new();
    if !repainted.is_empty() {
        said.push(format!("examples whose pixels changed: {}", list(&repainted)));
    }
    if !relabeled.is_empty() {
        said.push(format!("labels changed: {}", list(&relabeled)));
    }
    // Where the examples both hold are the same, say what happened at the end.
    if said.is_empty() && hashes.is_some() && labels.len() != ds.len() {
        said.push(match ds.len() > labels.len() {
            true => format!(
                "the first {common} examples are as they were, {} added after them",
                ds.len() - common
            ),
            false => format!(
                "the first {common} examples are as they were, the last {} removed",
                labels.len() - common
            ),
        });
    }
    said
}

/// Class folders whose files all went and came back, the same, in another class folder that is new:
/// (old name, new name).
fn renamed_folders(gone: &[String], new: &[&String]) -> Vec<(String, String)> {
    use std::collections::{BTreeMap, BTreeSet};
    let by_class = |files: &mut dyn Iterator<Item = &str>| {
        let mut classes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for f in files {
            if let Some((class, rest)) = f.split_once('/') {
                classes.entry(class.to_string()).or_default().insert(rest.to_string());
            }
        }
        classes
    };
    let gone = by_class(&mut gone.iter().map(String::as_str));
    let new = by_class(&mut new.iter().map(|f| f.as_str()));
    gone.iter()
        .filter_map(|(a, files)| {
            new.iter()
                .find(|(b, f)| *f == files && !gone.contains_key(*b))
                .map(|(b, _)| (a.clone(), b.clone()))
        })
        .collect()
}
