//! Average precision for injected examples as an estimate matures: runs the real `cscore estimate` and, at
//! fixed times after it started, reads its workspace and scores the holdout C-score, every proxy, and
//! the fused estimate (recomputed from the workspace at that moment) against the injected ground truth.
//!
//! `cargo run --release --example proxy_race -- [DATA] [--noise 0.02] [--at 60,180,600] [--cscore BIN]
//!  [-w WS] [--detail] [-- ESTIMATE-ARGS…]` (arguments after `--` go to `cscore estimate`, e.g.
//!  `-- --noise-seed 7 --seed 3`)

use cscore::estimate::aggregate_workspace;
use cscore::proxy::detect::{average_precision, suspicion};
use cscore::proxy::{fuse, FUSED};
use cscore::store::Workspace;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut data = "../shared/data/mnist".to_string();
    let mut detail = false;
    let mut extra: Vec<String> = Vec::new();
    let (mut noise, mut at, mut bin) =
        ("0.02".to_string(), vec![60u64, 180, 600], "target/release/cscore".to_string());
    let mut ws_path = std::env::temp_dir().join(format!("proxy-race-{}.cscore", std::process::id()));
    while let Some(a) = args.next() {
        match a.as_str() {
            "--noise" => noise = args.next().unwrap_or(noise),
            "--at" => {
                at = args.next().map(|v| v.split(',').filter_map(|s| s.parse().ok()).collect()).unwrap_or(at)
            }
            "--cscore" => bin = args.next().unwrap_or(bin),
            "--detail" => detail = true,
            "--" => extra.extend(args.by_ref()),
            "-w" => ws_path = args.next().map(PathBuf::from).unwrap_or(ws_path),
            _ => data = a,
        }
    }
    let ws_arg = ws_path.display().to_string();
    let est =
        ["estimate", &data, "-w", &ws_arg, "--inject-label-noise", &noise, "--runs", "1000", "--no-progress"];
    let started = Instant::now();
    let mut child =
        Command::new(&bin).args(est).args(&extra).stdout(Stdio::null()).stderr(Stdio::inherit()).spawn()?;
    println!("| minutes | holdout runs | C-score | learning_speed | best single proxy (hindsight) | fused | fused prior |");
    println!("|---|---|---|---|---|---|---|");
    for &t in &at {
        let wait = Duration::from_secs(t).saturating_sub(started.elapsed());
        std::thread::sleep(wait);
        match snapshot(&ws_path, detail) {
            Ok(row) => println!("| {:.1} | {row}", started.elapsed().as_secs_f64() / 60.0),
            Err(e) => println!(
                "| {:.1} | workspace not readable yet: {e} |",
                started.elapsed().as_secs_f64() / 60.0
            ),
        }
    }
    child.kill()?;
    child.wait()?;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at the end: {}", load.trim());
    Ok(())
}

/// One table row: AP of the C-score, of the best proxy, and of the fused estimate as of now.
fn snapshot(path: &std::path::Path, detail: bool) -> anyhow::Result<String> {
    let ws = Workspace::open(path)?;
    let agg = aggregate_workspace(&ws)?;
    let mut truth = vec![false; ws.num_examples()];
    for row in ws.injected()? {
        truth[row.example] = true;
    }
    let ap = |name: &str, s: &[f64]| average_precision(&suspicion(name, s), &truth).unwrap_or(f64::NAN);
    let cscores = agg.cscores();
    let mut proxies = Vec::new();
    for name in ws.proxy_names()?.into_iter().filter(|n| n != FUSED) {
        if let Some(s) = ws.proxy_scores(&name)? {
            proxies.push((name, s));
        }
    }
    let each: Vec<(&str, f64)> = proxies
        .iter()
        .map(|(n, s)| (n.as_str(), ap(n, &s.iter().map(|&v| f64::from(v)).collect::<Vec<_>>())))
        .collect();
    if detail {
        eprintln!("AP of every proxy: {each:.3?}");
    }
    let ls = each.iter().find(|p| p.0 == "learning_speed").map_or(f64::NAN, |p| p.1);
    let best = each.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1));
    let evals: Vec<u32> = (0..agg.len()).map(|i| agg.holdout_evals(i)).collect();
    let fused = fuse(&proxies, &cscores, &evals, None);
    let fused_ap = ap(FUSED, &fused.scores.iter().map(|&v| f64::from(v)).collect::<Vec<_>>());
    let best = best.map_or_else(|| "- (none yet)".to_string(), |(n, a)| format!("{a:.4} ({n})"));
    Ok(format!(
        "{} | {:.4} | {ls:.4} | {best} | {fused_ap:.4} | {} (m = {:.1}) |",
        agg.runs().0,
        ap("cscore", &cscores),
        fused.prior_proxies.join(" + "),
        fused.prior_strength
    ))
}
