//! `cscore worker` (one shard of an estimate, for Slurm or Kubernetes) and `cscore merge`.

use super::args::EstimateArgs;
use clap::Args;
use cscore::estimate::{merge_workspace, stored_plan, Shard};
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
            eprintln!("shard {s} (from {from})");
            s
        }
    };
    super::estimate::run_shard(&args.estimate, Some(shard))
}

/// `cscore merge` flags.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// The workspace to merge into (created from the first shard if missing).
    pub workspace: PathBuf,
    /// Shard workspaces (`WS.shard-I-of-N`) written by `cscore worker`.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Fail unless the merged workspace then holds every planned run (for schedulers that retry).
    #[arg(long)]
    pub require_complete: bool,
}

/// Merges every shard in turn; stops at the first refusal.
pub fn merge(args: &MergeArgs) -> anyhow::Result<()> {
    for shard in &args.shards {
        let report = merge_workspace(&args.workspace, shard)?;
        eprintln!(
            "{}: {} run(s) added, {} already present → {}",
            shard.display(),
            report.added,
            report.skipped,
            args.workspace.display()
        );
    }
    if args.require_complete {
        let ws = Workspace::open(&args.workspace)?;
        let plan = stored_plan(&ws)?.unwrap_or_default();
        let have = ws.run_keys()?.len();
        let want = plan.schedule().len();
        if have < want {
            anyhow::bail!("{}: {have} of {want} planned runs merged so far", args.workspace.display());
        }
        eprintln!("{}: complete ({have} of {want} planned runs)", args.workspace.display());
    }
    Ok(())
}
