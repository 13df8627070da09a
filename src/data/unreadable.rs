//! Image files that cannot be read: one error that names them all, or, with `--skip-unreadable`, a note
//! that says which were left out.

use std::path::{Path, PathBuf};

use super::{invalid, DataError};

/// Files of an image folder that could not be read, each with its problem.
pub type Unreadable = Vec<(PathBuf, String)>;

/// The flag that leaves such files out.
pub const FLAG: &str = "--skip-unreadable";

/// Files listed by name in a message; the others are counted.
const LISTED: usize = 3;

/// Splits the results of reading each file into what was read (with its file) and what was not.
pub(super) fn split<F, T>(files: Vec<F>, results: Vec<Result<T, DataError>>) -> (Vec<F>, Vec<T>, Unreadable) {
    let mut read = (Vec::with_capacity(files.len()), Vec::with_capacity(files.len()));
    let mut unreadable = Vec::new();
    for (file, result) in files.into_iter().zip(results) {
        match result {
            Ok(value) => {
                read.0.push(file);
                read.1.push(value);
            }
            Err(DataError::Invalid { path, problem }) => unreadable.push((path, one_line(&problem))),
        }
    }
    (read.0, read.1, unreadable)
}

/// A decoder's message on one line (some say theirs over several).
fn one_line(problem: &str) -> String {
    problem.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One error that names the first unreadable file and lists (a few of) the others, so that a folder with
/// a dozen bad files is not fixed one rerun at a time; it says how to leave them out instead.
pub fn error(root: &Path, unreadable: &[(PathBuf, String)]) -> DataError {
    let Some(((path, problem), others)) = unreadable.split_first() else {
        return invalid(root, "no unreadable files");
    };
    let hint = format!("{FLAG} leaves out the files that cannot be read");
    if others.is_empty() {
        return invalid(path, format!("{problem} ({hint})"));
    }
    let listed: Vec<String> = others.iter().take(LISTED).map(|(p, _)| p.display().to_string()).collect();
    let more = if others.len() > LISTED { ", …" } else { "" };
    invalid(
        root,
        format!(
            "{} files cannot be read as images; the first: {}: {problem}; the others: {}{more} ({hint})",
            unreadable.len(),
            path.display(),
            listed.join(", ")
        ),
    )
}

/// How the note of the files left out begins.
pub(super) const NOTE_START: &str = "left out ";

/// The note for the files left out (`None` when there are none).
pub(super) fn note(root: &Path, unreadable: &[(PathBuf, String)]) -> Option<String> {
    let ((first, problem), _) = unreadable.split_first()?;
    let shown = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let others: Vec<String> = unreadable.iter().skip(1).take(LISTED).map(|(p, _)| shown(p)).collect();
    let others = match others.len() {
        0 => String::new(),
        _ if unreadable.len() - 1 > LISTED => format!("; also {}, …", others.join(", ")),
        _ => format!("; also {}", others.join(", ")),
    };
    Some(format!(
        "{NOTE_START}{} file{} that cannot be read as images ({FLAG}, recorded in the workspace): {}: {problem}{others}",
        unreadable.len(),
        if unreadable.len() == 1 { "" } else { "s" },
        shown(first)
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn bad(n: usize) -> Unreadable {
        (0..n).map(|i| (PathBuf::from(format!("/r/c/{i}.png")), "cannot decode image".to_string())).collect()
    }

    #[test]
    fn one_file_is_named_with_its_problem_and_the_flag() {
        let e = error(Path::new("/r"), &bad(1)).to_string();
        assert_eq!(
            e,
            "/r/c/0.png: cannot decode image (--skip-unreadable leaves out the files that cannot be read)"
        );
    }

    #[test]
    fn many_files_are_counted_and_a_few_listed() {
        let e = error(Path::new("/r"), &bad(6)).to_string();
        assert!(e.starts_with(
            "/r: 6 files cannot be read as images; the first: /r/c/0.png: cannot decode image;"
        ));
        assert!(e.contains("the others: /r/c/1.png, /r/c/2.png, /r/c/3.png, … (--skip-unreadable"), "{e}");
    }

    #[test]
    fn the_note_names_files_below_the_root() {
        assert_eq!(note(Path::new("/r"), &[]), None);
        let one = note(Path::new("/r"), &bad(1)).unwrap();
        assert_eq!(
            one,
            "left out 1 file that cannot be read as images (--skip-unreadable, recorded in the workspace): c/0.png: \
             cannot decode image"
        );
        let five = note(Path::new("/r"), &bad(5)).unwrap();
        assert!(five.starts_with("left out 5 files"), "{five}");
        assert!(five.ends_with("; also c/1.png, c/2.png, c/3.png, …"), "{five}");
    }

    #[test]
    fn split_keeps_each_result_with_its_file() {
        let results = vec![Ok(1), Err(invalid(Path::new("b"), "bad\n  data")), Ok(3)];
        let (files, values, unreadable) = split(vec!["a", "b", "c"], results);
        assert_eq!((files, values), (vec!["a", "c"], vec![1, 3]));
        assert_eq!(unreadable, vec![(PathBuf::from("b"), "bad data".to_string())], "on one line");
    }
}
