//! `cscore import-tags`: tags, relabels and notes from a table into a workspace, matched by index or by
//! file (to carry the labeling of one workspace to another of an edited copy of the dataset).

use super::stderr::errln;
use clap::{Args, ValueEnum};
use cscore::data::file_below;
use cscore::export::{open_project_or_record, read_tag_lines, resolve_tags, MatchBy};
use std::path::PathBuf;

/// How rows find their examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum By {
    /// The file (`path` column) for an image folder whose rows have one, else the index.
    Auto,
    /// The `index` column.
    Index,
    /// The `path` column: the longest ending of it that is an example's file below the folder.
    Path,
    /// The pixels: a workspace as the source (its tagged examples found here by their images).
    Content,
}

/// `cscore import-tags` flags.
#[derive(Debug, Clone, Args)]
pub struct ImportTagsArgs {
    /// The workspace file.
    pub workspace: PathBuf,
    /// The table: CSV with a header, or JSON Lines (.jsonl): `index` and/or `path`, and `tag`, `relabel`
    /// (class index or name), `note` columns (cscore's own export has them all). Or another workspace
    /// (of an edited copy of the dataset), whose tagged examples are found here by their pixels.
    pub file: PathBuf,
    /// Match rows to examples by this column (a workspace's examples: by content, their pixels).
    #[arg(long, value_enum, default_value_t = By::Auto)]
    pub by: By,
    /// Load the dataset from here instead of the path the workspace records.
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &ImportTagsArgs) -> anyhow::Result<()> {
    if super::data_arg::is_workspace(&args.file) {
        if matches!(args.by, By::Index | By::Path) {
            anyhow::bail!(
                "{} is a workspace: its tagged examples are found by their pixels (--by content); to match \
                 them by index or path, export its tags first (cscore export {} --filter 'tag != null' -o tags.csv)",
                args.file.display(),
                args.file.display()
            );
        }
        return super::carry_tags::run(args);
    }
    if args.by == By::Content {
        anyhow::bail!(
            "--by content takes another workspace (.cscore) as the source; {} is a table, whose rows have no \
             pixels: match by index or path",
            args.file.display()
        );
    }
    let lines = read_tag_lines(&args.file)?;
    let (project, without_dataset) = open_project_or_record(&args.workspace, args.data.as_deref())?;
    if let Some(why) = without_dataset {
        let what = if project.dataset.paths.is_some() { "files and labels" } else { "labels" };
        errln!("warning: {why}; matching against the {what} the workspace recorded");
    }
    super::stderr::say_project_notes(&project);
    let ds = &project.dataset;
    let files: Option<Vec<String>> =
        ds.paths.as_ref().map(|p| p.iter().map(|p| file_below(&ds.source, p)).collect());
    let by = match args.by {
        By::Index => MatchBy::Index,
        By::Path if files.is_none() => {
            anyhow::bail!(
                "--by path: the workspace's dataset is not an image folder; its examples have no files"
            )
        }
        By::Path => MatchBy::Path,
        By::Auto if files.is_some() && lines.iter().all(|l| l.path.is_some()) => MatchBy::Path,
        By::Auto | By::Content => MatchBy::Index,
    };
    let resolved = resolve_tags(&lines, by, &ds.labels, &ds.class_names, files.as_deref())
        .map_err(|p| anyhow::anyhow!("{}: {p}", args.file.display()))?;
    let column = if by == MatchBy::Path { "path" } else { "index" };
    if resolved.tags.is_empty() && !lines.is_empty() {
        anyhow::bail!(
            "{}: none of its {} rows matches an example of this workspace by {column} (the first: line {}, {})",
            args.file.display(),
            lines.len(),
            resolved.unmatched[0].0,
            resolved.unmatched[0].1
        );
    }
    let changed = project.workspace.import_tags(&resolved.tags)?;
    errln!(
        "{} row{} of {} matched example{} by {column}; {changed} example{} changed (tag changes can be undone in the explorer)",
        resolved.tags.len(),
        if resolved.tags.len() == 1 { "" } else { "s" },
        args.file.display(),
        if resolved.tags.len() == 1 { "" } else { "s" },
        if changed == 1 { "" } else { "s" }
    );
    if let Some((line, what)) = resolved.other_label.first() {
        let n = resolved.other_label.len();
        errln!(
            "warning: {n} row{} matched by index name{} another class than {} example has here (line {line}: \
             {what}{}); if examples were removed or added since the file was written, its indices shifted: \
             match by path where it has one, or check it",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" },
            if n == 1 { "its" } else { "their" },
            if n > 1 { ", …" } else { "" }
        );
    }
    if let Some(line) = resolved.own_class.first() {
        let n = resolved.own_class.len();
        errln!(
            "warning: {n} row{} relabel{} an example to the class it has, read as no relabel (line {line}{})",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" },
            if n > 1 { ", …" } else { "" }
        );
    }
    if let Some((line, named)) = resolved.unmatched.first() {
        errln!(
            "warning: {} row{} match{} no example (line {line}: {named}{})",
            resolved.unmatched.len(),
            if resolved.unmatched.len() == 1 { "" } else { "s" },
            if resolved.unmatched.len() == 1 { "es" } else { "" },
            if resolved.unmatched.len() > 1 { ", …" } else { "" }
        );
    }
    Ok(())
}
