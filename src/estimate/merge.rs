//! Folding shard workspaces into one: same dataset, same plan, runs already present skipped, conflicting
//! runs refused. Idempotent: merging a shard twice adds nothing the second time.

use super::resolve::{store_plan, stored_plan};
use crate::store::{RunKey, RunRecord, Workspace};
use crate::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// Config key of injected-corruption settings (written by `project`).
const CORRUPTION_KEY: &str = "corruption";

/// What one merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Runs copied into the target.
    pub added: usize,
    /// Runs the target already held, identical.
    pub skipped: usize,
}

/// Whether two records hold the same result (timings aside).
fn same_result(a: &RunRecord, b: &RunRecord) -> bool {
    a.seed == b.seed
        && a.status == b.status
        && a.heldout_mask == b.heldout_mask
        && a.heldout_correct == b.heldout_correct
        && a.heldout_predictions == b.heldout_predictions
}

/// Merges the workspace at `shard_path` into the one at `target` (created from the shard if missing).
pub fn merge_workspace(target: &Path, shard_path: &Path) -> Result<MergeReport> {
    let shard = Workspace::open(shard_path)?;
    let info = shard.dataset_info()?;
    let ws = Workspace::open_or_create(target, &info)?;
    let shown = shard_path.display();
    let plan = stored_plan(&shard)?.ok_or_else(|| {
        Error::Config(format!("{shown}: this shard holds no estimation plan (no run was started)"))
    })?;
    match stored_plan(&ws)? {
        Some(mine) if !mine.same_models_as(&plan) => {
            return Err(Error::Config(format!(
                "{shown}: refusing to merge: this shard was estimated with another plan ({}) than {} ({})",
                super::describe(&plan),
                target.display(),
                super::describe(&mine)
            )))
        }
        Some(mine) if mine.runs >= plan.runs && mine.proxy_runs >= plan.proxy_runs => {}
        Some(mine) => {
            let runs = mine.runs.max(plan.runs);
            let proxy_runs = mine.proxy_runs.max(plan.proxy_runs);
            store_plan(&ws, &super::Plan { runs, proxy_runs, ..mine })?;
        }
        None => store_plan(&ws, &plan)?,
    }
    match (ws.config(CORRUPTION_KEY)?, shard.config(CORRUPTION_KEY)?) {
        (a, b) if a == b => {}
        (None, Some(settings)) if ws.run_counts()?.done + ws.run_counts()?.failed == 0 => {
            ws.set_injected(&shard.injected()?)?;
            ws.set_config(CORRUPTION_KEY, &settings)?;
        }
        _ => {
            return Err(Error::Config(format!(
                "{shown}: refusing to merge: its injected corruption differs from {}'s",
                target.display()
            )))
        }
    }
    let existing: HashMap<RunKey, RunRecord> = ws.load_runs(false)?.into_iter().map(|r| (r.key, r)).collect();
    let mut report = MergeReport::default();
    for (_, run) in shard.runs_after(0, true)? {
        match existing.get(&run.key) {
            Some(have) if same_result(have, &run) => report.skipped += 1,
            Some(_) => {
                return Err(Error::Config(format!(
                    "{shown}: refusing to merge: run {:?} differs from the one {} already holds",
                    run.key,
                    target.display()
                )))
            }
            None => {
                if ws.insert_run(&run)? {
                    report.added += 1;
                } else {
                    report.skipped += 1;
                }
            }
        }
    }
    Ok(report)
}
