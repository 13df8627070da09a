//! An image folder's examples by their file below the folder, for rows that name examples by path
//! (`import-tags --by path`, `eval --truth` of files).

use std::collections::HashMap;

/// An image folder's examples by their file below the folder (`/`-separated).
pub(super) struct FileIndex<'a>(HashMap<&'a str, usize>);

impl<'a> FileIndex<'a> {
    /// The index of `files` (none: an empty index, which finds nothing).
    pub(super) fn new(files: Option<&'a [String]>) -> Self {
        FileIndex(files.unwrap_or_default().iter().enumerate().map(|(i, f)| (f.as_str(), i)).collect())
    }

    /// The example whose file is the longest ending of `path` (components compared, `\` read as `/`).
    pub(super) fn find(&self, path: &str) -> Option<usize> {
        let path = path.replace('\\', "/");
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        (0..parts.len()).find_map(|start| self.0.get(parts[start..].join("/").as_str()).copied())
    }
}

/// Class folders renamed since a file of rows was written, by path: for each class name the rows give
/// (`label_name`) that `class_names` lacks, the class folder (of those the rows never name) below which
/// most of its rows' files are found under their old folder's place; `rows` are (class name, path). Only
/// where the files single one folder out: file names every class folder holds (`00.png`, …) tie, and a
/// folder that two classes would take is given to neither (their rows then match nothing, said as such).
pub(super) fn renamed_folders<'a>(
    rows: &[(&'a str, &str)],
    class_names: &'a [String],
    index: &FileIndex<'_>,
) -> HashMap<&'a str, &'a str> {
    let named: std::collections::HashSet<&str> = rows.iter().map(|&(c, _)| c).collect();
    let candidates: Vec<&String> = class_names.iter().filter(|c| !named.contains(c.as_str())).collect();
    let mut votes: HashMap<&str, HashMap<&str, usize>> = HashMap::new();
    for &(class, path) in rows.iter().filter(|(c, _)| !class_names.iter().any(|n| n == c)) {
        for to in &candidates {
            if moved(path, class, to).is_some_and(|p| index.find(&p).is_some()) {
                *votes.entry(class).or_default().entry(to.as_str()).or_default() += 1;
            }
        }
    }
    let best: Vec<(&str, &str)> = votes
        .into_iter()
        .filter_map(|(from, counts)| {
            let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            match ranked.as_slice() {
                [(_, n), (_, m), ..] if n == m => None,
                [(to, _), ..] => Some((from, *to)),
                [] => None,
            }
        })
        .collect();
    best.iter().filter(|(_, to)| best.iter().filter(|(_, t)| t == to).count() == 1).copied().collect()
}

/// `path` with its last folder named `from` named `to`; `None` where no folder is so named.
pub(super) fn moved(path: &str, from: &str, to: &str) -> Option<String> {
    let path = path.replace('\\', "/");
    let mut parts: Vec<&str> = path.split('/').collect();
    let folders = parts.len().saturating_sub(1);
    let k = parts[..folders].iter().rposition(|p| *p == from)?;
    parts[k] = to;
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_folder_is_found_by_its_files() {
        let files: Vec<String> =
            ["cats/1.png", "cats/3.png", "dog/1.png", "dog/2.png", "zebra/1.png"].map(String::from).into();
        let index = FileIndex::new(Some(&files));
        let names: Vec<String> = ["cats", "dog", "zebra"].map(String::from).into();
        // The rows name cat and dog: cat's files are under cats (zebra holds a 1.png too, but not 3.png).
        let rows = [("cat", "/d/cat/1.png"), ("cat", "D:\\d\\cat\\3.png"), ("dog", "/d/dog/2.png")];
        let map = renamed_folders(&rows, &names, &index);
        assert_eq!(map, HashMap::from([("cat", "cats")]));
        // dog is named by the rows: never a candidate, though its folder holds a 1.png.
        let rows = [("cat", "/d/cat/1.png"), ("dog", "/d/dog/2.png")];
        let names: Vec<String> = ["cats", "dog"].map(String::from).into();
        assert_eq!(renamed_folders(&rows, &names, &index), HashMap::from([("cat", "cats")]));
        // Two folders renamed whose files have the same names: nothing tells them apart.
        let files: Vec<String> = ["ant/1.png", "cats/1.png"].map(String::from).into();
        let index = FileIndex::new(Some(&files));
        let names: Vec<String> = ["ant", "cats"].map(String::from).into();
        let rows = [("cat", "/d/cat/1.png"), ("dog", "/d/dog/1.png")];
        assert_eq!(renamed_folders(&rows, &names, &index), HashMap::new());
        assert_eq!(moved("/d/cat/x/cat.png", "cat", "cats").as_deref(), Some("/d/cats/x/cat.png"));
        assert_eq!(moved("/d/cat.png", "cat", "cats"), None);
    }
}
