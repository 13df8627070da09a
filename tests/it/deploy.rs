//! The deployment files: the Kubernetes manifests parse, have the Indexed Job fields, and their commands
//! are accepted by this cscore's command line; the Slurm scripts call commands that exist.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_yaml::Value;
use std::process::Command;

fn manifests() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/k8s/estimate-job.yaml"))
        .unwrap();
    serde_yaml::Deserializer::from_str(&text).map(|d| Value::deserialize(d).unwrap()).collect()
}

use serde::Deserialize;

fn command(job: &Value) -> Vec<String> {
    let c = &job["spec"]["template"]["spec"]["containers"][0]["command"];
    c.as_sequence().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

/// clap parses arguments in order, so `ARGS… --help` succeeds only if every argument before it is valid.
fn accepted(args: &[String]) -> bool {
    let out = Command::new(env!("CARGO_BIN_EXE_cscore")).args(&args[1..]).arg("--help").output().unwrap();
    out.status.success()
}

#[test]
fn kubernetes_manifests_are_an_indexed_job_and_a_merge_job_the_cli_accepts() {
    let docs = manifests();
    assert_eq!(docs.len(), 2);
    let (estimate, merge) = (&docs[0], &docs[1]);
    assert_eq!(estimate["kind"], "Job");
    assert_eq!(estimate["spec"]["completionMode"], "Indexed");
    let completions = estimate["spec"]["completions"].as_u64().unwrap();
    let env = &estimate["spec"]["template"]["spec"]["containers"][0]["env"];
    let count = env.as_sequence().unwrap().iter().find(|e| e["name"] == "CSCORE_SHARD_COUNT").unwrap();
    assert_eq!(count["value"].as_str().unwrap().parse::<u64>().unwrap(), completions);
    let worker = command(estimate);
    assert_eq!(&worker[..2], ["cscore", "worker"]);
    assert!(accepted(&worker), "{worker:?}");
    let w = worker.iter().position(|a| a == "-w").unwrap();
    let ws = &worker[w + 1];

    assert_eq!(merge["kind"], "Job");
    let m = command(merge);
    // The simplest form: merge finds WS.shard-I-of-N itself and refuses until all of them are there.
    assert_eq!(m, ["cscore", "merge", ws.as_str(), "--require-complete"]);
    assert!(accepted(&m), "{m:?}");
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/k8s/estimate-job.yaml"))
        .unwrap();
    assert!(text.contains("ReadWriteMany") && text.contains("nvidia.com/gpu") && text.contains("\"cuda\""));
}

#[test]
fn slurm_scripts_use_existing_commands() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/slurm/");
    let estimate = std::fs::read_to_string(format!("{dir}estimate.sbatch")).unwrap();
    assert!(estimate.contains("\"$cscore\" worker"));
    // The GPU example is there, commented out (`##SBATCH` is not a directive).
    assert!(estimate.contains("\n##SBATCH --gres=gpu:1\n") && estimate.contains("--device cuda"));
    let merge = std::fs::read_to_string(format!("{dir}merge.sbatch")).unwrap();
    assert!(merge.contains("\"$cscore\" merge"));
    let exec = merge.lines().find(|l| l.starts_with("exec ")).unwrap();
    assert_eq!(exec, "exec \"$cscore\" merge \"$ws\" --require-complete", "finds the shards, waits for all");
    let submit = std::fs::read_to_string(format!("{dir}submit.sh")).unwrap();
    assert!(submit.contains("--array=") && submit.contains("--dependency=\"afterok:"));
    for sub in ["worker", "merge"] {
        let out = Command::new(env!("CARGO_BIN_EXE_cscore")).args([sub, "--help"]).output().unwrap();
        assert!(out.status.success());
    }
}
