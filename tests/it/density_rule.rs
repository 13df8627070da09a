//! A workspace whose density proxies were computed with an older kernel-bandwidth rule (no rule recorded)
//! has them computed again when an estimate resumes it, and `cscore merge` does not mix them in.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::shard_support;

use cscore::proxy::{density_proxies, KERNEL_RULE, KERNEL_RULE_KEY};
use cscore::store::Workspace;
use shard_support::{approximate_shards, cscore, ok, proxies, setup, stderr, APPROX, PLAN};
use std::path::Path;

/// Makes `ws` look like a workspace of the earlier rule: the previous schema (4), other density values
/// (the next open migrates it, as it does a workspace an earlier cscore wrote).
fn make_old(ws: &Path) {
    {
        let w = Workspace::open(ws).unwrap();
        for name in w.proxy_names().unwrap() {
            if density_proxies().contains(&name.as_str()) {
                let values = w.proxy_scores(&name).unwrap().unwrap();
                w.set_proxy_scores(&name, &values.iter().map(|v| v * 3.0 + 1.0).collect::<Vec<_>>()).unwrap();
            }
        }
    }
    let conn = rusqlite::Connection::open(ws).unwrap();
    conn.execute("DELETE FROM config WHERE key = ?1", [KERNEL_RULE_KEY]).unwrap();
    conn.pragma_update(None, "user_version", 4).unwrap();
}

#[test]
fn resuming_an_old_workspace_computes_its_density_proxies_again() {
    let dir = setup();
    let p = dir.path();
    for ws in ["fresh.cscore", "old.cscore"] {
        ok(&cscore(&[&["estimate", "d", "-w", ws], PLAN].concat(), p));
    }
    let rule = |ws: &str| Workspace::open(&p.join(ws)).unwrap().config(KERNEL_RULE_KEY).unwrap();
    assert_eq!(rule("fresh.cscore"), None, "a new workspace's values are current");
    make_old(&p.join("old.cscore"));
    assert_ne!(proxies(&p.join("old.cscore")), proxies(&p.join("fresh.cscore")));
    // Commands that only read the proxies say so, and change nothing.
    for command in [&["show", "old.cscore", "0", "--no-image"][..], &["export", "old.cscore", "-o", "o.csv"]]
    {
        let out = cscore(command, p);
        ok(&out);
        assert!(
            stderr(&out).contains("older kernel bandwidth rule; `cscore estimate` on it"),
            "{}",
            stderr(&out)
        );
    }
    assert_ne!(rule("old.cscore").as_deref(), Some(KERNEL_RULE), "read-only commands keep the old rule");
    let out = cscore(&[&["estimate", "d", "-w", "old.cscore"], PLAN].concat(), p);
    ok(&out);
    let said = stderr(&out);
    assert!(said.contains("computed with an older kernel bandwidth rule"), "{said}");
    assert!(said.contains("hidden_relative_density"), "{said}");
    assert_eq!(rule("old.cscore").as_deref(), Some(KERNEL_RULE));
    // The six density proxies, and the fused estimate built on one of them, are a new workspace's again.
    assert_eq!(proxies(&p.join("old.cscore")), proxies(&p.join("fresh.cscore")), "bit for bit");
    let again = cscore(&[&["estimate", "d", "-w", "old.cscore"], PLAN].concat(), p);
    ok(&again);
    assert!(!stderr(&again).contains("older kernel bandwidth"), "{}", stderr(&again));
    let shown = cscore(&["show", "old.cscore", "0", "--no-image"], p);
    assert!(!stderr(&shown).contains("older kernel bandwidth"), "{}", stderr(&shown));
}

#[test]
fn merge_leaves_out_the_blocks_of_a_shard_of_the_old_rule() {
    let dir = setup();
    let p = dir.path();
    let (shards, _) = approximate_shards(p);
    make_old(&p.join(&shards[1]));
    let merge: Vec<&str> =
        ["merge", "m.cscore"].into_iter().chain(shards.iter().map(String::as_str)).collect();
    let out = cscore(&merge, p);
    ok(&out);
    let said = stderr(&out);
    assert!(
        said.contains(&format!("{}: its density values and input-space statistics", shards[1])),
        "{said}"
    );
    let merged = Workspace::open(&p.join("m.cscore")).unwrap();
    let names = merged.proxy_names().unwrap();
    for name in ["density", "class_density", "relative_density", "knn_agreement", "lof"] {
        assert!(!names.iter().any(|n| n == name), "{name} joined from a stale block: {names:?}");
    }
    assert!(merged.neighbour_parts().unwrap().iter().all(|b| b.start != 50), "the stale block was copied");
    assert!(merged.config(KERNEL_RULE_KEY).unwrap().is_none_or(|r| r == KERNEL_RULE));
    drop(merged);
    // Resuming the merged workspace computes the input-space proxies of the whole dataset.
    let out = cscore(&[&["estimate", "d", "-w", "m.cscore"], PLAN, &APPROX[..]].concat(), p);
    ok(&out);
    let (merged, single) =
        (Workspace::open(&p.join("m.cscore")).unwrap(), Workspace::open(&p.join("single.cscore")).unwrap());
    for name in ["density", "class_density", "relative_density"] {
        let (a, b) =
            (merged.proxy_scores(name).unwrap().unwrap(), single.proxy_scores(name).unwrap().unwrap());
        let worst = a.iter().zip(&b).map(|(x, y)| (x - y).abs() / y.abs().max(1e-6)).fold(0f32, f32::max);
        assert!(worst < 1e-4, "{name}: resumed merge and single differ by {worst} (relative)");
    }
}
