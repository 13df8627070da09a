//! What differs between a changed dataset and the workspace's record of its examples, for the refusal.

use crate::data::{self, Dataset};
use crate::store::{ExampleRecord, StoreError, Workspace};
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

/// What the workspace recorded of its dataset, besides the examples' files and labels.
struct Then<'a> {
    /// Its class names.
    names: &'a [String],
    /// Each example's pixel hash, where recorded and comparable (the images read at the same size).
    hashes: Option<&'a [u64]>,
}

/// A changed dataset's refusal with what differs from the workspace's record of its examples: for an
/// image folder, class folders renamed and files moved, gone (or now unreadable), new (or now readable)
/// and changed in place; for other formats, the examples whose pixels or labels changed, or that were
/// removed, added or reordered.
pub(super) fn name_changed_files(e: StoreError, ws_path: &Path, ds: &Dataset) -> StoreError {
    let StoreError::DatasetMismatch { path, mut mismatch } = e else { return e };
    let Ok(ws) = Workspace::open(ws_path) else { return StoreError::DatasetMismatch { path, mismatch } };
    let (Ok(info), Ok(Some(record))) = (ws.dataset_info(), ws.example_record()) else {
        return StoreError::DatasetMismatch { path, mismatch };
    };
    // Pixel hashes compare only at the size the workspace read its images.
    let same_shape = (info.channels, info.height, info.width) == (ds.channels, ds.height, ds.width);
    let stored = ws.example_hashes().ok().flatten();
    let then = Then {
        names: &info.class_names,
        hashes: stored.as_deref().filter(|_| same_shape && ds.has_pixels()),
    };
    let mut said = match (record, ds.paths.as_ref()) {
        (ExampleRecord { paths: Some(files), .. }, Some(now)) => folder_differences(&files, &then, now, ds),
        (record, _) => {
            // The labels as read then: the record holds them with the injected flips.
            let mut labels = record.labels;
            for row in ws.injected().unwrap_or_default() {
                if let Some(l) = labels.get_mut(row.example) {
                    *l = row.original_label;
                }
            }
            example_differences(&labels, &then, ds)
        }
    };
    if stored.is_none() {
        said.push(
            "this workspace predates its examples' pixel hashes, so images changed in place are not named"
                .into(),
        );
    }
    if !said.is_empty() {
        mismatch.difference = format!("{} — {}", mismatch.difference, said.join("; "));
    }
    StoreError::DatasetMismatch { path, mismatch }
}

/// Up to three of `items` and how many there are: `4 (a, b, c, …)`.
fn list(items: &[String]) -> String {
    format!("{} ({})", items.len(), first(items))
}

/// Up to three of `items`: `a, b, c, …`.
fn first(items: &[String]) -> String {
    let more = if items.len() > 3 { ", …" } else { "" };
    format!("{}{more}", items.iter().take(3).cloned().collect::<Vec<_>>().join(", "))
}

/// What differs between an image folder's recorded files (with their pixel hashes) and its files now.
fn folder_differences(files: &[String], then: &Then, now: &[PathBuf], ds: &Dataset) -> Vec<String> {
    let now_files: Vec<String> = now.iter().map(|p| data::file_below(&ds.source, p)).collect();
    let index: HashMap<&str, usize> = now_files.iter().enumerate().map(|(j, f)| (f.as_str(), j)).collect();
    // Each image's hash now, once (where the recorded ones compare).
    let now_hashes: Vec<u64> = if then.hashes.is_some() { ds.example_hashes() } else { Vec::new() };
    let renames = renamed_folders(files, then, &index, ds, &now_hashes);
    let under_new_name = |f: &str| {
        let (class, rest) = f.split_once('/')?;
        let (_, to) = renames.iter().find(|(from, _)| from == class)?;
        index.get(format!("{to}/{rest}").as_str()).copied()
    };
    // Each recorded file's example now: the same file, or the same under its renamed class folder.
    let place: Vec<Option<usize>> =
        files.iter().map(|f| index.get(f.as_str()).copied().or_else(|| under_new_name(f))).collect();
    let found: HashSet<usize> = place.iter().flatten().copied().collect();
    let mut gone: Vec<usize> = (0..files.len()).filter(|&i| place[i].is_none()).collect();
    let mut new: Vec<usize> = (0..now_files.len()).filter(|j| !found.contains(j)).collect();
    let (mut moved, mut changed) = (Vec::new(), Vec::new());
    if let Some(hashes) = then.hashes {
        // A file gone and one new with the same pixels is a file moved (to its right class, most often).
        let mut by_pixels: HashMap<u64, VecDeque<usize>> = HashMap::new();
        for &j in &new {
            by_pixels.entry(now_hashes[j]).or_default().push_back(j);
        }
        let mut taken = HashSet::new();
        gone.retain(|&i| match by_pixels.get_mut(&hashes[i]).and_then(VecDeque::pop_front) {
            Some(j) => {
                moved.push(format!("{} → {}", files[i], now_files[j]));
                taken.insert(j);
                false
            }
            None => true,
        });
        new.retain(|j| !taken.contains(j));
        changed = (0..files.len())
            .filter(|&i| place[i].is_some_and(|j| now_hashes[j] != hashes[i]))
            .map(|i| files[i].clone())
            .collect();
    }
    let unreadable: HashSet<String> =
        ds.unreadable.iter().map(|(p, _)| data::file_below(&ds.source, p)).collect();
    let gone: Vec<String> = gone
        .iter()
        .map(|&i| &files[i])
        .map(|f| if unreadable.contains(f) { format!("{f} (now unreadable)") } else { f.clone() })
        .collect();
    let mut new: Vec<String> = new.iter().map(|&j| now_files[j].clone()).collect();
    new.sort();
    let mut said = Vec::new();
    if !renames.is_empty() {
        let listed: Vec<String> = renames.iter().map(|(a, b)| format!("{a} → {b}")).collect();
        let reordered = renames.iter().any(|(a, b)| {
            then.names.iter().position(|c| c == a) != ds.class_names.iter().position(|c| c == b)
        });
        let why = if reordered { ", which changes the classes' order and so their labels" } else { "" };
        let what = if renames.len() == 1 { "class folder renamed" } else { "class folders renamed" };
        said.push(format!("{what}: {}{why}", listed.join(", ")));
    }
    for (what, files) in [
        ("moved (the same pixels)", moved),
        ("gone", gone),
        ("new", new),
        ("changed (other pixels)", changed),
    ] {
        if !files.is_empty() {
            said.push(format!("files {what}: {}", list(&files)));
        }
    }
    said
}

/// Class folders renamed: each recorded class folder that is no more, with the new class folder (one
/// the workspace did not have) holding most of its files, at least half, under their names (and, with
/// the hashes, with their pixels): (old name, new name). Only where one folder is singled out: a tie
/// (file names every class folder holds, no hashes) says nothing, and a folder two would take goes to
/// neither.
fn renamed_folders(
    files: &[String],
    then: &Then,
    index: &HashMap<&str, usize>,
    ds: &Dataset,
    now_hashes: &[u64],
) -> Vec<(String, String)> {
    let mut by_class: HashMap<&str, Vec<(usize, &str)>> = HashMap::new();
    for (i, f) in files.iter().enumerate() {
        if let Some((class, rest)) = f.split_once('/') {
            by_class.entry(class).or_default().push((i, rest));
        }
    }
    let same = |i: usize, j: usize| then.hashes.is_none_or(|h| h[i] == now_hashes[j]);
    let new_folders: Vec<&String> = ds.class_names.iter().filter(|c| !then.names.contains(c)).collect();
    let best: Vec<(String, String)> = then
        .names
        .iter()
        .filter(|c| !ds.class_names.contains(c))
        .filter_map(|old| {
            let rests = by_class.get(old.as_str()).map(Vec::as_slice).unwrap_or_default();
            let found = |to: &str| {
                rests
                    .iter()
                    .filter(|&&(i, r)| index.get(format!("{to}/{r}").as_str()).is_some_and(|&j| same(i, j)))
                    .count()
            };
            let mut ranked: Vec<(usize, &String)> = new_folders.iter().map(|c| (found(c), *c)).collect();
            ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            match ranked.as_slice() {
                [(n, _), (m, _), ..] if n == m => None,
                [(n, to), ..] if *n > 0 && 2 * n >= rests.len() => Some((old.clone(), (*to).clone())),
                _ => None,
            }
        })
        .collect();
    best.iter().filter(|(_, to)| best.iter().filter(|(_, t)| t == to).count() == 1).cloned().collect()
}

/// What differs between the recorded examples (labels as read then, pixel hashes) and the dataset's
/// now. With the hashes, examples are matched by their pixels: in place, the examples whose pixels or
/// labels changed and those added or removed at the end; shifted, the examples removed and added and
/// how many are the same at other indices. Without them, the labels that changed by index.
fn example_differences(labels: &[u32], then: &Then, ds: &Dataset) -> Vec<String> {
    // Class names reordered or added change label indices that nothing below names.
    let names = |n: &[String]| {
        let more = if n.len() > 10 { ", …" } else { "" };
        format!("{}{more}", n.iter().take(10).cloned().collect::<Vec<_>>().join(", "))
    };
    let mut said = Vec::new();
    if then.names != ds.class_names.as_slice() {
        said.push(format!("class names {} then, {} now", names(then.names), names(&ds.class_names)));
    }
    said.extend(example_changes(labels, then, ds));
    said
}

/// [`example_differences`] of the examples themselves.
fn example_changes(labels: &[u32], then: &Then, ds: &Dataset) -> Vec<String> {
    // Labels compare by name where both have the same class names (in whatever order).
    let same_names = {
        let (mut a, mut b) = (then.names.to_vec(), ds.class_names.clone());
        a.sort();
        b.sort();
        a == b
    };
    let then_name = |l: u32| then.names.get(l as usize).cloned().unwrap_or_else(|| l.to_string());
    let now_name = |l: u32| ds.class_names.get(l as usize).cloned().unwrap_or_else(|| l.to_string());
    let relabeled = |i: usize, j: usize| match same_names {
        true => then_name(labels[i]) != now_name(ds.labels[j]),
        false => labels[i] != ds.labels[j],
    };
    let label_change = |i: usize, j: usize| {
        let at = if i == j { format!("#{i}") } else { format!("#{i} (now #{j})") };
        format!("{at} {} → {}", then_name(labels[i]), now_name(ds.labels[j]))
    };
    let Some(hashes) = then.hashes else {
        let common = labels.len().min(ds.len());
        let relabels: Vec<String> =
            (0..common).filter(|&i| relabeled(i, i)).map(|i| label_change(i, i)).collect();
        return if relabels.is_empty() {
            vec![]
        } else {
            vec![format!("labels changed: {}", list(&relabels))]
        };
    };
    // Each recorded example's index now, by its pixels (equal images in their order).
    let mut by_pixels: HashMap<u64, VecDeque<usize>> = HashMap::new();
    for (j, h) in ds.example_hashes().into_iter().enumerate() {
        by_pixels.entry(h).or_default().push_back(j);
    }
    let place: Vec<Option<usize>> =
        hashes.iter().map(|h| by_pixels.get_mut(h).and_then(VecDeque::pop_front)).collect();
    let found: HashSet<usize> = place.iter().flatten().copied().collect();
    let lost: Vec<usize> = (0..labels.len()).filter(|&i| place[i].is_none()).collect();
    let added: Vec<usize> = (0..ds.len()).filter(|j| !found.contains(j)).collect();
    let relabels: Vec<String> = (0..labels.len())
        .filter_map(|i| place[i].filter(|&j| relabeled(i, j)).map(|j| label_change(i, j)))
        .collect();
    let shifted: Vec<String> = (0..labels.len())
        .filter_map(|i| place[i].filter(|&j| j != i).map(|j| format!("#{i} → #{j}")))
        .collect();
    let indices = |v: &[usize]| v.iter().map(|i| format!("#{i}")).collect::<Vec<_>>();
    let common = labels.len().min(ds.len());
    let mut said = Vec::new();
    if shifted.is_empty() {
        // In place: a recorded example not found below the common count is one whose pixels changed.
        let repainted: Vec<usize> = lost.iter().copied().filter(|&i| i < common).collect();
        if !repainted.is_empty() {
            said.push(format!("examples whose pixels changed: {}", list(&indices(&repainted))));
        }
        if !relabels.is_empty() {
            said.push(format!("labels changed: {}", list(&relabels)));
        }
        let (kept, more) = (common, ds.len().abs_diff(labels.len()));
        if ds.len() > labels.len() {
            said.push(format!("{more} examples added after the first {kept}"));
        } else if ds.len() < labels.len() {
            said.push(format!("the last {more} examples removed"));
        }
        return said;
    }
    if lost.is_empty() && added.is_empty() {
        said.push(format!("the same {} examples in another order ({})", labels.len(), first(&shifted)));
    } else {
        if !lost.is_empty() {
            said.push(format!("examples removed (or their pixels changed): {}", list(&indices(&lost))));
        }
        if !added.is_empty() {
            said.push(format!("examples new (or their pixels changed): {}", list(&indices(&added))));
        }
        said.push(format!("{} examples the same at other indices ({})", shifted.len(), first(&shifted)));
    }
    if !relabels.is_empty() {
        said.push(format!("labels changed: {}", list(&relabels)));
    }
    said
}
