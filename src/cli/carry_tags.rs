//! `cscore import-tags NEW OLD.cscore`: the tags, relabels and notes of another workspace, each carried
//! to the example here with its pixels (its file, where its image was changed in place).

use super::import_tags::ImportTagsArgs;
use super::stderr::errln;
use cscore::data::file_below;
use cscore::export::{carry_tags, open_project_or_record, read_tag_source, TagTarget};

/// How many old indices a warning lists before "…".
const LISTED: usize = 3;

/// Runs `import-tags` with a workspace as the source.
pub fn run(args: &ImportTagsArgs) -> anyhow::Result<()> {
    let source = read_tag_source(&args.file)?;
    let (project, without_dataset) = open_project_or_record(&args.workspace, args.data.as_deref())?;
    if let Some(why) = without_dataset {
        errln!("warning: {why}; matching against the pixel hashes the workspace recorded");
    }
    super::stderr::say_project_notes(&project);
    let Some(hashes) = project.workspace.example_hashes()? else {
        anyhow::bail!(
            "{}: it records no pixel hashes of its examples (it was made by an older cscore and its dataset \
             has changed since), so the tags of {} cannot be matched by their pixels; export them \
             (cscore export {} --filter 'tag != null' -o tags.csv) and import that table by path or index",
            args.workspace.display(),
            args.file.display(),
            args.file.display()
        )
    };
    let ds = &project.dataset;
    let files: Option<Vec<String>> =
        ds.paths.as_ref().map(|p| p.iter().map(|p| file_below(&ds.source, p)).collect());
    let target = TagTarget {
        labels: &ds.labels,
        class_names: &ds.class_names,
        files: files.as_deref(),
        hashes: &hashes,
    };
    let n = source.tags.len();
    if n == 0 {
        errln!("{} has no tags, relabels or notes: nothing to carry", args.file.display());
        return Ok(());
    }
    let carried = carry_tags(&source, &target);
    if carried.tags.is_empty() && n > 0 {
        anyhow::bail!(
            "none of the {n} tagged example{} of {} has its pixels in this workspace's dataset: is it another dataset?",
            plural(n),
            args.file.display()
        );
    }
    let changed = project.workspace.import_tags(&carried.tags)?;
    let by_file = carried.by_file.len();
    let found = carried.tags.len();
    errln!(
        "{found} of the {n} tagged example{} of {} found here ({}); {changed} example{} changed (tag changes can be undone in the explorer)",
        plural(n),
        args.file.display(),
        match by_file {
            0 => "by their pixels".to_string(),
            _ if by_file == found => format!("by {}: {} changed", its_file(by_file), it_they(by_file)),
            _ => format!("{} by their pixels, {by_file} changed since by {}", found - by_file, its_file(by_file)),
        },
        plural(changed)
    );
    let old = |i: usize| match &source.paths {
        Some(p) => format!("#{i} {}", p[i]),
        None => format!("#{i}"),
    };
    if !carried.unmatched.is_empty() {
        let m = carried.unmatched.len();
        errln!(
            "warning: {m} tagged example{} of {} not carried: not found here by {} pixels ({}); removed, or changed",
            plural(m),
            args.file.display(),
            if m == 1 { "its" } else { "their" },
            listed(carried.unmatched.iter().map(|&i| old(i)))
        );
    }
    if !carried.class_changed.is_empty() {
        let m = carried.class_changed.len();
        errln!(
            "warning: {m} example{} tagged mislabeled without a relabel {} another class here than when tagged ({}): \
             fixed since? check {}",
            plural(m),
            if m == 1 { "has" } else { "have" },
            listed(carried.class_changed.iter().map(|(i, then, now)| format!("{} {then} → {now}", old(*i)))),
            if m == 1 { "it" } else { "them" }
        );
    }
    if !carried.applied.is_empty() {
        let m = carried.applied.len();
        errln!(
            "note: {m} example{} relabeled since, to the class {} relabel named ({}): {} relabel and mislabeled tag not carried",
            plural(m),
            if m == 1 { "its" } else { "their" },
            listed(carried.applied.iter().map(|&i| old(i))),
            if m == 1 { "its" } else { "their" }
        );
    }
    if !carried.class_gone.is_empty() {
        let m = carried.class_gone.len();
        errln!(
            "warning: {m} relabel{} to a class this dataset lacks, dropped, the tag kept ({})",
            plural(m),
            listed(carried.class_gone.iter().map(|(i, c)| format!("{} → {c}", old(*i))))
        );
    }
    Ok(())
}

fn its_file(n: usize) -> &'static str {
    if n == 1 {
        "its file"
    } else {
        "their files"
    }
}

fn it_they(n: usize) -> &'static str {
    if n == 1 {
        "its image"
    } else {
        "their images"
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The first few of `items`, comma-separated, "…" after them where there are more.
fn listed(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    let more = if items.len() > LISTED { ", …" } else { "" };
    format!("{}{more}", items.into_iter().take(LISTED).collect::<Vec<_>>().join(", "))
}
