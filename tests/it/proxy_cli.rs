//! `cscore estimate` computes and stores the proxies (the real binary on a synthetic dataset), `--proxies`
//! selects them, learning speed finds flipped labels, and the comparison reads them back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use cscore::pipeline::compare_workspace;
use cscore::proxy::all_proxies;
use cscore::store::Workspace;
use std::path::Path;
use std::process::{Command, Output};

const PLAN: &[&str] = &[
    "--ratios",
    "0.5",
    "--runs",
    "2",
    "--model",
    "mlp:32",
    "--epochs",
    "6",
    "--batch",
    "32",
    "--lr",
    "0.05",
    "--no-progress",
];

fn estimate(dir: &Path, extra: &[&str]) -> Output {
    let args = [&["estimate", "d"][..], PLAN, extra].concat();
    let out = Command::new(env!("CARGO_BIN_EXE_cscore")).args(&args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn estimate_stores_every_proxy_and_learning_speed_finds_flipped_labels() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, flipped) = common::synthetic(600, 6, 0.08, 21);
    common::write_idx(&dir.path().join("d"), &ds);
    let out = estimate(dir.path(), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("proxy scores in the workspace"), "{stderr}");
    let ws = Workspace::open(&dir.path().join("d.cscore")).unwrap();
    let mut want: Vec<String> = all_proxies().iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(ws.proxy_names().unwrap(), want);
    for name in &want {
        let s = ws.proxy_scores(name).unwrap().unwrap();
        assert!(s.iter().all(|v| v.is_finite()), "{name} has missing values");
    }
    let ls = ws.proxy_scores("learning_speed").unwrap().unwrap();
    let low: Vec<f64> = ls.iter().map(|&v| 1.0 - f64::from(v)).collect();
    let auc = common::auroc(&low, &flipped);
    assert!(auc >= 0.8, "AUROC of low learning speed for flipped labels = {auc}");
    let knn: Vec<f64> =
        ws.proxy_scores("knn_agreement").unwrap().unwrap().iter().map(|&v| 1.0 - f64::from(v)).collect();
    assert!(common::auroc(&knn, &flipped) >= 0.8);
    // The fused score is bounded like a C-score.
    let fused = ws.proxy_scores("fused").unwrap().unwrap();
    assert!(fused.iter().all(|v| (0.0..=1.0).contains(v)));
}

#[test]
fn proxies_flag_selects_and_comparison_reads_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(300, 3, 0.0, 22);
    common::write_idx(&dir.path().join("d"), &ds);
    estimate(dir.path(), &["-w", "none.cscore", "--proxies", "none"]);
    assert!(Workspace::open(&dir.path().join("none.cscore")).unwrap().proxy_names().unwrap().is_empty());

    estimate(dir.path(), &["--proxies", "knn_agreement,learning_speed", "--inject-label-noise", "0.1"]);
    let ws = Workspace::open(&dir.path().join("d.cscore")).unwrap();
    assert_eq!(ws.proxy_names().unwrap(), vec!["knn_agreement", "learning_speed"]);
    let cmp = compare_workspace(&ws, 5).unwrap();
    assert_eq!(cmp.names, vec!["cscore", "knn_agreement", "learning_speed"]);
    assert_eq!(cmp.correlations.len(), 3);
    assert_eq!(cmp.detection.len(), 3);
    let ls = cmp.detection.iter().find(|d| d.name == "learning_speed").unwrap();
    assert!(ls.auroc.unwrap() > 0.8, "{ls:?}");
    assert_eq!(cmp.disagreements.len(), 2);

    let bad = Command::new(env!("CARGO_BIN_EXE_cscore"))
        .args(["estimate", "d", "--proxies", "speed"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown proxy 'speed'"));
}

/// A workspace whose proxy run was committed without its hidden-space proxies (an earlier session that
/// did not want them, or one killed in between) gets them on resume, by training that run's model
/// again: the same scores as a session that computed them from the start.
#[test]
fn hidden_space_proxies_are_recovered_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(300, 3, 0.05, 23);
    common::write_idx(&dir.path().join("d"), &ds);
    estimate(dir.path(), &["-w", "later.cscore", "--proxies", "none"]);
    estimate(dir.path(), &["-w", "later.cscore", "--proxies", "hidden_density,hidden_class_density"]);
    estimate(dir.path(), &["-w", "once.cscore", "--proxies", "hidden_density,hidden_class_density"]);
    let later = Workspace::open(&dir.path().join("later.cscore")).unwrap();
    let once = Workspace::open(&dir.path().join("once.cscore")).unwrap();
    for name in ["hidden_density", "hidden_class_density"] {
        let a = later.proxy_scores(name).unwrap().expect("recovered on resume");
        let b = once.proxy_scores(name).unwrap().unwrap();
        assert_eq!(a, b, "{name}");
    }
}

/// `--time-limit` ends the session on time, proxies included (they run beside training and are
/// abandoned or finished, never waited for at length), and says how many runs are left.
#[test]
fn a_time_limit_ends_the_session_on_time() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(600, 6, 0.0, 24);
    common::write_idx(&dir.path().join("d"), &ds);
    let t = std::time::Instant::now();
    let args = [&[
        "estimate",
        "d",
        "--runs",
        "3000",
        "--ratios",
        "0.5",
        "--model",
        "mlp:256,256",
        "--epochs",
        "5",
        "--no-progress",
        "--time-limit",
        "3s",
    ][..]]
    .concat();
    let out =
        Command::new(env!("CARGO_BIN_EXE_cscore")).args(&args).current_dir(dir.path()).output().unwrap();
    let secs = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("stopped after"), "{stderr}");
    // Generous for a loaded machine: the limit is 3 s, loading and the final summary come on top.
    assert!(secs < 60.0, "took {secs:.1} s");
    let ws = Workspace::open(&dir.path().join("d.cscore")).unwrap();
    let runs = ws.run_keys().unwrap().len();
    assert!(runs > 0 && runs < 3001, "{runs} runs");
}

/// `cscore eval --compare` prints the proxies against the C-score and each other, detection where the
/// workspace has injected examples, and disagreement rankings; `--json` the same as one object.
#[test]
fn eval_compare_reports_correlations_detection_and_disagreements() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(300, 3, 0.0, 25);
    common::write_idx(&dir.path().join("d"), &ds);
    estimate(dir.path(), &["--proxies", "learning_speed,knn_agreement,fused", "--inject-label-noise", "0.1"]);
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_cscore"))
            .args([&["eval", "d.cscore", "--compare", "--top", "3"][..], extra].concat())
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run(&[]);
    for want in [
        "trained models: mean held-out accuracy",
        "against cscore",
        "learning_speed",
        "Spearman ρ between every pair (column k is row k)",
        "(1) cscore",
        "finding the injected",
        "largest disagreements",
        "(fused is made from this C-score's held-out evidence",
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
    let json: serde_json::Value = serde_json::from_str(run(&["--json"]).trim()).unwrap();
    assert_eq!(json["names"][0], "cscore");
    // Tie-aware: at most --top examples, each with a gap between its rank ranges, largest first (examples
    // the two scores order alike once ties may be broken either way are not listed).
    let examples = json["disagreements"][0]["examples"].as_array().unwrap();
    let gaps: Vec<f64> = examples.iter().map(|e| e["gap"].as_f64().unwrap()).collect();
    assert!(!gaps.is_empty() && gaps.len() <= 3, "{gaps:?}");
    assert!(gaps.windows(2).all(|w| w[0] >= w[1]) && gaps.iter().all(|&g| g > 0.0), "{gaps:?}");
    assert!(json["detection"].as_array().unwrap().iter().any(|d| d["name"] == "fused"));
    assert!(json["detection"].as_array().unwrap().iter().all(|d| d["used"].as_u64().unwrap() <= 300));
}

/// `--proxy-wait` bounds how long holdout runs wait for the input-space proxies: with `0s` they train at
/// once, and a holdout run is stored while the pass over all pairs (20,000 examples, exact) still runs.
#[test]
fn holdout_runs_wait_for_the_input_space_proxies_at_most_proxy_wait() {
    let dir = tempfile::tempdir().unwrap();
    let (ds, _) = common::synthetic(20_000, 4, 0.0, 5);
    common::write_idx(&dir.path().join("d"), &ds);
    let args = [
        "estimate",
        "d",
        "--ratios",
        "0.1",
        "--runs",
        "1",
        "--model",
        "mlp:8",
        "--epochs",
        "1",
        "--lr",
        "0.05",
        "--workers",
        "2",
        "--neighbours",
        "exact",
        "--proxy-wait",
        "0s",
        "--no-progress",
    ];
    let out = Command::new(env!("CARGO_BIN_EXE_cscore")).args(args).current_dir(dir.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("holdout runs start when they are stored (in 0s at most)"), "{err}");
    let holdout = err.find("] ratio 0.1 run 0: done").unwrap_or_else(|| panic!("no holdout run: {err}"));
    let proxies = err.find("proxies stored: relative_density").unwrap_or_else(|| panic!("no proxies: {err}"));
    assert!(holdout < proxies, "the holdout run waited for the input-space proxies:\n{err}");
}
