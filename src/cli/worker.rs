//! `cscore worker` (one shard of an estimate, for Slurm or Kubernetes) and `cscore merge`.

use super::args::EstimateArgs;
use super::stderr::errln;
use clap::Args;
use cscore::estimate::{check_finished, mark_finished, shard_files, Shard};
use cscore::pipeline::{completeness, merge_workspaces};
use cscore::store::Workspace;
use std::path::PathBuf;

/// `cscore worker` flags: the estimate flags plus the shard.
#[derive(Debug, Clone, Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub estimate: EstimateArgs,
    /// This worker's shard I/N (0 <= I < N); default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or
    /// JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Number of shards when the index comes from JOB_COMPLETION_INDEX (Kubernetes).
    #[arg(long, value_name = "N", env = "CSCORE_SHARD_COUNT")]
    pub shard_count: Option<usize>,
}

/// Runs one shard.
pub fn run(args: &WorkerArgs) -> anyhow::Result<()> {
    let shard = match args.shard {
        Some(s) => s,
        None => {
            let (s, from) = Shard::from_env(|k| std::env::var(k).ok(), args.shard_count)?;
            errln!("shard {s} (from {from})");
            s
        }
    };
    let finished = super::estimate::run_shard(&args.estimate, Some(shard))?;
    if let Some(runs) = finished.complete {
        // The workspace is closed by now, so the marker promises a file no one writes to any more.
        mark_finished(&finished.workspace, runs)?;
    }
    if let Some(status) = finished.interrupted {
        std::process::exit(status);
    }
    Ok(())
}

/// `cscore merge` flags.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// The workspace to merge into (created from the first shard if missing).
    pub workspace: PathBuf,
    /// Shard workspaces (`WS.shard-I-of-N`) written by `cscore worker`; a glob such as `WS.shard-*` is fine
    /// (the `.done` markers and SQLite side files it matches are skipped). Default: every
    /// `WS.shard-I-of-N` beside WS, refused unless they are all N shards of one split.
    pub shards: Vec<PathBuf>,
    /// Merge only once every shard's worker has finished (left WS.shard-I-of-N.done), and fail unless the
    /// merged workspace then holds every planned run (for schedulers that retry).
    #[arg(long)]
    pub require_complete: bool,
}

/// Merges the shards, all or nothing.
pub fn merge(args: &MergeArgs) -> anyhow::Result<()> {
    let files = shard_files(&args.workspace, &args.shards)?;
    let target = args.workspace.display();
    if files.found {
        errln!("{} shard(s) found beside {target}", files.shards.len());
    }
    if !files.skipped.is_empty() {
        errln!(
            "skipped {} file(s) among the shards: finished markers, SQLite side files or the target itself",
            files.skipped.len()
        );
    }
    if args.require_complete {
        check_finished(&files.shards)?;
    }
    let report = merge_workspaces(&args.workspace, &files.shards)?;
    for s in &report.shards {
        errln!("{}: {} run(s) added, {} already present → {target}", s.path.display(), s.added, s.skipped);
    }
    if !report.proxies.is_empty() {
        errln!("proxy scores from the shards: {}", report.proxies.join(", "));
    }
    if let Some(f) = &report.fused {
        errln!(
            "fused score recomputed (prior from {}, m = {:.1})",
            f.prior_proxies.join(", "),
            f.prior_strength
        );
    }
    for w in &report.warnings {
        errln!("warning: {w}");
    }
    let (have, want) = completeness(&Workspace::open(&args.workspace)?)?;
    if have >= want {
        errln!("{target}: complete ({have} of {want} planned runs)");
    } else if args.require_complete {
        anyhow::bail!("{target}: {have} of {want} planned runs merged so far");
    } else {
        errln!("{target}: incomplete: {have} of {want} planned runs merged so far (merge again as shards finish)");
    }
    Ok(())
}
