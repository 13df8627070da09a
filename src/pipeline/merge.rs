//! Folding shard workspaces into one, all or nothing. Every shard is checked against the others (same
//! dataset, plan and injected corruption) before anything is written; then the plan, the runs and the
//! proxy scores go into the target in one transaction, which also checks the target and refuses
//! conflicting runs, so a refusal leaves the target as it was (and creates no file). Runs already
//! present are skipped: merging a shard twice adds nothing the second time.

use super::merge_proxies::merge_proxies;
use crate::estimate::{describe, store_plan, stored_plan, Plan};
use crate::proxy::Fused;
use crate::store::{DatasetInfo, RunKey, RunRecord, StoreError, Workspace, CORRUPTION_KEY};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// What merging did with one shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardReport {
    /// The shard workspace.
    pub path: PathBuf,
    /// Runs copied into the target.
    pub added: usize,
    /// Runs the target (or an earlier shard of this merge) already held, identical.
    pub skipped: usize,
}

/// What one merge did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeReport {
    /// Per shard, in the order given.
    pub shards: Vec<ShardReport>,
    /// Proxy scores copied from the shards.
    pub proxies: Vec<String>,
    /// The fused estimate, recomputed on the merged workspace when any workspace involved had one.
    pub fused: Option<Fused>,
    /// Things the user should know (disagreeing proxies, proxies from part of the proxy runs).
    pub warnings: Vec<String>,
}

/// One shard, opened and read.
struct Source {
    path: PathBuf,
    ws: Workspace,
    info: DatasetInfo,
    plan: Plan,
    corruption: Option<String>,
}

impl Source {
    fn open(path: &Path) -> Result<Source> {
        let ws = Workspace::open(path)?;
        let plan = stored_plan(&ws)?.ok_or_else(|| {
            Error::Config(format!(
                "{}: this shard holds no estimation plan (no run was started)",
                path.display()
            ))
        })?;
        Ok(Source {
            path: path.to_path_buf(),
            info: ws.dataset_info()?,
            corruption: ws.config(CORRUPTION_KEY)?,
            plan,
            ws,
        })
    }
}

/// Merges the workspaces at `shards` into the one at `target` (created from the first shard if missing).
pub fn merge_workspaces(target: &Path, shards: &[PathBuf]) -> Result<MergeReport> {
    let sources = shards.iter().map(|p| Source::open(p)).collect::<Result<Vec<_>>>()?;
    let Some(first) = sources.first() else {
        return Err(Error::Config("no shard workspace to merge".into()));
    };
    for s in &sources {
        if same_file(&s.path, target) {
            return Err(refusal(s, format!("it is the target {} itself", target.display())));
        }
        check_dataset(s, &first.info, &first.path)?;
        if !s.plan.same_models_as(&first.plan) {
            let other = format!("{} ({})", first.path.display(), describe(&first.plan));
            return Err(refusal(
                s,
                format!("it was estimated with another plan ({}) than {other}", describe(&s.plan)),
            ));
        }
        if s.corruption != first.corruption {
            return Err(refusal(
                s,
                format!("its injected corruption differs from {}'s", first.path.display()),
            ));
        }
    }
    let (ws, created) = match Workspace::create(target, &first.info) {
        Err(StoreError::Exists { .. }) => (Workspace::open(target)?, false),
        made => (made?, true),
    };
    let merged = check_dataset(first, &ws.dataset_info()?, target)
        .and_then(|()| ws.transaction(|ws| fold(ws, &sources)));
    if merged.is_err() && created {
        // Nothing was merged into the file this merge made: leave no empty workspace behind.
        drop(ws);
        crate::store::remove_workspace_files(target);
    }
    merged
}

/// Merges one shard into `target`; see [`merge_workspaces`].
pub fn merge_workspace(target: &Path, shard: &Path) -> Result<MergeReport> {
    merge_workspaces(target, &[shard.to_path_buf()])
}

/// Runs held by the workspace and runs its plan asks for (`have < want` until the merge is complete).
pub fn completeness(ws: &Workspace) -> Result<(usize, usize)> {
    let want = stored_plan(ws)?.map_or(0, |p| p.schedule().len());
    Ok((ws.run_keys()?.len(), want))
}

/// Everything written, inside the target's transaction.
fn fold(ws: &Workspace, sources: &[Source]) -> Result<MergeReport> {
    let target = ws.path().display();
    let first = &sources[0];
    let runs = sources.iter().map(|s| s.plan.runs).max().unwrap_or(0);
    let proxy_runs = sources.iter().map(|s| s.plan.proxy_runs).max().unwrap_or(0);
    let plan = match stored_plan(ws)? {
        Some(mine) if !mine.same_models_as(&first.plan) => {
            let why = format!(
                "it was estimated with another plan ({}) than {target} ({})",
                describe(&first.plan),
                describe(&mine)
            );
            return Err(refusal(first, why));
        }
        Some(mine) => Plan { runs: runs.max(mine.runs), proxy_runs: proxy_runs.max(mine.proxy_runs), ..mine },
        None => Plan { runs, proxy_runs, ..first.plan.clone() },
    };
    if stored_plan(ws)?.as_ref() != Some(&plan) {
        store_plan(ws, &plan)?;
    }
    let mine = ws.config(CORRUPTION_KEY)?;
    if mine != first.corruption {
        let empty = ws.run_keys()?.is_empty();
        match (&mine, &first.corruption) {
            (None, Some(settings)) if empty => {
                ws.set_injected(&first.ws.injected()?)?;
                ws.set_config(CORRUPTION_KEY, settings)?;
            }
            _ => return Err(refusal(first, format!("its injected corruption differs from {target}'s"))),
        }
    }
    let mut report = MergeReport::default();
    for s in sources {
        let mut r = ShardReport { path: s.path.clone(), added: 0, skipped: 0 };
        s.ws.for_each_run(true, |run| -> Result<()> {
            match ws.run(run.key)? {
                Some(have) if same_result(&have, &run) => r.skipped += 1,
                Some(_) => {
                    let why =
                        format!("its {} differs from the one {target} already holds", describe_key(run.key));
                    return Err(refusal(s, why));
                }
                None if ws.insert_run(&run)? => r.added += 1,
                None => r.skipped += 1,
            }
            Ok(())
        })?;
        report.shards.push(r);
        report.warnings.extend(ws.merge_prob_sums(&s.ws)?);
    }
    let pairs: Vec<(&Path, &Workspace)> = sources.iter().map(|s| (s.path.as_path(), &s.ws)).collect();
    let proxies = merge_proxies(ws, &pairs)?;
    report.proxies = proxies.copied;
    report.fused = proxies.fused;
    report.warnings.extend(proxies.warnings);
    Ok(report)
}

/// Refuses `s` unless its dataset is `info` (of the workspace at `of`).
fn check_dataset(s: &Source, info: &DatasetInfo, of: &Path) -> Result<()> {
    if s.info.content_hash == info.content_hash && s.info.num_examples == info.num_examples {
        return Ok(());
    }
    let short = |h: &str| h.chars().take(12).collect::<String>();
    Err(refusal(
        s,
        format!(
            "it belongs to dataset {} (hash {}…), but {} belongs to dataset {} (hash {}…)",
            s.info.source,
            short(&s.info.content_hash),
            of.display(),
            info.source,
            short(&info.content_hash)
        ),
    ))
}

fn refusal(s: &Source, why: String) -> Error {
    Error::Config(format!("{}: refusing to merge: {why}; nothing was merged", s.path.display()))
}

/// Whether two paths name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn describe_key(k: RunKey) -> String {
    if k.kind_is_proxy {
        format!("proxy run {}", k.run_index)
    } else {
        format!("holdout run {} at ratio index {}", k.run_index, k.ratio_index)
    }
}

/// Whether two records hold the same result (timings aside).
fn same_result(a: &RunRecord, b: &RunRecord) -> bool {
    a.seed == b.seed
        && a.status == b.status
        && a.heldout_mask == b.heldout_mask
        && a.heldout_correct == b.heldout_correct
        && a.heldout_predictions == b.heldout_predictions
}
