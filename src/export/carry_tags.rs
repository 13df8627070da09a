//! Tags carried from one workspace to another of an edited copy of its dataset (`cscore import-tags NEW
//! OLD.cscore`): each tagged example of the old workspace is found here by its pixels (the hashes both
//! workspaces record), so tags follow their images whatever moved, was renamed, removed or added, in any
//! format: an `.npz` whose examples shifted when one was removed as well as a renamed class folder.
//! Examples with the same pixels are paired by their file where both have files, else in order; a tagged
//! example whose pixels changed (an image fixed in place) is found by its file where it has one.

use std::collections::HashMap;
use std::path::Path;

use super::ExportError;
use crate::store::{TagRow, Workspace};

/// What the old workspace holds: its classes, its examples' labels, files and pixel hashes, its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagSource {
    /// Its class names.
    pub class_names: Vec<String>,
    /// Each example's label as estimated (empty where the workspace records none).
    pub labels: Vec<u32>,
    /// Each example's file below the folder (image folders).
    pub paths: Option<Vec<String>>,
    /// Each example's pixel hash.
    pub hashes: Vec<u64>,
    /// Its tags, relabels and notes.
    pub tags: Vec<TagRow>,
}

/// The examples the tags go to: this workspace's.
#[derive(Debug, Clone, Copy)]
pub struct TagTarget<'a> {
    /// Each example's label.
    pub labels: &'a [u32],
    /// The class names.
    pub class_names: &'a [String],
    /// Each example's file below the folder (image folders).
    pub files: Option<&'a [String]>,
    /// Each example's pixel hash.
    pub hashes: &'a [u64],
}

/// What the old workspace's tags come to here.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Carried {
    /// The marks to write, one per example.
    pub tags: Vec<TagRow>,
    /// Tagged examples found by their file, their pixels changed: (old index, new index).
    pub by_file: Vec<(usize, usize)>,
    /// Tagged examples found nowhere here (removed, or changed and without a file): old indices.
    pub unmatched: Vec<usize>,
    /// Relabels to the class the example has here (applied since): not carried, nor their `mislabeled`
    /// tag, which the example no longer is; old indices.
    pub applied: Vec<usize>,
    /// Relabels to a class this dataset lacks, the tag kept: (old index, the class).
    pub class_gone: Vec<(usize, String)>,
    /// Examples tagged `mislabeled` without a relabel whose class here is not the one they had when
    /// tagged (moved to another class folder since, or relabeled): (old index, class then, class now).
    pub class_changed: Vec<(usize, String, String)>,
}

/// Reads the workspace at `path` as a source of tags: refused where it records no pixel hashes.
pub fn read_tag_source(path: &Path) -> Result<TagSource, ExportError> {
    let ws = Workspace::open(path)?;
    let info = ws.dataset_info()?;
    let Some(hashes) = ws.example_hashes()? else {
        return Err(ExportError::invalid(
            path,
            "it records no pixel hashes of its examples (a cscore before schema 7 made it, and it was not \
             opened with its dataset since), so its examples cannot be found by their pixels"
                .to_string(),
        ));
    };
    let record = ws.example_record()?;
    let (labels, paths) = record.map_or((Vec::new(), None), |r| (r.labels, r.paths));
    Ok(TagSource { class_names: info.class_names, labels, paths, hashes, tags: ws.tags()? })
}

/// Pairs the examples of `source` with those of `target` that have the same pixels, one to one: within
/// a group of equal pixels, first those with the same file, then those of the same class (by name: the
/// same image filed in two classes is one example of each), then the rest in order. `None`: no pair.
pub fn pair_by_pixels(source: &TagSource, target: &TagTarget<'_>) -> Vec<Option<usize>> {
    let mut here: HashMap<u64, Vec<usize>> = HashMap::new();
    for (j, &h) in target.hashes.iter().enumerate() {
        here.entry(h).or_default().push(j);
    }
    let mut there: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, &h) in source.hashes.iter().enumerate() {
        there.entry(h).or_default().push(i);
    }
    let mut pairs = vec![None; source.hashes.len()];
    for (h, olds) in there {
        let Some(news) = here.get(&h) else { continue };
        let mut free: Vec<usize> = news.clone();
        let same_file = |i: usize, j: usize| {
            let old = source.paths.as_ref().map(|p| p[i].as_str());
            old.is_some() && target.files.map(|f| f[j].as_str()) == old
        };
        let same_class = |i: usize, j: usize| {
            let old = source.labels.get(i).and_then(|&l| source.class_names.get(l as usize));
            old.is_some() && target.labels.get(j).and_then(|&l| target.class_names.get(l as usize)) == old
        };
        let mut left: Vec<usize> = olds.clone();
        for same in [&same_file as &dyn Fn(usize, usize) -> bool, &same_class] {
            left.retain(|&i| match free.iter().position(|&j| same(i, j)) {
                Some(k) => {
                    pairs[i] = Some(free.remove(k));
                    false
                }
                None => true,
            });
        }
        for (i, j) in left.into_iter().zip(free) {
            pairs[i] = Some(j);
        }
    }
    pairs
}

/// Carries the tags of `source` to `target`: each tagged example to the one with its pixels, or, with
/// its pixels changed, its file; a relabel to its class by name (a class renamed since: the class its
/// examples have here).
pub fn carry_tags(source: &TagSource, target: &TagTarget<'_>) -> Carried {
    let mut pairs = pair_by_pixels(source, target);
    let mut out = Carried::default();
    // A tagged image changed in place: found by its file, where no other image took that example, the
    // file holds no image of the old dataset (a copy of another one), and the dataset is evidently the
    // same one edited: at least half its examples are found by their pixels (another folder of the same
    // file names is not).
    let by_pixels = pairs.iter().flatten().count();
    if let (Some(old), Some(new), true) = (&source.paths, target.files, 2 * by_pixels >= source.hashes.len())
    {
        let known: std::collections::HashSet<u64> = source.hashes.iter().copied().collect();
        let taken: std::collections::HashSet<usize> = pairs.iter().flatten().copied().collect();
        let by_path: HashMap<&str, usize> = new.iter().enumerate().map(|(j, f)| (f.as_str(), j)).collect();
        for t in &source.tags {
            if pairs[t.example].is_some() {
                continue;
            }
            let free = |j: &&usize| !taken.contains(*j) && !known.contains(&target.hashes[**j]);
            if let Some(&j) = by_path.get(old[t.example].as_str()).filter(free) {
                pairs[t.example] = Some(j);
                out.by_file.push((t.example, j));
            }
        }
    }
    let classes = class_map(source, target, &pairs);
    for t in &source.tags {
        let Some(example) = pairs[t.example] else {
            out.unmatched.push(t.example);
            continue;
        };
        let mut relabel = t.relabel.and_then(|r| {
            let mapped = classes.get(r as usize).copied().flatten();
            if mapped.is_none() {
                let name = source.class_names.get(r as usize).cloned().unwrap_or_else(|| r.to_string());
                out.class_gone.push((t.example, name));
            }
            mapped
        });
        let mut tag = t.tag.clone();
        if relabel.is_some() && relabel == target.labels.get(example).copied() {
            relabel = None;
            tag = tag.filter(|t| t != MISLABELED);
            out.applied.push(t.example);
        }
        let name_then = source.labels.get(t.example).and_then(|&l| source.class_names.get(l as usize));
        let name_now = target.labels.get(example).and_then(|&l| target.class_names.get(l as usize));
        let renamed = |then: &String| {
            classes.get(source.class_names.iter().position(|c| c == then)?).copied().flatten()
        };
        if let (Some(then), Some(now), None, Some(MISLABELED)) =
            (name_then, name_now, t.relabel, tag.as_deref())
        {
            let same = then == now || renamed(then) == target.labels.get(example).copied();
            if !same {
                out.class_changed.push((t.example, then.clone(), now.clone()));
            }
        }
        out.tags.push(TagRow { example, tag, relabel, note: t.note.clone() });
    }
    out.tags.sort_by_key(|t| t.example);
    out
}

/// The tag that goes with a relabel.
const MISLABELED: &str = "mislabeled";

/// Each old class's index here: by name, or for a name this dataset lacks, the class (whose name the
/// old dataset lacks) that most of its paired examples have here, where more than half of them do.
fn class_map(source: &TagSource, target: &TagTarget<'_>, pairs: &[Option<usize>]) -> Vec<Option<u32>> {
    let index_here = |name: &str| target.class_names.iter().position(|n| n == name).map(|k| k as u32);
    (0..source.class_names.len())
        .map(|c| {
            if let Some(k) = index_here(&source.class_names[c]) {
                return Some(k);
            }
            let mut counts: HashMap<u32, usize> = HashMap::new();
            let members = source.labels.iter().enumerate().filter(|&(_, &l)| l as usize == c);
            let paired: Vec<usize> = members.filter_map(|(i, _)| pairs[i]).collect();
            for &j in &paired {
                *counts.entry(target.labels[j]).or_default() += 1;
            }
            let (&k, &n) = counts.iter().max_by_key(|&(k, n)| (*n, std::cmp::Reverse(*k)))?;
            let new_name = target.class_names.get(k as usize)?;
            (2 * n > paired.len() && !source.class_names.contains(new_name)).then_some(k)
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    fn tag(example: usize, tag: &str, relabel: Option<u32>) -> TagRow {
        TagRow { example, tag: Some(tag.into()), relabel, note: None }
    }

    #[test]
    fn tags_follow_their_pixels_when_examples_shift() {
        // Example 1 (hash 20) was removed: 30 and 40 moved up one index.
        let source = TagSource {
            class_names: names(&["a", "b"]),
            labels: vec![0, 0, 1, 1],
            paths: None,
            hashes: vec![10, 20, 30, 40],
            tags: vec![tag(1, "ood", None), tag(3, "mislabeled", Some(0))],
        };
        let target = TagTarget {
            labels: &[0, 1, 1],
            class_names: &names(&["a", "b"]),
            files: None,
            hashes: &[10, 30, 40],
        };
        let got = carry_tags(&source, &target);
        assert_eq!(got.tags, [tag(2, "mislabeled", Some(0))]);
        assert_eq!(got.unmatched, [1]);
    }

    #[test]
    fn equal_pixels_pair_by_file_then_in_order() {
        let source = TagSource {
            class_names: names(&["a"]),
            labels: vec![0; 3],
            paths: Some(names(&["a/x.png", "a/y.png", "a/z.png"])),
            hashes: vec![7, 7, 7],
            tags: vec![tag(0, "t0", None), tag(1, "t1", None), tag(2, "t2", None)],
        };
        let files = names(&["a/new.png", "a/z.png", "a/x.png"]);
        let target =
            TagTarget { labels: &[0; 3], class_names: &names(&["a"]), files: Some(&files), hashes: &[7; 3] };
        let got: Vec<(usize, String)> =
            carry_tags(&source, &target).tags.into_iter().map(|t| (t.example, t.tag.unwrap())).collect();
        assert_eq!(got, [(0, "t1".to_string()), (1, "t2".to_string()), (2, "t0".to_string())]);
        // More such examples there than here: the last in order is left unmatched.
        let fewer = TagTarget { files: None, hashes: &[7, 7], ..target };
        let mut plain = source.clone();
        plain.paths = None;
        assert_eq!(carry_tags(&plain, &fewer).unmatched, [2]);
    }

    #[test]
    fn an_image_changed_in_place_is_found_by_its_file() {
        let source = TagSource {
            class_names: names(&["cat", "dog"]),
            labels: vec![0, 1],
            paths: Some(names(&["cat/1.png", "dog/1.png"])),
            hashes: vec![1, 2],
            tags: vec![tag(0, "ood", None), tag(1, "ok", None)],
        };
        let files = names(&["cat/1.png", "dog/1.png"]);
        let target = TagTarget {
            labels: &[0, 1],
            class_names: &names(&["cat", "dog"]),
            files: Some(&files),
            hashes: &[9, 2],
        };
        let got = carry_tags(&source, &target);
        assert_eq!(got.tags, [tag(0, "ood", None), tag(1, "ok", None)]);
        assert_eq!(got.by_file, [(0, 0)]);
        // dog's image moved onto cat/1.png, cat's is gone: the file is the image's that it holds now.
        let files = names(&["cat/1.png"]);
        let target = TagTarget { labels: &[0], files: Some(&files), hashes: &[2], ..target };
        let got = carry_tags(&source, &target);
        assert_eq!((got.tags, got.unmatched, got.by_file), (vec![tag(0, "ok", None)], vec![0], vec![]));
    }

    #[test]
    fn files_stand_in_for_pixels_only_in_the_same_dataset_and_never_for_another_image() {
        let files = names(&["a/0.png", "a/1.png", "b/0.png", "b/1.png"]);
        let source = TagSource {
            class_names: names(&["a", "b"]),
            labels: vec![0, 0, 1, 1],
            paths: Some(files.clone()),
            hashes: vec![1, 2, 3, 4],
            tags: vec![tag(0, "ood", None), tag(1, "ok", None)],
        };
        // Another folder of the same file names, all pixels different: nothing is carried.
        let other = TagTarget {
            labels: &[0, 0, 1, 1],
            class_names: &source.class_names,
            files: Some(&files),
            hashes: &[5, 6, 7, 8],
        };
        assert_eq!(carry_tags(&source, &other).unmatched, [0, 1]);
        // a/1.png overwritten with a copy of b/0.png: its file holds another image of the old dataset.
        let copied = TagTarget { hashes: &[1, 3, 3, 4], ..other };
        let got = carry_tags(&source, &copied);
        assert_eq!((got.tags, got.unmatched), (vec![tag(0, "ood", None)], vec![1]));
    }

    #[test]
    fn equal_pixels_in_two_classes_pair_by_class_and_a_changed_class_is_said() {
        // Example 2 is a copy of example 0 filed under b, tagged mislabeled; the copies come first here.
        let source = TagSource {
            class_names: names(&["a", "b"]),
            labels: vec![0, 0, 1],
            paths: None,
            hashes: vec![7, 8, 7],
            tags: vec![tag(2, "mislabeled", None)],
        };
        let target = TagTarget {
            labels: &[1, 0, 0],
            class_names: &source.class_names,
            files: None,
            hashes: &[7, 7, 8],
        };
        let got = carry_tags(&source, &target);
        assert_eq!((got.tags, got.class_changed), (vec![tag(0, "mislabeled", None)], vec![]));
        // Moved to a since (the file refiled): still tagged, and said.
        let moved = TagTarget { labels: &[0, 0, 0], ..target };
        let got = carry_tags(&source, &moved);
        assert_eq!(got.class_changed, [(2, "b".to_string(), "a".to_string())]);
    }

    #[test]
    fn relabels_go_to_their_class_by_name_or_by_its_examples() {
        // cat was renamed cats, and the classes reordered; fox was removed.
        let source = TagSource {
            class_names: names(&["cat", "dog", "fox"]),
            labels: vec![0, 0, 1, 2],
            paths: None,
            hashes: vec![1, 2, 3, 4],
            tags: vec![
                tag(2, "mislabeled", Some(0)),
                tag(0, "mislabeled", Some(2)),
                tag(1, "mislabeled", Some(1)),
            ],
        };
        let target = TagTarget {
            labels: &[0, 1, 1, 1],
            class_names: &names(&["dog", "cats"]),
            files: None,
            hashes: &[3, 1, 2, 9],
        };
        let got = carry_tags(&source, &target);
        assert_eq!(
            got.tags,
            [tag(0, "mislabeled", Some(1)), tag(1, "mislabeled", None), tag(2, "mislabeled", Some(0))]
        );
        assert_eq!(got.class_gone, [(0, "fox".to_string())]);
        assert!(got.applied.is_empty());
        // A relabel to the class the example has here now (the file was moved to its class) is applied.
        // Its mislabeled tag goes with the relabel: the example is not mislabeled here.
        let moved = TagTarget { labels: &[1, 1, 1, 1], ..target };
        let got = carry_tags(&source, &moved);
        assert_eq!(got.applied, [2]);
        assert_eq!(got.tags[0], TagRow { example: 0, tag: None, relabel: None, note: None });
    }
}
