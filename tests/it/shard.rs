//! Sharded estimation: concurrent workers plus a merge equal a single estimate, proxies included; a
//! killed worker resumes its shard into exactly what an uninterrupted one writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::shard_support;

use cscore::store::Workspace;
use shard_support::{
    approximate_shards, cscore, ok, plan_with, proxies, results, setup, spawn, stderr, worker_args, PLAN,
};
use std::process::Child;
use std::time::{Duration, Instant};

#[test]
fn three_concurrent_workers_merged_equal_one_estimate() {
    let dir = setup();
    let p = dir.path();
    ok(&cscore(&[&["estimate", "d", "-w", "single.cscore"], PLAN].concat(), p));
    let shards: Vec<String> = (0..3).map(|i| format!("m.cscore.shard-{i}-of-3")).collect();
    let mut workers: Vec<Child> =
        (0..3).map(|i| spawn(&worker_args("d", "m.cscore", &format!("{i}/3"), &[]), p)).collect();
    for (i, w) in workers.iter_mut().enumerate() {
        let out = std::process::Output { status: w.wait().unwrap(), stdout: Vec::new(), stderr: read(w) };
        ok(&out);
        if i > 0 {
            assert!(stderr(&out).contains("proxies: left to shard 0/3"), "{}", stderr(&out));
        }
    }
    let sizes: Vec<usize> = shards.iter().map(|s| results(&p.join(s)).len()).collect();
    assert_eq!(
        sizes.iter().sum::<usize>(),
        10,
        "1 proxy run + 9 holdout runs split without overlap: {sizes:?}"
    );
    assert!(sizes.iter().all(|&n| n >= 2), "balanced: {sizes:?}");
    // Only shard 0, which trains the proxy run, computes proxies; each finished shard is marked.
    assert_eq!(proxies(&p.join(&shards[0])).len(), 16, "every proxy in shard 0");
    for s in &shards[1..] {
        assert!(proxies(&p.join(s)).is_empty(), "{s} computed proxies");
    }
    for s in &shards {
        assert!(p.join(format!("{s}.done")).is_file(), "{s} is not marked finished");
    }
    let merge: Vec<&str> =
        ["merge", "m.cscore"].into_iter().chain(shards.iter().map(String::as_str)).collect();
    let out = cscore(&merge, p);
    ok(&out);
    assert!(stderr(&out).contains("fused score recomputed"), "{}", stderr(&out));
    assert_eq!(results(&p.join("m.cscore")), results(&p.join("single.cscore")));
    assert_eq!(proxies(&p.join("m.cscore")), proxies(&p.join("single.cscore")), "bit for bit");
    // Idempotent: merging again adds nothing and changes no score.
    let again = cscore(&merge, p);
    ok(&again);
    assert!(stderr(&again).contains("0 run(s) added"));
    assert_eq!(results(&p.join("m.cscore")).len(), 10);
    assert_eq!(proxies(&p.join("m.cscore")), proxies(&p.join("single.cscore")));
    // The same export, every column.
    ok(&cscore(&["export", "m.cscore", "-o", "m.csv"], p));
    ok(&cscore(&["export", "single.cscore", "-o", "s.csv"], p));
    let (m, s) = (
        std::fs::read_to_string(p.join("m.csv")).unwrap(),
        std::fs::read_to_string(p.join("s.csv")).unwrap(),
    );
    assert_eq!(m.lines().count(), 151);
    let header = m.lines().next().unwrap();
    for col in ["proxy_fused", "proxy_learning_speed", "proxy_hidden_density", "proxy_lof", "is_label_issue"]
    {
        assert!(header.split(',').any(|h| h == col), "no {col} in {header}");
    }
    for (i, (a, b)) in m.lines().zip(s.lines()).enumerate() {
        assert_eq!(a, b, "line {i} of the exports differs\n{header}");
    }
}

fn read(child: &mut Child) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(mut e) = child.stderr.take() {
        std::io::Read::read_to_end(&mut e, &mut buf).unwrap();
    }
    buf
}

#[test]
fn a_killed_worker_resumes_its_shard_into_what_an_uninterrupted_one_writes() {
    let dir = setup();
    let p = dir.path();
    // Ten runs of a wider model for 60 epochs (each a few tenths of a second or more), so that the kill
    // right after the first commit lands with the shard part done, even on a loaded machine.
    let slow_plan = plan_with(&[("--model", "mlp:256,256"), ("--epochs", "60"), ("--runs", "6")]);
    let slow = |ws: &'static str| [&["worker", "d", "-w", ws, "--shard", "0/2"], &slow_plan[..]].concat();
    let plan = cscore::estimate::Plan { ratios: vec![0.3, 0.6, 0.9], runs: 6, ..Default::default() };
    let expected = cscore::estimate::shard_runs(&plan, cscore::estimate::Shard { index: 0, count: 2 });
    let shard = p.join("k.cscore.shard-0-of-2");
    let mut child = spawn(&slow("k.cscore"), p);
    let started = Instant::now();
    let mut seen = 0;
    while seen == 0 && started.elapsed() < Duration::from_secs(300) {
        seen = Workspace::open(&shard).ok().and_then(|w| w.run_counts().ok()).map_or(0, |c| c.done);
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = results(&shard).len();
    assert!(
        at_kill >= 1 && at_kill < expected.len(),
        "killed mid-shard: {at_kill} of {} runs",
        expected.len()
    );
    assert!(!p.join("k.cscore.shard-0-of-2.done").exists(), "a killed shard is not marked finished");
    ok(&cscore(&slow("k.cscore"), p));
    let resumed = results(&shard);
    let mut keys: Vec<_> = resumed.iter().map(|r| r.key).collect();
    keys.dedup();
    assert_eq!(keys.len(), resumed.len(), "no duplicates");
    assert_eq!(resumed.len(), expected.len());
    assert!(resumed.iter().all(|r| expected.contains(&r.key)));
    // The same runs, bit for bit, as a worker that was never interrupted, and the same proxies.
    ok(&cscore(&slow("u.cscore"), p));
    let whole = p.join("u.cscore.shard-0-of-2");
    assert_eq!(resumed, results(&whole));
    assert_eq!(proxies(&shard), proxies(&whole));
}

/// On approximate neighbour statistics every shard computes the input-space statistics of its own block
/// of examples; merging the shards one by one, the blocks wait in the target until the last arrives, and
/// then give the input-space proxies a single estimate computes (up to float summation order).
#[test]
fn shards_split_the_input_space_proxies_by_blocks_and_the_merge_joins_them() {
    let dir = setup();
    let p = dir.path();
    let (shards, outputs) = approximate_shards(p);
    for (i, out) in outputs.iter().enumerate() {
        let block = [(0, 50), (50, 100), (100, 150)][i];
        let said = format!("input-space statistics of examples {}..{} of 150", block.0, block.1);
        assert!(stderr(out).contains(&said), "{}", stderr(out));
        let parts = Workspace::open(&p.join(&shards[i])).unwrap().neighbour_parts().unwrap();
        assert_eq!(parts.iter().map(|b| (b.start, b.len())).collect::<Vec<_>>(), [(block.0, 50)]);
    }
    let input = ["density", "class_density", "relative_density", "knn_agreement", "lof"];
    let names = |ws: &str| proxies(&p.join(ws)).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
    for s in &shards[1..] {
        assert!(names(s).is_empty(), "{s} stored proxies of its own: {:?}", names(s));
    }
    assert!(input.iter().all(|n| !names(&shards[0]).iter().any(|m| m == n)), "shard 0 holds only its block");
    let out = cscore(&["merge", "m.cscore", &shards[0], &shards[1]], p);
    ok(&out);
    assert!(stderr(&out).contains("examples 100..150 of 150 without statistics"), "{}", stderr(&out));
    assert!(input.iter().all(|n| !names("m.cscore").iter().any(|m| m == n)));
    let out = cscore(&["merge", "m.cscore", &shards[2]], p);
    ok(&out);
    assert!(!stderr(&out).contains("without statistics"), "{}", stderr(&out));
    let (merged, single) =
        (Workspace::open(&p.join("m.cscore")).unwrap(), Workspace::open(&p.join("single.cscore")).unwrap());
    for name in input {
        let (a, b) = (merged.proxy_scores(name).unwrap(), single.proxy_scores(name).unwrap());
        let (a, b) = (a.unwrap_or_else(|| panic!("no {name} merged")), b.unwrap());
        let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs() / y.abs().max(1e-3)).fold(0f32, f32::max);
        assert!(worst < 1e-4, "{name}: merged and single differ by {worst} (relative)");
    }
    assert_eq!(names("m.cscore"), names("single.cscore"), "every proxy merged");
}
