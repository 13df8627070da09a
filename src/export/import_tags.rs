//! Tags from a table (`cscore import-tags`): cscore's own export (CSV or JSON Lines, e.g. of another
//! workspace of an edited copy of the dataset), or any table with an `index` or `path` column and
//! `tag`, `relabel` (a class index or name) and `note` columns, as pandas or a spreadsheet writes them.
//! Each row is matched to an example by its index, or by its file: the path below the dataset's folder,
//! found as the longest ending of the row's path that names an example (`/old/place/pets/cat/1.png` is
//! `cat/1.png` of a folder `pets` anywhere).

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::file_index::{moved, renamed_folders, FileIndex};
use super::import_csv::records;
use super::relabel_class::{class_of, renamed_classes};
use super::ExportError;
use crate::store::TagRow;

/// One row of the file: how it names its example, and what it says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagLine {
    /// The 1-based line of the file.
    pub line: usize,
    /// The example's index, where the row gives one.
    pub index: Option<usize>,
    /// The example's file, where the row gives one.
    pub path: Option<String>,
    /// The tag (`None`: the row sets none).
    pub tag: Option<String>,
    /// The relabel, as a class index or name (a `relabel_name` column's name before a `relabel`).
    pub relabel: Option<String>,
    /// The note.
    pub note: Option<String>,
    /// The row's `label` and `label_name` (cscore's export has both): the file's own class names, by
    /// which a relabel given as an index is read where the class lists differ.
    pub class: Option<(String, String)>,
}

impl TagLine {
    /// Whether the row says something of its example.
    fn says_something(&self) -> bool {
        self.tag.is_some() || self.relabel.is_some() || self.note.is_some()
    }
}

/// Which column matches rows to examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchBy {
    /// The `index` column.
    Index,
    /// The `path` column, against the files of an image folder.
    Path,
}

/// Reads the rows of a CSV (with a header) or JSON Lines file (`.jsonl`, `.ndjson`).
pub fn read_tag_lines(path: &Path) -> Result<Vec<TagLine>, ExportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ExportError::io(path, e))?;
    let jsonl =
        path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"));
    let lines =
        if jsonl { from_jsonl(&text) } else { from_csv(&text) }.map_err(|p| ExportError::invalid(path, p))?;
    Ok(lines)
}

/// A cell's text, `None` when empty.
fn present(cell: &str) -> Option<String> {
    let cell = cell.trim();
    (!cell.is_empty()).then(|| cell.to_string())
}

fn index_of(cell: Option<String>, line: usize) -> Result<Option<usize>, String> {
    cell.map(|c| c.parse().map_err(|_| format!("line {line}: index '{c}' is not an example index")))
        .transpose()
}

fn from_csv(text: &str) -> Result<Vec<TagLine>, String> {
    let mut recs = records(text)?;
    if recs.is_empty() {
        return Err("the file holds no rows".into());
    }
    let header: Vec<String> = recs.remove(0).1.into_iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (index, path) = (col("index"), col("path"));
    if index.is_none() && path.is_none() {
        return Err(format!(
            "no 'index' or 'path' column (columns: {}) to say which example a row is",
            header.join(", ")
        ));
    }
    let (tag, relabel, note) = (col("tag"), col("relabel"), col("note"));
    let (label, label_name, relabel_name) = (col("label"), col("label_name"), col("relabel_name"));
    if tag.is_none() && relabel.is_none() && relabel_name.is_none() && note.is_none() {
        return Err(format!("no 'tag', 'relabel' or 'note' column (columns: {})", header.join(", ")));
    }
    recs.into_iter()
        .map(|(line, rec)| {
            let cell = |c: Option<usize>| c.and_then(|c| rec.get(c)).and_then(|v| present(v));
            Ok(TagLine {
                line,
                index: index_of(cell(index), line)?,
                path: cell(path),
                tag: cell(tag),
                relabel: cell(relabel_name).or_else(|| cell(relabel)),
                note: cell(note),
                class: cell(label).zip(cell(label_name)),
            })
        })
        .collect()
}

fn from_jsonl(text: &str) -> Result<Vec<TagLine>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (k, raw) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line = k + 1;
        let Ok(Value::Object(o)) = serde_json::from_str::<Value>(raw) else {
            return Err(format!("line {line}: not a JSON object"));
        };
        let text_of = |key: &str| match o.get(key) {
            Some(Value::String(s)) => present(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        out.push(TagLine {
            line,
            index: index_of(text_of("index"), line)?,
            path: text_of("path"),
            tag: text_of("tag"),
            relabel: text_of("relabel_name").or_else(|| text_of("relabel")),
            note: text_of("note"),
            class: text_of("label").zip(text_of("label_name")),
        });
    }
    Ok(out)
}

/// What the rows come to: each matched example's new marks (its current note kept where a row gives
/// none), and the rows that match no example, by line.
#[derive(Debug, Default, PartialEq)]
pub struct Resolved {
    /// The marks to write, one per example (a later row for the same example wins).
    pub tags: Vec<TagRow>,
    /// Rows that name no example of this dataset: (line, what they named).
    pub unmatched: Vec<(usize, String)>,
    /// Rows whose relabel is the class their example has: read as no relabel (their lines).
    pub own_class: Vec<usize>,
    /// Rows matched by index whose `label_name` is not their example's class here: (line, what differs).
    /// Many say the indices shifted (examples removed or added since the file was written).
    pub other_label: Vec<(usize, String)>,
}

/// Matches `lines` to the examples of a dataset whose examples' labels are `labels`, with `class_names`
/// (and, for an image folder, each example's file below the folder, `/`-separated), by `by`.
pub fn resolve_tags(
    lines: &[TagLine],
    by: MatchBy,
    labels: &[u32],
    class_names: &[String],
    files: Option<&[String]>,
) -> Result<Resolved, String> {
    let n = labels.len();
    let by_file = FileIndex::new(files);
    let mut chosen: std::collections::BTreeMap<usize, TagRow> = std::collections::BTreeMap::new();
    let (mut unmatched, mut own_class, mut other_label) = (Vec::new(), Vec::new(), Vec::new());
    let file_classes: HashMap<&str, &str> =
        lines.iter().filter_map(|l| l.class.as_ref()).map(|(k, name)| (k.as_str(), name.as_str())).collect();
    // By path, a class folder renamed since the file was written is found by its files.
    let rows: Vec<(&str, &str)> = match by {
        MatchBy::Index => Vec::new(),
        MatchBy::Path => {
            lines.iter().filter_map(|l| Some((l.class.as_ref()?.1.as_str(), l.path.as_deref()?))).collect()
        }
    };
    let folders = renamed_folders(&rows, class_names, &by_file);
    let in_renamed_folder = |l: &TagLine, p: &str| {
        let from = l.class.as_ref()?.1.as_str();
        by_file.find(&moved(p, from, folders.get(from)?)?)
    };
    let example_of = |l: &TagLine| match by {
        MatchBy::Index => l.index.filter(|&i| i < n),
        MatchBy::Path => l.path.as_deref().and_then(|p| by_file.find(p).or_else(|| in_renamed_folder(l, p))),
    };
    let renamed = renamed_classes(lines, &example_of, labels, class_names);
    for l in lines.iter().filter(|l| l.says_something()) {
        let Some(example) = example_of(l) else {
            let named = match by {
                MatchBy::Index => l.index.map_or("no index".into(), |i| format!("index {i}")),
                MatchBy::Path => l.path.clone().unwrap_or_else(|| "no path".into()),
            };
            unmatched.push((l.line, named));
            continue;
        };
        if let (MatchBy::Index, Some((_, name))) = (by, &l.class) {
            let here = labels[example];
            let same =
                class_names.get(here as usize) == Some(name) || renamed.get(name.as_str()) == Some(&here);
            if !same {
                let now = class_names.get(here as usize).map_or("?", String::as_str);
                other_label.push((l.line, format!("index {example} is {now} here, {name} in the file")));
            }
        }
        let mut relabel = l
            .relabel
            .as_deref()
            .map(|r| class_of(r, class_names, &file_classes, &renamed, l.line))
            .transpose()?;
        if relabel == Some(labels[example]) {
            relabel = None;
            own_class.push(l.line);
        }
        // A relabel is the right class of a mislabeled example: a row that gives one without a tag tags
        // it so (it would otherwise clear the example's tag, and `--apply-relabels` move an `ok` one).
        let tag = l.tag.clone().or_else(|| relabel.map(|_| MISLABELED.to_string()));
        chosen.insert(example, TagRow { example, tag, relabel, note: l.note.clone() });
    }
    Ok(Resolved { tags: chosen.into_values().collect(), unmatched, own_class, other_label })
}

/// The tag a relabel goes with.
const MISLABELED: &str = "mislabeled";

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn line(
        line: usize,
        index: Option<usize>,
        path: Option<&str>,
        tag: &str,
        relabel: Option<&str>,
    ) -> TagLine {
        TagLine {
            line,
            index,
            path: path.map(str::to_string),
            tag: Some(tag.to_string()),
            relabel: relabel.map(str::to_string),
            note: None,
            class: None,
        }
    }

    #[test]
    fn rows_match_by_index_or_by_the_longest_ending_of_their_path() {
        let names = vec!["cat".to_string(), "dog".to_string()];
        let files: Vec<String> = ["cat/1.png", "cat/2019/2.png", "dog/1.png"].map(String::from).into();
        let lines = vec![
            line(2, Some(0), Some("/old/pets/dog/1.png"), "mislabeled", Some("cat")),
            line(3, Some(1), Some("C:\\pets\\cat\\2019\\2.png"), "ood", None),
            line(4, Some(7), Some("/old/pets/cat/9.png"), "ood", Some("1")),
        ];
        let by_path = resolve_tags(&lines, MatchBy::Path, &[0, 0, 1], &names, Some(&files)).unwrap();
        let got: Vec<(usize, Option<&str>, Option<u32>)> =
            by_path.tags.iter().map(|t| (t.example, t.tag.as_deref(), t.relabel)).collect();
        assert_eq!(got, [(1, Some("ood"), None), (2, Some("mislabeled"), Some(0))]);
        assert_eq!(by_path.unmatched, [(4, "/old/pets/cat/9.png".to_string())]);
        let by_index = resolve_tags(&lines[..2], MatchBy::Index, &[0, 0, 1], &names, None).unwrap();
        assert_eq!(by_index.tags.iter().map(|t| t.example).collect::<Vec<_>>(), [0, 1]);
        let e = resolve_tags(
            &[line(5, Some(0), None, "x", Some("horse"))],
            MatchBy::Index,
            &[0, 0, 1],
            &names,
            None,
        );
        assert_eq!(
            e.unwrap_err(),
            "line 5: relabel 'horse' is neither a class name (classes: cat, dog) nor a class index below 2"
        );
    }

    #[test]
    fn a_relabel_to_the_examples_own_class_is_no_relabel() {
        let names = vec!["cat".to_string(), "dog".to_string()];
        let lines =
            [line(2, Some(0), None, "mislabeled", Some("cat")), line(3, Some(1), None, "ok", Some("cat"))];
        let got = resolve_tags(&lines, MatchBy::Index, &[0, 1], &names, None).unwrap();
        let relabels: Vec<Option<u32>> = got.tags.iter().map(|t| t.relabel).collect();
        assert_eq!((relabels, got.own_class), (vec![None, Some(0)], vec![2]));
    }

    #[test]
    fn rows_whose_class_is_not_their_examples_are_counted() {
        // Example 0 was removed since the file was written: its rows are one index off.
        let names: Vec<String> = ["cat", "dog"].map(String::from).into();
        let mut rows = Vec::new();
        for (i, name) in [(1, "cat"), (2, "dog"), (3, "dog")] {
            let mut row = line(i + 1, Some(i - 1), None, "ok", None);
            row.class = Some((u32::from(name == "dog").to_string(), name.to_string()));
            rows.push(row);
        }
        let got = resolve_tags(&rows, MatchBy::Index, &[0, 0, 1], &names, None).unwrap();
        assert_eq!(got.other_label, [(3, "index 1 is cat here, dog in the file".to_string())]);
    }

    #[test]
    fn an_index_relabel_the_file_numbers_otherwise_is_refused() {
        // The file's rows name dog as its class 0; here dog is 1. Its relabel 1 names no row's class.
        let names: Vec<String> = ["cat", "dog"].map(String::from).into();
        let mut row = line(2, Some(0), None, "mislabeled", Some("1"));
        row.class = Some(("0".into(), "dog".into()));
        let e = resolve_tags(&[row], MatchBy::Index, &[1, 0], &names, None).unwrap_err();
        assert!(
            e.starts_with("line 2: relabel 1 is an index of a class none of the file's rows names"),
            "{e}"
        );
    }

    #[test]
    fn a_relabel_index_is_read_by_the_files_own_class_names() {
        // The file's classes were (cat, dog); this workspace's are (bird, cat, dog).
        let names: Vec<String> = ["bird", "cat", "dog"].map(String::from).into();
        let mut row = line(2, Some(0), None, "mislabeled", Some("0"));
        row.class = Some(("1".into(), "dog".into()));
        let mut other = line(3, Some(1), None, "ok", None);
        other.class = Some(("0".into(), "cat".into()));
        let got =
            resolve_tags(&[row.clone(), other.clone()], MatchBy::Index, &[2, 1, 0], &names, None).unwrap();
        assert_eq!(got.tags[0].relabel, Some(1), "index 0 of the file is cat, index 1 here");
        // Class 0 of the file is fish, named only by a row that matches no example here.
        let mut fish = other;
        (fish.index, fish.class) = (Some(9), Some(("0".into(), "fish".into())));
        let e = resolve_tags(&[row, fish], MatchBy::Index, &[2, 1, 0], &names, None).unwrap_err();
        assert_eq!(e, "line 2: relabel 0 is class 'fish' in the file, which this workspace does not have");
    }

    #[test]
    fn a_class_renamed_since_the_file_is_read_as_its_examples_class_here() {
        // The file was written when class 0 was `cat`; its folder is `cats` now.
        let names: Vec<String> = ["cats", "dog"].map(String::from).into();
        let mut cat = line(2, Some(0), None, "ok", None);
        cat.class = Some(("0".into(), "cat".into()));
        let mut by_name = line(3, Some(2), None, "mislabeled", Some("cat"));
        by_name.class = Some(("1".into(), "dog".into()));
        let mut by_index = line(4, Some(3), None, "mislabeled", Some("0"));
        by_index.class = Some(("1".into(), "dog".into()));
        let got =
            resolve_tags(&[cat, by_name, by_index], MatchBy::Index, &[0, 0, 1, 1], &names, None).unwrap();
        let relabels: Vec<Option<u32>> = got.tags.iter().map(|t| t.relabel).collect();
        assert_eq!(relabels, [None, Some(0), Some(0)]);
    }

    #[test]
    fn a_relabel_without_a_tag_is_a_mislabeled_example() {
        let names = vec!["cat".to_string(), "dog".to_string()];
        let csv = "index,relabel,relabel_name\r\n0,1,\r\n1,,cat\r\n";
        let got = resolve_tags(&from_csv(csv).unwrap(), MatchBy::Index, &[0, 1], &names, None).unwrap();
        let got: Vec<(Option<&str>, Option<u32>)> =
            got.tags.iter().map(|t| (t.tag.as_deref(), t.relabel)).collect();
        assert_eq!(got, [(Some("mislabeled"), Some(1)), (Some("mislabeled"), Some(0))]);
    }

    #[test]
    fn csv_and_jsonl_rows_that_say_something() {
        let csv = "index,label,tag,relabel,note,path\n0,1,mislabeled,0,,/p/a.png\n1,0,,,,/p/b.png\n2,0,,,\"odd, very\",/p/c.png\n";
        let rows = from_csv(csv).unwrap();
        assert_eq!(rows.iter().filter(|r| r.says_something()).count(), 2);
        assert_eq!(rows[0].class, None, "a label without a label_name names no class");
        assert_eq!(rows[0].relabel.as_deref(), Some("0"));
        assert_eq!((rows[2].note.as_deref(), rows[2].path.as_deref()), (Some("odd, very"), Some("/p/c.png")));
        let jsonl =
            "{\"index\":3,\"tag\":\"ood\",\"relabel\":null,\"note\":null}\n{\"index\":4,\"tag\":null}\n";
        let rows = from_jsonl(jsonl).unwrap();
        assert_eq!(
            (rows[0].index, rows[0].tag.as_deref(), rows[1].tag.as_deref()),
            (Some(3), Some("ood"), None)
        );
        assert!(from_csv("label,score\n1,2\n").unwrap_err().starts_with("no 'index' or 'path' column"));
        assert!(from_csv("index,score\n1,2\n").unwrap_err().starts_with("no 'tag', 'relabel' or 'note'"));
        assert!(from_csv("index,tag\nx,ood\n").unwrap_err().contains("'x' is not an example index"));
    }
}
