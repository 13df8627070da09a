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

/// The container's command as Kubernetes runs it: `$(NAME)` replaced by the value of the container's
/// variable NAME (a literal `value`, or a `resourceFieldRef` to a resource request with divisor 1).
fn command(job: &Value) -> Vec<String> {
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    let var = |name: &str| -> String {
        let env = container["env"].as_sequence().unwrap();
        let e = env.iter().find(|e| e["name"] == name).unwrap_or_else(|| panic!("no variable {name}"));
        if let Some(v) = e["value"].as_str() {
            return v.to_string();
        }
        let field = &e["valueFrom"]["resourceFieldRef"];
        assert_eq!(field["divisor"], "1", "{name}");
        let (kind, resource) = field["resource"].as_str().unwrap().split_once('.').unwrap();
        container["resources"][kind][resource].as_str().unwrap().to_string()
    };
    let c = container["command"].as_sequence().unwrap();
    c.iter()
        .map(|v| {
            let a = v.as_str().unwrap();
            match a.strip_prefix("$(").and_then(|r| r.strip_suffix(')')) {
                Some(name) => var(name),
                None => a.to_string(),
            }
        })
        .collect()
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
    // one model per requested core, and an eviction does not use up a shard's retries
    let workers = worker.iter().position(|a| a == "--workers").unwrap();
    assert_eq!(worker[workers + 1], "2");
    let rules = estimate["spec"]["podFailurePolicy"]["rules"].as_sequence().unwrap();
    assert!(rules.iter().any(|r| r["action"] == "Ignore"
        && r["onPodConditions"].as_sequence().unwrap().iter().any(|c| c["type"] == "DisruptionTarget")));
    assert_eq!(estimate["spec"]["template"]["spec"]["restartPolicy"], "Never", "podFailurePolicy needs it");
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
