//! Which class of the workspace a row's relabel names: by name, by the file's own numbering, or, for a
//! class renamed since the file was written, by the class its rows' examples have here.

use super::import_tags::TagLine;
use std::collections::HashMap;

/// The file's class names that this workspace lacks, each with the class (here) of most of the examples
/// its rows name with it (`label_name`): classes renamed since the file was written.
pub(super) fn renamed_classes<'a>(
    lines: &'a [TagLine],
    example_of: &dyn Fn(&TagLine) -> Option<usize>,
    labels: &[u32],
    class_names: &[String],
) -> HashMap<&'a str, u32> {
    let mut votes: HashMap<&str, HashMap<u32, usize>> = HashMap::new();
    for l in lines {
        let (Some((_, name)), Some(example)) = (l.class.as_ref(), example_of(l)) else { continue };
        if !class_names.contains(name) {
            *votes.entry(name.as_str()).or_default().entry(labels[example]).or_default() += 1;
        }
    }
    votes
        .into_iter()
        .filter_map(|(name, counts)| {
            counts.into_iter().max_by_key(|&(k, c)| (c, std::cmp::Reverse(k))).map(|(k, _)| (name, k))
        })
        .collect()
}

/// A relabel given as a class name, or as a class index: of the file's classes where its rows name them
/// (`label`, `label_name`), else of this workspace's. A file's class this workspace lacks is read as the
/// class its rows' examples have here (a renamed class folder).
pub(super) fn class_of(
    given: &str,
    class_names: &[String],
    file_classes: &HashMap<&str, &str>,
    renamed: &HashMap<&str, u32>,
    line: usize,
) -> Result<u32, String> {
    let name = file_classes.get(given).copied().unwrap_or(given);
    if let Some(k) = class_names.iter().position(|c| c == name) {
        return Ok(k as u32);
    }
    if let Some(&k) = renamed.get(name) {
        return Ok(k);
    }
    if name != given {
        return Err(format!(
            "line {line}: relabel {given} is class '{name}' in the file, which this workspace does not have"
        ));
    }
    // An index the file's rows do not name is read in this workspace's numbering, unless the file's
    // rows show that it numbers the classes otherwise.
    let numbered_otherwise = file_classes.iter().any(|(k, name)| {
        let here = class_names
            .iter()
            .position(|c| c == name)
            .map(|k| k as u32)
            .or_else(|| renamed.get(name).copied());
        here.is_some_and(|here| k.parse::<u32>().ok() != Some(here))
    });
    match given.parse::<u32>() {
        Ok(_) if numbered_otherwise => Err(format!(
            "line {line}: relabel {given} is an index of a class none of the file's rows names, and the file \
             numbers its classes otherwise than this workspace; give the class by name (relabel_name)"
        )),
        Ok(k) if (k as usize) < class_names.len() => Ok(k),
        _ => Err(format!(
            "line {line}: relabel '{given}' is neither a class name ({}) nor a class index below {}{}",
            first_names(class_names),
            class_names.len(),
            if file_classes.values().any(|n| *n == given) {
                "; none of the file's rows of that class matched an example here to say what it became (a \
                 class folder renamed or merged?)"
            } else {
                ""
            }
        )),
    }
}

/// Up to ten class names, for messages.
fn first_names(names: &[String]) -> String {
    let more = if names.len() > 10 { ", …" } else { "" };
    format!("classes: {}{more}", names.iter().take(10).cloned().collect::<Vec<_>>().join(", "))
}
