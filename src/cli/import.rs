//! `cscore import-scores`: reference scores from a file into the workspace (as column `ref_<NAME>`).

use super::stderr::errln;
use clap::Args;
use cscore::export::{check_labels, original_labels, read_scores, valid_score_name};
use cscore::store::Workspace;
use std::path::PathBuf;

/// `cscore import-scores` flags.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The workspace file.
    pub workspace: PathBuf,
    /// The scores: .npy (1-D), .npz (array `scores`, optional `labels`) or CSV (index,score or one per line).
    pub file: PathBuf,
    /// Name of the imported scores (letters, digits, _); they appear as ref_<NAME>.
    #[arg(long)]
    pub name: String,
    /// The .npz array or CSV column holding the scores [default: scores, or the only non-index column].
    #[arg(long, value_name = "NAME")]
    pub field: Option<String>,
    /// Load the dataset from here (to check labels) instead of the path the workspace records.
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &ImportArgs) -> anyhow::Result<()> {
    valid_score_name(&args.name).map_err(anyhow::Error::msg)?;
    let ws = Workspace::open(&args.workspace)?;
    let n = ws.num_examples();
    let imported = read_scores(&args.file, n, args.field.as_deref())?;
    if imported.present() == 0 {
        anyhow::bail!("{}: every score is missing (empty or NaN)", args.file.display());
    }
    if let Some(labels) = &imported.labels {
        check_labels(&args.file, labels, &original_labels(&args.workspace, args.data.as_deref())?)?;
    }
    let replaced = ws.reference_names()?.contains(&args.name);
    let source = std::fs::canonicalize(&args.file).unwrap_or_else(|_| args.file.clone());
    ws.set_reference_scores(&args.name, &imported.scores, &source.display().to_string())?;
    errln!(
        "{} {} of {n} scores from {} as ref_{}{}",
        if replaced { "replaced with" } else { "imported" },
        imported.present(),
        args.file.display(),
        args.name,
        if imported.labels.is_some() { " (labels checked)" } else { "" }
    );
    Ok(())
}
