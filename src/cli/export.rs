//! `cscore export`: the per-example table as CSV / JSONL / NPY, or a cleaned copy of the dataset.

use super::clean_notes::{kept_as_labeled, unknown_tags};
use super::export_format::table_format;
use super::outdated::warn_outdated;
use super::stderr::errln;
use clap::{Args, ValueEnum};
use cscore::data::{Format, InjectedKind};
use cscore::estimate::aggregate_workspace;
use cscore::export::{
    build_table, open_project, open_project_or_record, select_rows, write_atomic, write_clean, write_csv,
    write_jsonl, write_npy, CleanOptions, Filter, Layout, NpyData,
};
use cscore::project::Project;
use cscore::store::Workspace;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Table formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// The C-score vector (float64, NaN where not estimated) in dataset order.
    Npy,
}

/// Layouts of a cleaned dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CleanAs {
    /// train-images-idx3-ubyte + train-labels-idx1-ubyte (grey images only).
    Idx,
    /// data.npz with x, y and original_index.
    Npz,
    /// <class>/<index>.png
    Folder,
}

/// `cscore export` flags.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The workspace file.
    pub workspace: PathBuf,
    /// Output format [default: from the -o file's extension (.csv, .jsonl, .npy), else csv].
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
    /// Write the held-out predicted probabilities instead: float32 N × C .npy, per example the mean softmax
    /// of the runs that held it out (rows sum to 1; NaN rows for examples never held out), the
    /// `pred_probs` cleanlab takes. Only as .npy: with --format csv/jsonl it is refused.
    #[arg(long)]
    pub pred_probs: bool,
    /// With --pred-probs: only the runs of these subset ratios (of the plan's), e.g. 0.1,0.2 [default: all].
    #[arg(long, value_delimiter = ',', value_name = "R,…", requires = "pred_probs", action = clap::ArgAction::Set)]
    pub ratios: Vec<f64>,
    /// Keep only rows matching this expression, e.g. 'cscore < 0.3 and label == 7' or 'tag == "ood"'.
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Keep only examples with this tag (shortcut for --filter 'tag == "TAG"').
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Output file; `-` is standard output [default: standard output for csv/jsonl, <ws stem>.npy for npy].
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// With --format npy: also write <stem>.proxy_<name>.npy for every stored proxy.
    #[arg(long)]
    pub proxies: bool,
    /// Load the dataset from here instead of the path the workspace records (if it has moved).
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
    /// Write a cleaned copy of the dataset instead of a table (needs --to).
    #[arg(long, requires = "to")]
    pub clean: bool,
    /// Folder for the cleaned dataset (must not exist, or be empty).
    #[arg(long, value_name = "DIR", requires = "clean")]
    pub to: Option<PathBuf>,
    /// Leave out examples with these tags, e.g. mislabeled,ood.
    #[arg(long, value_delimiter = ',', value_name = "TAG,…", requires = "clean", action = clap::ArgAction::Set)]
    pub drop_tag: Vec<String>,
    /// Give examples the label set with relabel (in the explorer).
    #[arg(long, requires = "clean")]
    pub apply_relabels: bool,
    /// Layout of the cleaned dataset [default: the source's format; npz for CIFAR].
    #[arg(long = "as", value_enum, value_name = "LAYOUT", requires = "clean")]
    pub layout: Option<CleanAs>,
    /// With --as idx: gzip the IDX files.
    #[arg(long, requires = "clean")]
    pub gzip: bool,
}

/// Runs the command.
pub fn run(args: &ExportArgs) -> anyhow::Result<()> {
    if args.pred_probs {
        return super::pred_probs::run(args);
    }
    let format = table_format(args.format, args.output.as_deref())?;
    if args.clean && (args.filter.is_some() || args.tag.is_some() || args.output.is_some() || args.proxies) {
        anyhow::bail!(
            "--clean writes a dataset to --to DIR; --filter, --tag, -o and --proxies are for tables"
        );
    }
    if !args.clean && args.proxies && format != TableFormat::Npy {
        anyhow::bail!(
            "--proxies is for --format npy (one .npy file per proxy); csv and jsonl always hold every proxy_<name> column"
        );
    }
    if !args.clean && format == TableFormat::Npy {
        if args.filter.is_some() || args.tag.is_some() {
            anyhow::bail!("--format npy writes whole vectors in dataset order; --filter and --tag are for csv and jsonl");
        }
        let ws = Workspace::open(&args.workspace)?;
        warn_outdated(&ws)?;
        return npy(args, &ws);
    }
    if args.clean {
        let project = open_project(&args.workspace, args.data.as_deref())?;
        super::stderr::say_project_notes(&project);
        return clean(args, &project);
    }
    // A table needs no pixels: with the dataset changed or gone, the workspace's record of its examples
    // gives each one's label and file.
    let (project, without_dataset) = open_project_or_record(&args.workspace, args.data.as_deref())?;
    if let Some(why) = without_dataset {
        errln!("warning: {why}");
        errln!(
            "warning: the table's labels and files are those the workspace recorded when it was made, not the dataset's now"
        );
    }
    warn_outdated(&project.workspace)?;
    super::stderr::say_project_notes(&project);
    let ds = &project.dataset;
    let table = build_table(&project.workspace, &ds.labels, ds.paths.as_deref())?;
    if let Some(t) = &args.tag {
        for note in unknown_tags(&project.workspace.tags()?, std::slice::from_ref(t)) {
            errln!("note: {note}");
        }
    }
    let given = match &args.filter {
        Some(f) => Some(Filter::parse(f).map_err(|e| anyhow::anyhow!("--filter {f:?}: {e}"))?),
        None => None,
    };
    // Values of --filter that no row holds are noted; a --tag no example has is noted above.
    let absent: Vec<String> = given.iter().flat_map(|f| f.absent_values(&table)).collect();
    let filter = match (given, &args.tag) {
        (Some(parsed), Some(t)) => Some(parsed.and(Filter::tag_equals(t))),
        (Some(parsed), None) => Some(parsed),
        (None, Some(t)) => Some(Filter::tag_equals(t)),
        (None, None) => None,
    };
    let rows = select_rows(&table, filter.as_ref())
        .map_err(|e| anyhow::anyhow!("--filter {:?}: {e}", args.filter.as_deref().unwrap_or("")))?;
    for absent in absent {
        errln!("note: {absent}");
    }
    let write = |mut out: &mut dyn Write| match format {
        TableFormat::Jsonl => write_jsonl(&table, &rows, &mut out),
        _ => write_csv(&table, &rows, &mut out),
    };
    match args.output.as_deref() {
        None => to_stdout(write),
        Some(p) if p == Path::new("-") => to_stdout(write),
        Some(path) => {
            write_atomic(path, |f| {
                let mut buf = io::BufWriter::new(f);
                write(&mut buf)?;
                buf.flush()
            })?;
            errln!("wrote {} of {} examples to {}", rows.len(), table.rows(), path.display());
            Ok(())
        }
    }
}

/// Writes to standard output; a closed pipe (`| head`) ends the program quietly with status 141.
pub(super) fn to_stdout(write: impl Fn(&mut dyn Write) -> io::Result<()>) -> anyhow::Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if let Err(e) = write(&mut out).and_then(|()| out.flush()) {
        super::stdout::exit_on_write_error(&e);
    }
    Ok(())
}

/// `--format npy`: the C-score vector, and with --proxies one file per proxy beside it.
fn npy(args: &ExportArgs, ws: &Workspace) -> anyhow::Result<()> {
    let cscores = aggregate_workspace(ws)?.cscores();
    let n = cscores.len();
    let path = match &args.output {
        Some(p) => p.clone(),
        None => PathBuf::from(format!("{}.npy", stem(&args.workspace))),
    };
    if path == Path::new("-") {
        if args.proxies {
            anyhow::bail!("--proxies writes several files; give -o PATH.npy instead of -");
        }
        return to_stdout(|mut out| write_npy(&mut out, &[n], NpyData::F64(&cscores)));
    }
    let write_vector = |p: &Path, data: NpyData<'_>| {
        write_atomic(p, |f| {
            let mut buf = io::BufWriter::new(f);
            write_npy(&mut buf, &[n], data)?;
            buf.flush()
        })
    };
    write_vector(&path, NpyData::F64(&cscores))?;
    errln!("wrote the C-scores of {n} examples to {}", path.display());
    if args.proxies {
        let base = stem(&path);
        let dir = path.parent().unwrap_or(Path::new(""));
        for name in ws.proxy_names()? {
            if let Some(scores) = ws.proxy_scores(&name)? {
                let p = dir.join(format!("{base}.proxy_{name}.npy"));
                write_vector(&p, NpyData::F32(&scores))?;
                errln!("wrote proxy {name} to {}", p.display());
            }
        }
    }
    Ok(())
}

/// The file name without its last extension.
pub(super) fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(|| "cscore".into(), |s| s.to_string_lossy().into_owned())
}

/// `--clean`: the dataset without dropped examples and with relabels, plus manifest.csv.
fn clean(args: &ExportArgs, project: &Project) -> anyhow::Result<()> {
    let Some(dir) = &args.to else {
        anyhow::bail!("--clean needs --to DIR");
    };
    let layout = match args.layout {
        Some(CleanAs::Idx) => Layout::Idx { gzip: args.gzip },
        Some(CleanAs::Npz) => Layout::Npz,
        Some(CleanAs::Folder) => Layout::Folder,
        None => match project.dataset.format {
            Format::Idx => Layout::Idx { gzip: args.gzip },
            Format::Folder => Layout::Folder,
            Format::Npz | Format::Cifar => Layout::Npz,
        },
    };
    if args.gzip && !matches!(layout, Layout::Idx { .. }) {
        anyhow::bail!("--gzip applies to --as idx only");
    }
    let tags = project.workspace.tags()?;
    for note in unknown_tags(&tags, &args.drop_tag) {
        errln!("note: {note}");
    }
    // An image folder written as an image folder gets its own files back, unless some estimated images are
    // not those files (injected out-of-distribution images): then every image is written as estimated.
    let replaced = project
        .workspace
        .injected()?
        .iter()
        .any(|r| InjectedKind::from_name(&r.kind).is_none_or(InjectedKind::is_ood));
    let copy_originals = project.dataset.paths.is_some() && layout == Layout::Folder && !replaced;
    if project.dataset.paths.is_some() && layout == Layout::Folder && replaced {
        errln!("note: the workspace has injected out-of-distribution images: writing every image as estimated (PNG at the training size), not the source files");
    }
    let opts = CleanOptions {
        drop_tags: args.drop_tag.clone(),
        apply_relabels: args.apply_relabels,
        layout,
        copy_originals,
    };
    let report = write_clean(&project.dataset, &tags, &opts, dir)?;
    errln!(
        "wrote {} examples to {} ({} dropped, {} relabeled; what became of each: {})",
        report.kept,
        report.dataset.display(),
        report.dropped,
        report.relabeled,
        report.manifest.display()
    );
    for note in kept_as_labeled(&tags, &args.drop_tag, args.apply_relabels) {
        errln!("note: {note}");
    }
    Ok(())
}
