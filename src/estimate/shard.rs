//! Splitting a plan across independent workers (Slurm array tasks, Kubernetes indexed jobs), balanced by
//! cost: a run at subset ratio s costs about s (its training set), a proxy run about 1 plus its tracking.

use super::plan::{Plan, RunSpec};
use crate::store::RunKey;
use crate::{Error, Result};
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Shard `index` of `count` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, in `0..count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = Error;

    /// Parses `I/N` with 0 ≤ I < N.
    fn from_str(s: &str) -> Result<Shard> {
        let bad = || Error::Config(format!("bad shard '{s}': expected I/N with 0 <= I < N, e.g. 0/3"));
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        Shard::new(index, count).ok_or_else(bad)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// `None` unless 0 ≤ index < count.
    pub fn new(index: usize, count: usize) -> Option<Shard> {
        (index < count).then_some(Shard { index, count })
    }

    /// The shard a scheduler assigned this process, and where it was read from. Slurm job arrays set
    /// `SLURM_ARRAY_TASK_ID` (offset by `SLURM_ARRAY_TASK_MIN`) and `SLURM_ARRAY_TASK_COUNT`; Kubernetes
    /// indexed jobs set `JOB_COMPLETION_INDEX`, with the count from `count` or `CSCORE_SHARD_COUNT`.
    pub fn from_env(
        get: impl Fn(&str) -> Option<String>,
        count: Option<usize>,
    ) -> Result<(Shard, &'static str)> {
        let num = |name: &str| -> Result<Option<usize>> {
            match get(name) {
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| Error::Config(format!("{name}={v} is not a non-negative integer"))),
                None => Ok(None),
            }
        };
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let n = match count {
                Some(n) => n,
                None => num("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| {
                    Error::Config(
                        "SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard-count"
                            .into(),
                    )
                })?,
            };
            let shard = id.checked_sub(min).and_then(|i| Shard::new(i, n)).ok_or_else(|| {
                Error::Config(format!("Slurm array task {id} (min {min}) is outside a {n}-task array"))
            })?;
            return Ok((shard, "SLURM_ARRAY_TASK_ID"));
        }
        if let Some(i) = num("JOB_COMPLETION_INDEX")? {
            let n = match count {
                Some(n) => n,
                None => num("CSCORE_SHARD_COUNT")?.ok_or_else(|| {
                    Error::Config(
                        "JOB_COMPLETION_INDEX is set but the shard count is not: pass --shard-count or set CSCORE_SHARD_COUNT (the Job's completions)"
                            .into(),
                    )
                })?,
            };
            let shard = Shard::new(i, n)
                .ok_or_else(|| Error::Config(format!("JOB_COMPLETION_INDEX {i} is outside {n} shards")))?;
            return Ok((shard, "JOB_COMPLETION_INDEX"));
        }
        Err(Error::Config(
            "no shard given: pass --shard I/N, or run as a Slurm array task (SLURM_ARRAY_TASK_ID) or a Kubernetes indexed job (JOB_COMPLETION_INDEX)".into(),
        ))
    }

    /// Whether this shard trains the proxy runs and computes the proxy scores ([`PROXY_SHARD`]).
    pub fn computes_proxies(&self) -> bool {
        self.index == PROXY_SHARD
    }

    /// The workspace file of this shard: `WS.shard-I-of-N`.
    pub fn workspace_path(&self, ws: &Path) -> PathBuf {
        let mut name = ws.as_os_str().to_owned();
        name.push(format!(".shard-{}-of-{}", self.index, self.count));
        name.into()
    }
}

/// The shard that trains every proxy run and computes the proxies (the other shards skip them; merge
/// takes them from this one).
pub const PROXY_SHARD: usize = 0;

/// The marker `cscore worker` leaves beside its shard workspace once every run of the shard is stored and
/// the workspace is closed (its WAL folded back into the file): `WS.shard-I-of-N.done`.
fn finished_marker(shard_ws: &Path) -> PathBuf {
    let mut name = shard_ws.as_os_str().to_owned();
    name.push(".done");
    name.into()
}

/// Marks the shard workspace `shard_ws` finished (call after closing it).
pub fn mark_finished(shard_ws: &Path, runs: usize) -> Result<()> {
    let marker = finished_marker(shard_ws);
    std::fs::write(&marker, format!("{runs} runs\n"))
        .map_err(|e| Error::Config(format!("{}: cannot write the finished marker: {e}", marker.display())))
}

/// Removes the finished marker of `shard_ws` (a worker about to train more of it).
pub fn clear_finished(shard_ws: &Path) -> Result<()> {
    let marker = finished_marker(shard_ws);
    match std::fs::remove_file(&marker) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::Config(format!("{}: cannot remove the finished marker: {e}", marker.display())))
        }
        _ => Ok(()),
    }
}

/// Fails, naming the first, unless the worker of every shard workspace has finished (left its marker).
pub fn check_finished(shards: &[PathBuf]) -> Result<()> {
    // Shards named as one split's (`WS.shard-I-of-N`) must be all N of it: a merge of some would fill the
    // target with part of the runs and then fail.
    let named: Vec<(Shard, PathBuf)> =
        shards.iter().filter_map(|s| super::shard_files::shard_of_path(s)).collect();
    if let Some((first, base)) = named.first().filter(|_| named.len() == shards.len()) {
        let one_split = named.iter().all(|(s, b)| s.count == first.count && b == base);
        let given: HashSet<usize> = named.iter().map(|(s, _)| s.index).collect();
        if let Some(missing) = (0..first.count).find(|i| !given.contains(i)).filter(|_| one_split) {
            return Err(Error::Config(format!(
                "{}.shard-{missing}-of-{}: not among the shards given ({} of the split's {}); --require-complete \
                 merges every shard of a split, nothing was merged",
                base.display(),
                first.count,
                given.len(),
                first.count
            )));
        }
    }
    match shards.iter().find(|s| !finished_marker(s).is_file()) {
        Some(s) => Err(Error::Config(format!(
            "{}: its worker has not finished the shard (no {}: still running, or stopped with runs left; run that worker again to finish it); only finished shards are merged with --require-complete",
            s.display(),
            finished_marker(s).display()
        ))),
        None => Ok(()),
    }
}

/// Relative cost of a run: its training-set size in units of the dataset, plus tracking.
fn cost(spec: &RunSpec) -> f64 {
    spec.subset_ratio + if spec.track { 0.35 } else { 0.0 }
}

/// The runs of `plan` that belong to `shard`: every proxy run goes to shard [`PROXY_SHARD`] (so one process
/// sees all of them and computes the proxies from them as a single estimate would), then each holdout run
/// to the least loaded shard (ties to the lowest index), so shards finish together: round by round of run
/// index (run 0 of every ratio, then run 1, …), longest first within a round. A run's shard depends only on
/// the rounds up to its own, so a plan extended with a larger `--runs` keeps every run where it was and
/// gives the shards only new runs. Deterministic.
pub fn shard_runs(plan: &Plan, shard: Shard) -> HashSet<RunKey> {
    let (proxy, mut runs): (Vec<RunSpec>, Vec<RunSpec>) =
        plan.schedule().into_iter().partition(|r| r.key.kind_is_proxy);
    runs.sort_by(|a, b| {
        (a.key.run_index.cmp(&b.key.run_index)).then(cost(b).total_cmp(&cost(a))).then(a.key.cmp(&b.key))
    });
    let mut load = vec![0.0f64; shard.count];
    load[PROXY_SHARD] = proxy.iter().map(cost).sum();
    let mut mine: HashSet<RunKey> =
        proxy.iter().filter(|_| shard.index == PROXY_SHARD).map(|r| r.key).collect();
    for r in &runs {
        let (least, _) =
            load.iter()
                .enumerate()
                .fold((0, f64::INFINITY), |best, (i, &l)| if l < best.1 { (i, l) } else { best });
        load[least] += cost(r);
        if least == shard.index {
            mine.insert(r.key);
        }
    }
    mine
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_plan_and_balance_cost() {
        let plan = Plan { runs: 10, ..Plan::default() };
        let all: HashSet<RunKey> = plan.schedule().iter().map(|s| s.key).collect();
        let parts: Vec<HashSet<RunKey>> =
            (0..3).map(|i| shard_runs(&plan, Shard { index: i, count: 3 })).collect();
        let union: HashSet<RunKey> = parts.iter().flatten().copied().collect();
        assert_eq!(union, all);
        assert_eq!(parts.iter().map(HashSet::len).sum::<usize>(), all.len(), "disjoint");
        let specs = plan.schedule();
        let loads: Vec<f64> =
            parts.iter().map(|p| specs.iter().filter(|s| p.contains(&s.key)).map(cost).sum()).collect();
        let (lo, hi) = loads.iter().fold((f64::MAX, 0f64), |(a, b), &l| (a.min(l), b.max(l)));
        assert!(hi - lo <= 1.0, "{loads:?}");
        assert_eq!(shard_runs(&plan, Shard { index: 1, count: 3 }), parts[1], "deterministic");
    }

    #[test]
    fn a_larger_runs_keeps_every_run_on_its_shard() {
        for count in [2, 3, 5] {
            for (before, after) in [(4, 6), (1, 10), (3, 4)] {
                let small = Plan { runs: before, ..Plan::default() };
                let large = Plan { runs: after, ..Plan::default() };
                for i in 0..count {
                    let shard = Shard { index: i, count };
                    let (a, b) = (shard_runs(&small, shard), shard_runs(&large, shard));
                    assert!(
                        a.is_subset(&b),
                        "shard {shard} of {count}: --runs {before} → {after} moves runs"
                    );
                }
            }
        }
    }

    #[test]
    fn every_proxy_run_goes_to_the_proxy_shard() {
        let plan = Plan { runs: 6, proxy_runs: 3, ..Plan::default() };
        let parts: Vec<HashSet<RunKey>> =
            (0..4).map(|i| shard_runs(&plan, Shard { index: i, count: 4 })).collect();
        let proxies = |p: &HashSet<RunKey>| p.iter().filter(|k| k.kind_is_proxy).count();
        assert_eq!(parts.iter().map(proxies).collect::<Vec<_>>(), [3, 0, 0, 0]);
        assert!(Shard { index: 0, count: 4 }.computes_proxies());
        assert!(!Shard { index: 2, count: 4 }.computes_proxies());
        assert_eq!(parts.iter().map(HashSet::len).sum::<usize>(), plan.schedule().len(), "disjoint");
        let specs = plan.schedule();
        let loads: Vec<f64> =
            parts.iter().map(|p| specs.iter().filter(|s| p.contains(&s.key)).map(cost).sum()).collect();
        let (lo, hi) = loads.iter().fold((f64::MAX, 0f64), |(a, b), &l| (a.min(l), b.max(l)));
        assert!(hi - lo <= 1.35, "balanced around the proxy runs: {loads:?}");
    }

    #[test]
    fn parses_shards_and_environments() {
        assert_eq!("2/3".parse::<Shard>().ok(), Some(Shard { index: 2, count: 3 }));
        assert!("3/3".parse::<Shard>().is_err() && "x".parse::<Shard>().is_err());
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|p| p.0 == k).map(|p| p.1.to_string())
        };
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ]);
        assert_eq!(
            Shard::from_env(slurm, None).ok(),
            Some((Shard { index: 2, count: 3 }, "SLURM_ARRAY_TASK_ID"))
        );
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0"), ("CSCORE_SHARD_COUNT", "4")]);
        assert_eq!(
            Shard::from_env(k8s, None).ok(),
            Some((Shard { index: 0, count: 4 }, "JOB_COMPLETION_INDEX"))
        );
        let k8s_flag = env(&[("JOB_COMPLETION_INDEX", "1")]);
        assert_eq!(Shard::from_env(k8s_flag, Some(2)).ok().map(|s| s.0), Some(Shard { index: 1, count: 2 }));
        assert!(Shard::from_env(k8s_flag, None).is_err());
        assert!(Shard::from_env(env(&[]), None).is_err());
        let p = Shard { index: 1, count: 3 }.workspace_path(std::path::Path::new("a/m.cscore"));
        assert_eq!(p, std::path::PathBuf::from("a/m.cscore.shard-1-of-3"));
    }
}
