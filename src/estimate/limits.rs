//! What a dataset cannot give: C-scores that are trivial or say little by construction, found from the
//! labels alone before anything trains. The caller says them once (the CLI on stderr, the explorer on
//! its message line).

/// Classes named in a warning before "and N more".
const NAMED: usize = 4;

/// One line per problem (none for an ordinary dataset): a single class (every C-score is trivially 1),
/// and classes too small to hold out, i.e. where a model trained at the smallest subset ratio sees on
/// average fewer than one other example of the class (its held-out examples then mostly meet a class
/// the model never saw).
pub fn dataset_warnings(labels: &[u32], class_names: &[String], ratios: &[f64]) -> Vec<String> {
    let mut out = empty_classes(labels, class_names).into_iter().collect::<Vec<_>>();
    out.extend(class_warnings(labels, class_names, ratios));
    out
}

/// Classes without a single example: where labels are sparse (an `.npz` with labels 0, 100, …, 900 has
/// 901 classes), the models get an output for every number in between.
fn empty_classes(labels: &[u32], class_names: &[String]) -> Option<String> {
    let mut seen = vec![false; class_names.len()];
    for &l in labels {
        if let Some(s) = seen.get_mut(l as usize) {
            *s = true;
        }
    }
    let empty = seen.iter().filter(|s| !**s).count();
    // With one class present the single-class warning says what matters.
    (empty > 0 && class_names.len() - empty >= 2).then(|| {
        format!(
            "{empty} of the {} classes have no example (labels are class numbers 0–{}; only {} occur): every \
             model still has an output per class; if the labels are not class numbers, number them 0, 1, 2, …",
            class_names.len(),
            class_names.len() - 1,
            class_names.len() - empty
        )
    })
}

/// A single class, and classes too small to hold out.
fn class_warnings(labels: &[u32], class_names: &[String], ratios: &[f64]) -> Vec<String> {
    let mut counts = vec![0usize; class_names.len()];
    for &l in labels {
        if let Some(c) = counts.get_mut(l as usize) {
            *c += 1;
        }
    }
    let present: Vec<usize> = (0..counts.len()).filter(|&c| counts[c] > 0).collect();
    let name = |c: usize| class_names.get(c).map_or_else(|| c.to_string(), Clone::clone);
    if present.len() == 1 {
        return vec![format!(
            "every example has the same class ('{}'): each held-out model can only predict it, so every \
             C-score is trivially 1 and says nothing about the examples",
            name(present[0])
        )];
    }
    let Some(smallest) = ratios.iter().copied().filter(|r| *r > 0.0).reduce(f64::min) else {
        return Vec::new();
    };
    let small: Vec<usize> =
        present.iter().copied().filter(|&c| smallest * (counts[c] - 1) as f64 + 1e-9 < 1.0).collect();
    if small.is_empty() {
        return Vec::new();
    }
    // "and 1 more" would take as much room as the class it hides.
    let named = if small.len() == NAMED + 1 { small.len() } else { NAMED };
    let mut listed: Vec<String> = small
        .iter()
        .take(named)
        .map(|&c| format!("'{}' ({} example{})", name(c), counts[c], if counts[c] == 1 { "" } else { "s" }))
        .collect();
    if small.len() > named {
        listed.push(format!("and {} more", small.len() - named));
    }
    let (one, these) = if small.len() == 1 { ("class is", "its") } else { ("classes are", "their") };
    vec![format!(
        "{} {one} too small to hold out: {}; at subset ratio {smallest} a model trains on fewer than one \
         other example of {these} class on average, so {these} C-scores mostly say the class was unseen",
        small.len(),
        listed.join(", ")
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|c| format!("c{c}")).collect()
    }

    #[test]
    fn sparse_labels_leave_classes_empty() {
        let labels: Vec<u32> = (0..100).map(|i| (i % 10) * 100).collect();
        let w = dataset_warnings(&labels, &names(901), &[0.5]);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("891 of the 901 classes have no example"), "{w:?}");
        assert!(w[0].contains("only 10 occur"), "{w:?}");
    }

    #[test]
    fn an_ordinary_dataset_gives_no_warning() {
        let labels: Vec<u32> = (0..200).map(|i| i % 4).collect();
        assert!(dataset_warnings(&labels, &names(4), &[0.1, 0.5, 0.9]).is_empty());
    }

    #[test]
    fn one_class_makes_every_cscore_trivial() {
        let w = dataset_warnings(&[2, 2, 2, 2], &names(3), &[0.5]);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("same class ('c2')") && w[0].contains("trivially 1"), "{w:?}");
    }

    #[test]
    fn small_classes_are_named_at_the_smallest_ratio() {
        // c1: 5 examples (0.1 × 4 others < 1), c2: 1 example, c3: 11 examples (0.1 × 10 = 1: enough)
        let mut labels = vec![0u32; 100];
        labels.extend([1; 5]);
        labels.push(2);
        labels.extend([3; 11]);
        let w = dataset_warnings(&labels, &names(4), &[0.5, 0.1, 0.9]);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("2 classes are too small to hold out: 'c1' (5 examples), 'c2' (1 example);"));
        assert!(w[0].contains("subset ratio 0.1"), "{w:?}");
        // at ratio 0.5 only the single example is too few
        let w = dataset_warnings(&labels, &names(4), &[0.5]);
        assert!(w[0].starts_with("1 class is too small to hold out: 'c2' (1 example);"), "{w:?}");
    }

    #[test]
    fn many_small_classes_are_summed_up() {
        let labels: Vec<u32> = (0..20).collect();
        let w = dataset_warnings(&labels, &names(20), &[0.9]);
        assert!(w[0].starts_with("20 classes are too small"), "{w:?}");
        assert!(w[0].contains("'c3' (1 example), and 16 more;"), "{w:?}");
        // five are named rather than four and "and 1 more"
        let w = dataset_warnings(&labels[..5], &names(5), &[0.9]);
        assert!(w[0].starts_with("5 classes are too small"), "{w:?}");
        assert!(w[0].contains("'c3' (1 example), 'c4' (1 example);"), "{w:?}");
        assert!(!w[0].contains("more"), "{w:?}");
    }
}
