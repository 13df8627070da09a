//! `cscore worker` without `--shard` takes its shard from the scheduler's environment (a Slurm job
//! array, a Kubernetes indexed job), writes that shard's workspace and says where the index came from.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::shard_support;

use shard_support::{command, ok, results, setup, stderr, PLAN};
use std::path::Path;

fn worker_from_env(p: &Path, ws: &str, env: &[(&str, &str)]) -> String {
    let out = command(&[&["worker", "d", "-w", ws], PLAN].concat(), p, env).output().unwrap();
    ok(&out);
    stderr(&out)
}

/// The shard files of `ws` in the folder.
fn shard_files(p: &Path, ws: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("{ws}.shard-")) && !n.ends_with(".done"))
        .collect();
    names.sort();
    names
}

#[test]
fn slurm_array_variables_choose_the_shard() {
    let dir = setup();
    let p = dir.path();
    let env = [("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "4"), ("SLURM_ARRAY_TASK_COUNT", "3")];
    let err = worker_from_env(p, "s.cscore", &env);
    assert!(err.contains("shard 1/3 (from SLURM_ARRAY_TASK_ID)"), "{err}");
    assert_eq!(shard_files(p, "s.cscore"), ["s.cscore.shard-1-of-3"]);
    let plan = cscore::estimate::Plan { ratios: vec![0.3, 0.6, 0.9], runs: 3, ..Default::default() };
    let want = cscore::estimate::shard_runs(&plan, cscore::estimate::Shard { index: 1, count: 3 });
    let have = results(&p.join("s.cscore.shard-1-of-3"));
    assert_eq!(have.len(), want.len());
    assert!(have.iter().all(|r| want.contains(&r.key)), "the runs of shard 1/3");
}

#[test]
fn kubernetes_completion_index_and_shard_count_choose_the_shard() {
    let dir = setup();
    let p = dir.path();
    let err = worker_from_env(p, "k.cscore", &[("JOB_COMPLETION_INDEX", "2"), ("CSCORE_SHARD_COUNT", "3")]);
    assert!(err.contains("shard 2/3 (from JOB_COMPLETION_INDEX)"), "{err}");
    assert_eq!(shard_files(p, "k.cscore"), ["k.cscore.shard-2-of-3"]);
    // Without a count the worker refuses, naming what is missing; with neither variable, too.
    let out =
        command(&[&["worker", "d", "-w", "x.cscore"], PLAN].concat(), p, &[("JOB_COMPLETION_INDEX", "0")])
            .output()
            .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("CSCORE_SHARD_COUNT"), "{}", stderr(&out));
    let out = command(&[&["worker", "d", "-w", "x.cscore"], PLAN].concat(), p, &[]).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no shard given"), "{}", stderr(&out));
    assert!(shard_files(p, "x.cscore").is_empty());
}
