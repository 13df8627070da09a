//! Replays the first holdout runs of a finished workspace (in the order they were committed) and scores,
//! after each count of runs, the C-score and the fused estimate (with its estimated prior strength, the
//! prior alone, and fixed strengths) as average precision for the workspace's injected examples.
//!
//! `cargo run --release --example fuse_replay -- WS [--runs 5,10,20,40,70] [--m 32,100]` (`--m`: also fixed
//! prior strengths)

use cscore::estimate::Aggregate;
use cscore::proxy::detect::{average_precision, suspicion};
use cscore::proxy::{fuse, FUSED};
use cscore::store::Workspace;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or_else(|| anyhow::anyhow!("usage: fuse_replay WS [--runs 5,10,20]"))?;
    let mut counts = vec![5usize, 10, 20, 40, 70];
    let mut fixed: Vec<f64> = Vec::new();
    while let Some(a) = args.next() {
        let list = args.next().unwrap_or_default();
        match a.as_str() {
            "--runs" => counts = list.split(',').filter_map(|s| s.parse().ok()).collect(),
            "--m" => fixed = list.split(',').filter_map(|s| s.parse().ok()).collect(),
            _ => {}
        }
    }
    let ws = Workspace::open(std::path::Path::new(&path))?;
    let plan = cscore::estimate::stored_plan(&ws)?.ok_or_else(|| anyhow::anyhow!("no plan stored"))?;
    let n = ws.num_examples();
    let mut truth = vec![false; n];
    for row in ws.injected()? {
        truth[row.example] = true;
    }
    let ap = |name: &str, s: &[f64]| average_precision(&suspicion(name, s), &truth).unwrap_or(f64::NAN);
    let mut proxies = Vec::new();
    for name in ws.proxy_names()?.into_iter().filter(|p| p != FUSED) {
        if let Some(s) = ws.proxy_scores(&name)? {
            proxies.push((name, s));
        }
    }
    let best = proxies
        .iter()
        .map(|(name, s)| (name.as_str(), ap(name, &s.iter().map(|&v| f64::from(v)).collect::<Vec<_>>())))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    println!("best single proxy (hindsight): {best:?}");
    println!("| holdout runs | C-score | fused (empirical-Bayes m) | prior alone | fixed m … |");
    println!("|---|---|---|---|---|");
    let runs = ws.load_runs(false)?;
    let classes = ws.dataset_info()?.num_classes.max(1);
    let mut agg = Aggregate::new(n, plan.ratios.len(), classes);
    let mut added = 0;
    for r in runs.iter().filter(|r| !r.key.kind_is_proxy) {
        agg.add(r);
        added += 1;
        if !counts.contains(&added) {
            continue;
        }
        let c = agg.cscores();
        let evals: Vec<u32> = (0..n).map(|i| agg.holdout_evals(i)).collect();
        let score = |f: cscore::proxy::Fused| {
            let s: Vec<f64> = f.scores.iter().map(|&v| f64::from(v)).collect();
            let from = f.prior_proxies.join(" ");
            format!("{:.4} (m = {:.1}, {}; prior: {from})", ap(FUSED, &s), f.prior_strength, f.strength_from)
        };
        let extra: Vec<String> = fixed.iter().map(|&m| score(fuse(&proxies, &c, &evals, Some(m)))).collect();
        println!(
            "| {added} | {:.4} | {} | {} | {} |",
            ap("cscore", &c),
            score(fuse(&proxies, &c, &evals, None)),
            score(fuse(&proxies, &c, &evals, Some(1e9))),
            extra.join(" | ")
        );
    }
    Ok(())
}
