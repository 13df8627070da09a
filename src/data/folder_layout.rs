//! A folder pointed at one level too high: its "classes" are datasets or splits (`data/` holding
//! `train/` and `val/`, each with the same class folders), which an image folder's reading takes as
//! classes without complaint. Told by the layout: every class folder keeps all its images in subfolders,
//! and those subfolders' names are shared by every class folder.

use std::collections::BTreeSet;

use super::{file_below, Dataset};

/// Subfolder names listed in the warning before "…".
const LISTED: usize = 4;

/// A warning where the dataset's class folders look like datasets or splits of the same classes.
pub fn layout_warning(ds: &Dataset) -> Option<String> {
    let paths = ds.paths.as_ref()?;
    if ds.class_names.len() < 2 {
        return None;
    }
    let mut subfolders: Vec<BTreeSet<String>> = vec![BTreeSet::new(); ds.class_names.len()];
    for (p, &label) in paths.iter().zip(&ds.labels) {
        let below = file_below(&ds.source, p);
        let parts: Vec<&str> = below.split('/').collect();
        // An image right in its class folder: an ordinary class.
        let [_, sub, _, ..] = parts[..] else { return None };
        subfolders.get_mut(label as usize)?.insert(sub.to_string());
    }
    let shared: BTreeSet<String> = subfolders
        .iter()
        .skip(1)
        .fold(subfolders[0].clone(), |acc, s| acc.intersection(s).cloned().collect());
    if shared.len() < 2 {
        return None;
    }
    let mut names: Vec<&str> = shared.iter().map(String::as_str).take(LISTED).collect();
    if shared.len() > LISTED {
        names.push("…");
    }
    Some(format!(
        "every class folder ({}) keeps its images in subfolders of the same names ({}): these look like \
         datasets or splits of the same classes, not classes; give one of them (e.g. {}), or check the folder",
        class_list(&ds.class_names),
        names.join(", "),
        ds.source.join(&ds.class_names[0]).display()
    ))
}

fn class_list(names: &[String]) -> String {
    let mut listed: Vec<&str> = names.iter().map(String::as_str).take(LISTED).collect();
    if names.len() > LISTED {
        listed.push("…");
    }
    listed.join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn folder(files: &[&str]) -> Dataset {
        let root = Path::new("/d");
        let mut class_names: Vec<String> = Vec::new();
        let (mut labels, mut paths) = (Vec::new(), Vec::new());
        for f in files {
            let class = f.split('/').next().unwrap().to_string();
            if !class_names.contains(&class) {
                class_names.push(class.clone());
            }
            labels.push(class_names.iter().position(|c| *c == class).unwrap() as u32);
            paths.push(root.join(f));
        }
        Dataset {
            name: "d".into(),
            source: PathBuf::from(root),
            format: crate::data::Format::Folder,
            channels: 1,
            height: 1,
            width: 1,
            pixels: Vec::new(),
            labels,
            class_names,
            paths: Some(paths),
            content_hash: String::new(),
            notes: Vec::new(),
            unreadable: Vec::new(),
        }
    }

    #[test]
    fn splits_of_the_same_classes_are_told_from_classes() {
        let splits = folder(&["train/cat/1.png", "train/dog/2.png", "val/cat/3.png", "val/dog/4.png"]);
        let w = layout_warning(&splits).unwrap();
        assert!(
            w.starts_with(
                "every class folder (train, val) keeps its images in subfolders of the same names (cat, dog)"
            ),
            "{w}"
        );
        assert!(w.contains("e.g. /d/train"), "{w}");
        // Images right in a class folder, or subfolders that are not shared: ordinary classes.
        assert_eq!(
            layout_warning(&folder(&["cat/1.png", "cat/2019/2.png", "dog/2019/3.png", "dog/2020/4.png"])),
            None
        );
        assert_eq!(
            layout_warning(&folder(&["cat/a/1.png", "cat/b/2.png", "dog/a/3.png", "dog/c/4.png"])),
            None
        );
    }
}
