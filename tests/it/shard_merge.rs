//! `cscore merge` refusals leave the target as it was (or not there at all): another dataset or plan,
//! other injected corruption, a conflicting run; `--require-complete` waits for finished, complete shards.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::shard_support;

use shard_support::common;
use shard_support::{cscore, ok, proxies, refused, results, setup, stderr, worker_args};
use std::path::Path;

/// Everything a merge could change: runs, proxies, the plan and the corruption settings.
#[derive(Debug, PartialEq)]
struct Snapshot {
    runs: Vec<cscore::store::RunRecord>,
    proxies: Vec<(String, Vec<u32>)>,
    plan: Option<String>,
    corruption: Option<String>,
}

fn snapshot(ws: &Path) -> Snapshot {
    let w = cscore::store::Workspace::open(ws).unwrap();
    Snapshot {
        runs: results(ws),
        proxies: proxies(ws),
        plan: w.config("plan").unwrap(),
        corruption: w.config("corruption").unwrap(),
    }
}

#[test]
fn merging_another_dataset_or_plan_is_refused() {
    let dir = setup();
    let p = dir.path();
    ok(&cscore(&worker_args("d", "a.cscore", "0/2", &[]), p));
    ok(&cscore(&["merge", "a.cscore", "a.cscore.shard-0-of-2"], p));
    let before = snapshot(&p.join("a.cscore"));
    assert_eq!(before.runs.len(), results(&p.join("a.cscore.shard-0-of-2")).len());
    // Another plan (different seed) on the same data.
    ok(&cscore(&worker_args("d", "b.cscore", "1/2", &["--seed", "9"]), p));
    refused(&cscore(&["merge", "a.cscore", "b.cscore.shard-1-of-2"], p), "another plan");
    // Another dataset.
    let (other, _) = common::synthetic(150, 3, 0.05, 99);
    common::write_idx(&p.join("e"), &other);
    ok(&cscore(&worker_args("e", "c.cscore", "0/2", &[]), p));
    refused(&cscore(&["merge", "a.cscore", "c.cscore.shard-0-of-2"], p), "belongs to dataset");
    assert_eq!(snapshot(&p.join("a.cscore")), before, "refused merges changed nothing");
    // Shards that disagree among themselves: refused before a new target is even created.
    refused(
        &cscore(&["merge", "new.cscore", "a.cscore.shard-0-of-2", "b.cscore.shard-1-of-2"], p),
        "another plan",
    );
    refused(
        &cscore(&["merge", "new.cscore", "a.cscore.shard-0-of-2", "c.cscore.shard-0-of-2"], p),
        "belongs to dataset",
    );
    assert!(!p.join("new.cscore").exists(), "a refused merge leaves no workspace file behind");
}

#[test]
fn a_shard_with_other_injected_corruption_is_refused() {
    let dir = setup();
    let p = dir.path();
    ok(&cscore(&worker_args("d", "a.cscore", "0/2", &[]), p));
    ok(&cscore(&["merge", "a.cscore", "a.cscore.shard-0-of-2"], p));
    let before = snapshot(&p.join("a.cscore"));
    let noisy = ["--inject-label-noise", "0.1", "--noise-seed", "3"];
    ok(&cscore(&worker_args("d", "n.cscore", "1/2", &noisy), p));
    refused(&cscore(&["merge", "a.cscore", "n.cscore.shard-1-of-2"], p), "injected corruption differs");
    assert_eq!(snapshot(&p.join("a.cscore")), before);
    refused(
        &cscore(&["merge", "new.cscore", "a.cscore.shard-0-of-2", "n.cscore.shard-1-of-2"], p),
        "injected corruption differs",
    );
    assert!(!p.join("new.cscore").exists());
    // The same corruption merges, and the merged workspace carries its ground truth.
    ok(&cscore(&worker_args("d", "n.cscore", "0/2", &noisy), p));
    ok(&cscore(&["merge", "nm.cscore", "n.cscore.shard-0-of-2", "n.cscore.shard-1-of-2"], p));
    let merged = cscore::store::Workspace::open(&p.join("nm.cscore")).unwrap();
    assert_eq!(merged.injected().unwrap().len(), 15);
}

#[test]
fn a_conflicting_run_is_refused_and_nothing_is_merged() {
    let dir = setup();
    let p = dir.path();
    ok(&cscore(&worker_args("d", "a.cscore", "0/2", &[]), p));
    ok(&cscore(&worker_args("d", "a.cscore", "1/2", &[]), p));
    ok(&cscore(&["merge", "t.cscore", "a.cscore.shard-0-of-2"], p));
    let before = snapshot(&p.join("t.cscore"));
    // A copy of shard 0 with one holdout run's results changed: it conflicts with what t holds.
    std::fs::copy(p.join("a.cscore.shard-0-of-2"), p.join("bad.cscore")).unwrap();
    let conn = rusqlite::Connection::open(p.join("bad.cscore")).unwrap();
    let changed = conn
        .execute(
            "UPDATE runs SET heldout_correct = zeroblob(length(heldout_correct))
             WHERE id = (SELECT min(id) FROM runs WHERE kind = 'holdout')",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(conn);
    // Shard 1 is fine, but merged together with the conflicting copy nothing goes in, not even shard 1.
    let out = cscore(&["merge", "t.cscore", "a.cscore.shard-1-of-2", "bad.cscore"], p);
    refused(&out, "differs from the one");
    assert!(cscore::store::Workspace::open(&p.join("t.cscore")).is_ok());
    assert_eq!(snapshot(&p.join("t.cscore")), before, "the target is unchanged");
    // Into a new target: the conflict is between two shards; no file is left.
    refused(
        &cscore(&["merge", "u.cscore", "a.cscore.shard-0-of-2", "bad.cscore"], p),
        "differs from the one",
    );
    assert!(!p.join("u.cscore").exists());
    // Without the bad copy the merge goes through.
    ok(&cscore(&["merge", "t.cscore", "a.cscore.shard-1-of-2"], p));
    assert_eq!(results(&p.join("t.cscore")).len(), 10);
}

#[test]
fn require_complete_waits_for_finished_and_complete_shards() {
    let dir = setup();
    let p = dir.path();
    let shards = ["r.cscore.shard-0-of-2", "r.cscore.shard-1-of-2"];
    ok(&cscore(&worker_args("d", "r.cscore", "0/2", &[]), p));
    // Shard 1 does not exist yet: nothing is read, nothing created.
    refused(
        &cscore(&["merge", "r.cscore", shards[0], shards[1], "--require-complete"], p),
        "has not finished",
    );
    assert!(!p.join("r.cscore").exists());
    // Only shard 0 of the two named: refused before anything is read, nothing created.
    let out = cscore(&["merge", "r.cscore", shards[0], "--require-complete"], p);
    refused(&out, "r.cscore.shard-1-of-2: not among the shards given (1 of the split's 2)");
    assert!(!p.join("r.cscore").exists());
    // A shard of a hand-made name cannot be counted so: merged, then refused as incomplete.
    std::fs::copy(p.join(shards[0]), p.join("part.cscore")).unwrap();
    std::fs::copy(p.join(format!("{}.done", shards[0])), p.join("part.cscore.done")).unwrap();
    let out = cscore(&["merge", "r.cscore", "part.cscore", "--require-complete"], p);
    refused(&out, "planned runs merged so far");
    assert_eq!(results(&p.join("r.cscore")).len(), results(&p.join(shards[0])).len());
    // Shard 1 started but not finished (stopped at once by a time limit): still refused, unread.
    let stopped =
        cscore(&[&worker_args("d", "r.cscore", "1/2", &[])[..], &["--time-limit", "1ms"]].concat(), p);
    ok(&stopped);
    assert!(!p.join(format!("{}.done", shards[1])).exists(), "{}", stderr(&stopped));
    refused(
        &cscore(&["merge", "r.cscore", shards[0], shards[1], "--require-complete"], p),
        "has not finished",
    );
    // Finished: complete.
    ok(&cscore(&worker_args("d", "r.cscore", "1/2", &[]), p));
    let out = cscore(&["merge", "r.cscore", shards[0], shards[1], "--require-complete"], p);
    ok(&out);
    assert!(stderr(&out).contains("complete (10 of 10 planned runs)"), "{}", stderr(&out));
    // The merged plan is the shards' plan.
    let plan =
        cscore::estimate::stored_plan(&cscore::store::Workspace::open(&p.join("r.cscore")).unwrap()).unwrap();
    assert_eq!(plan.map(|p| (p.runs, p.proxy_runs)), Some((3, 1)));
}

#[test]
fn proxies_that_shards_disagree_on_are_kept_from_the_proxy_shard_with_a_warning() {
    let dir = setup();
    let p = dir.path();
    ok(&cscore(&worker_args("d", "a.cscore", "0/2", &[]), p));
    ok(&cscore(&worker_args("d", "a.cscore", "1/2", &[]), p));
    // Shard 1 as an older cscore would have left it: its own (here: different) input-space proxy.
    let shard0 = cscore::store::Workspace::open(&p.join("a.cscore.shard-0-of-2")).unwrap();
    let lof = shard0.proxy_scores("lof").unwrap().unwrap();
    let mut other = lof.clone();
    other[7] += 1.0;
    let shard1 = cscore::store::Workspace::open(&p.join("a.cscore.shard-1-of-2")).unwrap();
    shard1.set_proxy_scores("lof", &other).unwrap();
    shard1
        .set_proxy_scores("knn_agreement", &shard0.proxy_scores("knn_agreement").unwrap().unwrap())
        .unwrap();
    drop((shard0, shard1));
    let out = cscore(&["merge", "m.cscore", "a.cscore.shard-1-of-2", "a.cscore.shard-0-of-2"], p);
    ok(&out);
    let err = stderr(&out);
    assert!(err.contains("warning: proxy lof: a.cscore.shard-1-of-2 disagrees with a.cscore.shard-0-of-2 at 1 of 150 examples (first at example 7"), "{err}");
    assert!(!err.contains("proxy knn_agreement:"), "equal values are no disagreement: {err}");
    let merged = cscore::store::Workspace::open(&p.join("m.cscore")).unwrap();
    assert_eq!(merged.proxy_scores("lof").unwrap().unwrap(), lof, "the proxy shard's values");
    assert_eq!(merged.proxy_names().unwrap().len(), 16);
}

/// What the shell makes of `PREFIX*` in `dir`: every name starting with `prefix`, sorted.
fn glob(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

#[test]
fn the_glob_a_user_types_merges_and_markers_are_skipped() {
    let dir = setup();
    let p = dir.path();
    ok(&cscore(&worker_args("d", "g.cscore", "0/2", &[]), p));
    ok(&cscore(&worker_args("d", "g.cscore", "1/2", &[]), p));
    let matched = glob(p, "g.cscore.shard-");
    assert!(matched.contains(&"g.cscore.shard-1-of-2.done".to_string()), "{matched:?}");
    let args: Vec<&str> = ["merge", "g.cscore"]
        .into_iter()
        .chain(matched.iter().map(String::as_str))
        .chain(["--require-complete"])
        .collect();
    let out = cscore(&args, p);
    ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("skipped 2 file(s) among the shards")
            && err.contains("complete (10 of 10 planned runs)"),
        "{err}"
    );
    assert!(p.join("g.cscore.shard-0-of-2.done").is_file(), "markers are left alone");
    // Run again with `g.cscore*`, which now names the target too: it is skipped, not refused.
    let everything = glob(p, "g.cscore");
    assert!(everything.contains(&"g.cscore".to_string()), "{everything:?}");
    let args: Vec<&str> =
        ["merge", "g.cscore"].into_iter().chain(everything.iter().map(String::as_str)).collect();
    let out = cscore(&args, p);
    ok(&out);
    assert!(stderr(&out).contains("complete (10 of 10 planned runs)"), "{}", stderr(&out));
    refused(&cscore(&["merge", "x.cscore", "g.cscore.shard-0-of-2.done"], p), "no shard workspace to merge");
}

#[test]
fn merge_without_a_list_finds_every_shard_of_one_split() {
    let dir = setup();
    let p = dir.path();
    refused(&cscore(&["merge", "f.cscore"], p), "no shard workspace f.cscore.shard-*-of-N found");
    ok(&cscore(&worker_args("d", "f.cscore", "0/2", &[]), p));
    // Shard 1 is missing: refused by name, nothing read or created.
    refused(
        &cscore(&["merge", "f.cscore", "--require-complete"], p),
        "1 of 2 shards of f.cscore missing (f.cscore.shard-1-of-2)",
    );
    assert!(!p.join("f.cscore").exists());
    // Named explicitly, the one shard merges, and the merge says the workspace is incomplete.
    let out = cscore(&["merge", "h.cscore", "f.cscore.shard-0-of-2"], p);
    ok(&out);
    assert!(stderr(&out).contains("h.cscore: incomplete: "), "{}", stderr(&out));
    ok(&cscore(&worker_args("d", "f.cscore", "1/2", &[]), p));
    let out = cscore(&["merge", "f.cscore", "--require-complete"], p);
    ok(&out);
    let err = stderr(&out);
    assert!(err.contains("2 shard(s) found beside f.cscore") && err.contains("complete (10 of 10"), "{err}");
    assert_eq!(results(&p.join("f.cscore")).len(), 10);
    // A leftover shard of another split beside them: which set is meant is not guessed.
    std::fs::copy(p.join("f.cscore.shard-0-of-2"), p.join("f.cscore.shard-0-of-3")).unwrap();
    refused(&cscore(&["merge", "f.cscore"], p), "different splits (2 and 3 shards)");
}
