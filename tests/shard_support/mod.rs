//! Helpers of the sharding tests: a small dataset and plan, the binary with a clean environment (no
//! scheduler variables leaking in from a CI runner), per-run results without timings.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub(crate) use crate::common;

use cscore::store::{RunRecord, Workspace};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// A small plan: 1 proxy run and 3 × 3 holdout runs of a tiny MLP.
pub const PLAN: &[&str] = &[
    "--ratios",
    "0.3,0.6,0.9",
    "--runs",
    "3",
    "--model",
    "mlp:16",
    "--epochs",
    "4",
    "--batch",
    "16",
    "--workers",
    "1",
    "--no-progress",
];

/// Scheduler variables `cscore worker` reads when `--shard` is not given.
const SCHEDULER_VARS: [&str; 5] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_COUNT",
    "JOB_COMPLETION_INDEX",
    "CSCORE_SHARD_COUNT",
];

/// The binary in `cwd` with `env` set and every other scheduler variable removed.
pub fn command(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cscore"));
    c.args(args).current_dir(cwd);
    for v in SCHEDULER_VARS {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

pub fn cscore(args: &[&str], cwd: &Path) -> Output {
    command(args, cwd, &[]).output().unwrap()
}

pub fn spawn(args: &[&str], cwd: &Path) -> Child {
    command(args, cwd, &[]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn ok(out: &Output) {
    assert!(out.status.success(), "{}", stderr(out));
}

/// Fails with `words` on stderr.
pub fn refused(out: &Output, words: &str) {
    assert!(!out.status.success(), "expected a refusal: {}", stderr(out));
    assert!(stderr(out).contains(words), "expected {words:?} in: {}", stderr(out));
}

/// `[worker DATA -w WS --shard I/N] + PLAN + extra`.
pub fn worker_args<'a>(data: &'a str, ws: &'a str, shard: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    [&["worker", data, "-w", ws, "--shard", shard], PLAN, extra].concat()
}

/// PLAN with the values of some of its flags changed, e.g. `[("--epochs", "60")]`.
pub fn plan_with(changes: &[(&'static str, &'static str)]) -> Vec<&'static str> {
    let mut plan = PLAN.to_vec();
    for (flag, value) in changes {
        let at = plan.iter().position(|a| a == flag).expect("a flag of PLAN");
        plan[at + 1] = value;
    }
    plan
}

/// The approximate neighbour statistics' flags.
pub const APPROX: [&str; 2] = ["--neighbours", "approximate"];

/// On approximate neighbour statistics, a single estimate of `d` into `single.cscore` and three workers
/// into the shards of `m.cscore`, one after another; returns the shards' file names and the workers'
/// outputs (every command succeeded).
pub fn approximate_shards(p: &Path) -> (Vec<String>, Vec<Output>) {
    ok(&cscore(&[&["estimate", "d", "-w", "single.cscore"], PLAN, &APPROX[..]].concat(), p));
    let shards: Vec<String> = (0..3).map(|i| format!("m.cscore.shard-{i}-of-3")).collect();
    let outputs = (0..3)
        .map(|i| {
            let out = cscore(&worker_args("d", "m.cscore", &format!("{i}/3"), &APPROX), p);
            ok(&out);
            out
        })
        .collect();
    (shards, outputs)
}

/// Every run of a workspace with its epochs, timings zeroed, by key.
pub fn results(ws: &Path) -> Vec<RunRecord> {
    let mut runs = Workspace::open(ws).unwrap().load_runs(true).unwrap();
    for r in &mut runs {
        r.train_seconds = 0.0;
        r.eval_seconds = 0.0;
    }
    runs.sort_by_key(|r| r.key);
    runs
}

/// Every proxy of a workspace with its scores, by name.
pub fn proxies(ws: &Path) -> Vec<(String, Vec<u32>)> {
    let ws = Workspace::open(ws).unwrap();
    let names = ws.proxy_names().unwrap();
    names
        .into_iter()
        .map(|n| {
            let bits = ws.proxy_scores(&n).unwrap().unwrap().iter().map(|v| v.to_bits()).collect();
            (n, bits)
        })
        .collect()
}

/// A temporary folder with a 150-example, 3-class IDX dataset in `d`.
pub fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(150, 3, 0.05, 21);
    common::write_idx(&dir.path().join("d"), &ds);
    dir
}
