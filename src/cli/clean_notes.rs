//! What `cscore export` tells a user about the tags and relabels it leaves alone: a `--drop-tag` or `--tag`
//! that no example carries (with the tags there are), tagged examples kept under their labels, and
//! relabels not applied — a cleaned copy that silently equals the source is the mistake to prevent.

use cscore::store::TagRow;
use std::collections::BTreeMap;

/// Tag → examples carrying it, by name.
fn tag_counts<'a>(tags: impl Iterator<Item = &'a TagRow>) -> BTreeMap<&'a str, usize> {
    let mut counts = BTreeMap::new();
    for t in tags.filter_map(|t| t.tag.as_deref()) {
        *counts.entry(t).or_insert(0) += 1;
    }
    counts
}

fn listed(counts: &BTreeMap<&str, usize>) -> String {
    counts.iter().map(|(t, n)| format!("{t:?} ×{n}")).collect::<Vec<_>>().join(", ")
}

/// Notes for tags asked for (`--drop-tag`, `--tag`) that no example carries.
pub fn unknown_tags(tags: &[TagRow], asked: &[String]) -> Vec<String> {
    let counts = tag_counts(tags.iter());
    let there = match counts.is_empty() {
        true => "no example is tagged at all".to_string(),
        false => format!("the tags are {}", listed(&counts)),
    };
    asked
        .iter()
        .filter(|d| !counts.contains_key(d.as_str()))
        .map(|d| format!("no example is tagged {d:?} ({there})"))
        .collect()
}

/// Notes for what the cleaned copy keeps as the source had it: tagged examples not dropped, relabels not
/// applied.
pub fn kept_as_labeled(tags: &[TagRow], drop: &[String], apply_relabels: bool) -> Vec<String> {
    let dropped = |t: &TagRow| t.tag.as_ref().is_some_and(|t| drop.contains(t));
    // A relabel applied gives the example another label: it is not kept with its own.
    let relabeled = |t: &TagRow| apply_relabels && t.relabel.is_some();
    let kept = tag_counts(tags.iter().filter(|t| !dropped(t) && !relabeled(t)));
    let mut notes = Vec::new();
    if !kept.is_empty() {
        let total: usize = kept.values().sum();
        notes.push(format!(
            "kept with their labels: {total} tagged example(s) ({}); --drop-tag TAG leaves them out",
            listed(&kept)
        ));
    }
    let relabels = tags.iter().filter(|t| t.relabel.is_some() && !dropped(t)).count();
    if relabels > 0 && !apply_relabels {
        notes.push(format!(
            "{relabels} relabel(s) not applied (their examples keep the old label); --apply-relabels applies them"
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(example: usize, tag: Option<&str>, relabel: Option<u32>) -> TagRow {
        TagRow { example, tag: tag.map(str::to_string), relabel, note: None }
    }

    #[test]
    fn a_misspelt_tag_is_named_with_the_tags_there_are() {
        let tags =
            [row(0, Some("mislabeled"), None), row(1, Some("mislabeled"), None), row(2, Some("ood"), None)];
        let drop = vec!["mislabelled".to_string(), "ood".to_string()];
        assert_eq!(
            unknown_tags(&tags, &drop),
            ["no example is tagged \"mislabelled\" (the tags are \"mislabeled\" ×2, \"ood\" ×1)"]
        );
        assert_eq!(
            unknown_tags(&[], &drop[..1]),
            ["no example is tagged \"mislabelled\" (no example is tagged at all)"]
        );
    }

    #[test]
    fn what_is_kept_as_labeled_is_said() {
        let tags = [row(0, Some("mislabeled"), Some(3)), row(1, Some("ood"), None), row(2, None, Some(1))];
        assert_eq!(
            kept_as_labeled(&tags, &[], false),
            [
                "kept with their labels: 2 tagged example(s) (\"mislabeled\" ×1, \"ood\" ×1); --drop-tag TAG leaves them out",
                "2 relabel(s) not applied (their examples keep the old label); --apply-relabels applies them"
            ]
        );
        let drop = ["ood".to_string(), "mislabeled".to_string()];
        assert_eq!(
            kept_as_labeled(&tags, &drop, false),
            ["1 relabel(s) not applied (their examples keep the old label); --apply-relabels applies them"]
        );
        assert!(kept_as_labeled(&tags, &drop, true).is_empty());
        // Applied, a relabel is not "kept with its label": only the ood example is.
        assert_eq!(
            kept_as_labeled(&tags, &[], true),
            ["kept with their labels: 1 tagged example(s) (\"ood\" ×1); --drop-tag TAG leaves them out"]
        );
    }
}
