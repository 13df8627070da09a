//! `cscore eval`: how well the C-score, every proxy and every reference find known-bad examples, or agree
//! with reference scores.

use super::outdated::warn_outdated;
use super::stderr::errln;
use super::stdout::outln;
use clap::Args;
use cscore::estimate::aggregate_workspace;
use cscore::export::{
    check_labels, eval_reference, eval_truth, original_labels, read_scores, read_truth_indices,
    workspace_scores, NamedScores,
};
use cscore::store::Workspace;
use std::path::PathBuf;

/// `cscore eval` flags.
#[derive(Debug, Clone, Args)]
pub struct EvalArgs {
    /// The workspace file.
    pub workspace: PathBuf,
    /// Known-bad example indices: one per line (or, for an image folder, files), or a .npy of integers.
    #[arg(long, value_name = "FILE", conflicts_with = "reference_scores")]
    pub truth_indices: Option<PathBuf>,
    /// Reference C-scores (.npy, .npz with `scores`, CSV), or the name of imported ones.
    #[arg(long, value_name = "FILE|NAME")]
    pub reference_scores: Option<PathBuf>,
    /// The .npz array or CSV column holding the reference scores.
    #[arg(long, value_name = "NAME", requires = "reference_scores")]
    pub field: Option<String>,
    /// Load the dataset from here (to check a .npz's labels) instead of the path the workspace records.
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
    /// Compare the proxies with the current C-score and each other (ρ, τ, AUROC/AP for injected
    /// examples, disagreement rankings) instead.
    #[arg(long, conflicts_with_all = ["truth_indices", "reference_scores"])]
    pub compare: bool,
    /// Examples per disagreement ranking (with --compare).
    #[arg(long, default_value_t = 10, requires = "compare")]
    pub top: usize,
    /// Print the comparison as one JSON object (with --compare).
    #[arg(long, requires = "compare")]
    pub json: bool,
}

/// Runs the command.
pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    let ws = Workspace::open(&args.workspace)?;
    warn_outdated(&ws)?;
    if args.compare {
        return super::eval_compare::run(&ws, args.top, args.json);
    }
    let n = ws.num_examples();
    let agg = aggregate_workspace(&ws)?;
    let mut scores = workspace_scores(&ws, &agg)?;
    let models = agg.holdout_accuracy();
    let model_line = format!("trained models: mean held-out accuracy {} over {} runs", models, models.runs);
    if let Some(reference) = &args.reference_scores {
        let (values, what) = if reference.is_file() {
            let r = read_scores(reference, n, args.field.as_deref())?;
            if let Some(labels) = &r.labels {
                check_labels(reference, labels, &original_labels(&args.workspace, args.data.as_deref())?)?;
                errln!("labels in {} checked against the dataset", reference.display());
            }
            (r.scores.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>(), reference.display().to_string())
        } else {
            let given = reference.to_string_lossy().into_owned();
            // The name as imported, or as its export column (`ref_<name>`).
            let name = match given.strip_prefix("ref_") {
                Some(bare) if ws.reference_scores(&given)?.is_none() => bare.to_string(),
                _ => given,
            };
            let Some(v) = ws.reference_scores(&name)? else {
                anyhow::bail!(
                    "{name}: no such file, nor imported scores of that name (imported: {})",
                    list(&ws.reference_names()?)
                );
            };
            scores.retain(|s| s.name != format!("ref_{name}"));
            (v.into_iter().map(f64::from).collect(), format!("ref_{name} (imported)"))
        };
        let present = values.iter().filter(|v| !v.is_nan()).count();
        let below = values.iter().filter(|&&v| v < 1.0).count();
        outln!("against reference scores {what}: {present} of {n} examples, {below} of them below 1");
        outln!("(each score oriented so that high = regular, like the C-score)");
        outln!("{model_line}");
        print_reference(&scores, &values);
        return Ok(());
    }
    let (bad, what) = match &args.truth_indices {
        Some(file) => {
            let files = example_files(&ws)?;
            (read_truth_indices(file, n, files.as_deref())?, file.display().to_string())
        }
        None => {
            let injected = ws.injected()?;
            if injected.is_empty() {
                anyhow::bail!(
                    "{}: no injected ground truth; give --truth-indices FILE or --reference-scores FILE",
                    args.workspace.display()
                );
            }
            let mut bad = vec![false; n];
            for row in injected.iter().filter(|r| r.example < n) {
                bad[row.example] = true;
            }
            (bad, "the workspace's injected corruption".to_string())
        }
    };
    let positives = bad.iter().filter(|&&b| b).count();
    outln!("against {positives} known-bad examples of {n} ({what})");
    outln!("(low = irregular predicts bad; AUROC 0.5 and AP = the base rate are chance)");
    outln!("{model_line}");
    print_truth(&scores, &bad);
    Ok(())
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.4}"))
}

fn print_truth(scores: &[NamedScores], bad: &[bool]) {
    outln!("{:<32} {:>8} {:>6} {:>8} {:>8} {:>9}", "score", "used", "bad", "AUROC", "AP", "base rate");
    for r in eval_truth(scores, bad) {
        let base = (r.used > 0).then(|| r.positives as f64 / r.used as f64);
        outln!(
            "{:<32} {:>8} {:>6} {:>8} {:>8} {:>9}",
            r.name,
            r.used,
            r.positives,
            num(r.auroc),
            num(r.average_precision),
            num(base)
        );
    }
}

fn print_reference(scores: &[NamedScores], reference: &[f64]) {
    outln!(
        "{:<32} {:>8} {:>9} {:>9} {:>8} {:>9} {:>9}",
        "score",
        "used",
        "spearman",
        "kendall",
        "used<1",
        "spearman",
        "kendall"
    );
    for r in eval_reference(scores, reference) {
        outln!(
            "{:<32} {:>8} {:>9} {:>9} {:>8} {:>9} {:>9}",
            r.name,
            r.used,
            num(r.spearman),
            num(r.kendall_tau_b),
            r.used_below_one,
            num(r.spearman_below_one),
            num(r.kendall_tau_b_below_one)
        );
    }
}

/// The files of an image folder's examples below the folder, as the workspace recorded them, or read
/// from the folder's listing (no image is opened); `None` for other formats.
fn example_files(ws: &Workspace) -> anyhow::Result<Option<Vec<String>>> {
    if let Some(paths) = ws.example_record()?.and_then(|r| r.paths) {
        return Ok(Some(paths));
    }
    let info = ws.dataset_info()?;
    if info.format != "folder" {
        return Ok(None);
    }
    let root = std::path::Path::new(&info.source);
    let load = cscore::data::LoadOptions { format: Some(cscore::data::Format::Folder), ..Default::default() };
    let Ok(Some(listed)) = cscore::data::load_labels(root, &load) else { return Ok(None) };
    Ok(listed.paths.map(|p| p.iter().map(|f| cscore::data::file_below(root, f)).collect()))
}
