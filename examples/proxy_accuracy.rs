//! The approximate pairwise-distance proxies against the exact ones: per input-space proxy, the time of
//! each, Spearman ρ between them, the k-NN recall, and the average precision for finding injected label
//! noise with each. `--approx-only` skips the exact pass (for data too large for it) and never builds the
//! full f32 input matrix.
//!
//! `cargo run --release --example proxy_accuracy -- [DATA] [--n N] [--inject-label-noise F] [--noise-seed S]
//!  [--approx-only] [--reference M] [--dims D] [--probes P] [--lists L] [--train-sample S] [--iterations I]
//!  [--density-neighbours K] [--baseline-density-neighbours K] [--workspace WS] [--part I/N]`
//!
//! `--baseline-density-neighbours K`: also runs the approximate pass with K neighbours summed one by one in
//! the kernel sums (0: the reference sample alone, the estimator before 2026-12-07), in the same run, and
//! prints its time and agreement beside the main one's.
//!
//! `--part I/N`: also times the approximate statistics of block I of N alone (what shard I of a sharded
//! estimate computes), beside the whole pass.
//!
//! `--workspace WS`: a finished estimate of DATA with exact input-space proxies and the same injected
//! noise (e.g. `cscore estimate DATA --inject-label-noise 0.05 --runs 1 -w WS --neighbours exact`); the
//! fused estimate is computed from its proxies and holdout evidence twice, with the exact input-space
//! proxies and with the approximate ones in their place, and the average precision of each for the
//! injected examples printed beside the holdout C-score's.

use cscore::data::{inject, Corruption, LoadOptions};
use cscore::model::DeviceData;
use cscore::proxy::density::{density_family, knn_agreement, local_outlier_factor};
use cscore::proxy::detect::{average_precision, suspicion};
use cscore::proxy::rank::spearman;
use cscore::proxy::{
    neighbour_stats, neighbour_stats_approx_rows, ApproxOptions, NeighbourOptions, NeighbourStats,
};
use std::time::Instant;

/// The input-space proxies of one pass.
fn proxies(s: &NeighbourStats, labels: &[u32]) -> Vec<(&'static str, Vec<f64>)> {
    let mut all: Vec<(&'static str, Vec<f32>)> = density_family(s).into();
    all.push(("knn_agreement", knn_agreement(s, labels)));
    all.push(("lof", local_outlier_factor(s)));
    all.into_iter().map(|(n, v)| (n, v.iter().map(|&x| f64::from(x)).collect())).collect()
}

/// Fraction of the exact k nearest neighbours the approximate pass found.
fn recall(exact: &NeighbourStats, approx: &NeighbourStats) -> f64 {
    let k = exact.k;
    let hits: usize = exact
        .neighbours
        .chunks(k.max(1))
        .zip(approx.neighbours.chunks(k.max(1)))
        .map(|(e, a)| e.iter().filter(|j| a.contains(j)).count())
        .sum();
    hits as f64 / exact.neighbours.len().max(1) as f64
}

#[allow(clippy::result_large_err)] // the crate's Error, as the row reader returns it
fn main() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("cscore::proxy=debug"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    let mut args = std::env::args().skip(1);
    let (mut data, mut n, mut noise, mut noise_seed) = ("/work/shared/data/mnist".to_string(), None, 0.0, 0);
    let mut approx_only = false;
    let mut workspace: Option<String> = None;
    let mut part: Option<(usize, usize)> = None;
    let mut baseline: Option<usize> = None;
    let mut approx = ApproxOptions::default();
    let num = |v: Option<String>| v.and_then(|v| v.parse::<usize>().ok());
    while let Some(a) = args.next() {
        match a.as_str() {
            "--n" => n = num(args.next()),
            "--inject-label-noise" => noise = args.next().and_then(|v| v.parse().ok()).unwrap_or(0.0),
            "--noise-seed" => noise_seed = num(args.next()).unwrap_or(0) as u64,
            "--approx-only" => approx_only = true,
            "--reference" => approx.reference = num(args.next()).unwrap_or(approx.reference),
            "--dims" => approx.dims = num(args.next()).unwrap_or(approx.dims),
            "--probes" => approx.probes = num(args.next()).unwrap_or(approx.probes),
            "--lists" => approx.lists = num(args.next()),
            "--train-sample" => approx.train_sample = num(args.next()).unwrap_or(approx.train_sample),
            "--iterations" => approx.iterations = num(args.next()).unwrap_or(approx.iterations),
            "--density-neighbours" => {
                approx.density_neighbours = num(args.next()).unwrap_or(approx.density_neighbours)
            }
            "--baseline-density-neighbours" => baseline = num(args.next()),
            "--workspace" => workspace = args.next(),
            "--part" => {
                part = args.next().and_then(|v| {
                    let (i, n) = v.split_once('/')?;
                    Some((i.parse().ok()?, n.parse().ok()?))
                })
            }
            _ => data = a,
        }
    }
    let t = Instant::now();
    let mut ds = cscore::data::load(std::path::Path::new(&data), &LoadOptions::default())?;
    let injected: Vec<bool> = match noise > 0.0 {
        true => {
            let done = inject(&mut ds, &Corruption { label_noise: noise, ood: 0.0, seed: noise_seed })?;
            let mut mask = vec![false; ds.len()];
            done.iter().for_each(|i| mask[i.index] = true);
            mask
        }
        false => Vec::new(),
    };
    let dev = DeviceData::new(&ds, &candle_core::Device::Cpu)?;
    let n = n.unwrap_or(ds.len()).min(ds.len());
    let labels = ds.labels[..n].to_vec();
    let d = ds.example_len();
    drop(ds);
    let injected = &injected[..injected.len().min(n)];
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{n} examples × {d} values, loaded in {:.1} s, {threads} cores, load {}",
        t.elapsed().as_secs_f64(),
        load.trim()
    );
    println!("{approx:?}");
    let opts = NeighbourOptions::default();
    let rows = |s: usize, l: usize| dev.inputs(s, l).map_err(cscore::Error::Model);
    let t = Instant::now();
    let fast = neighbour_stats_approx_rows(&rows, n, &labels, &opts, &approx)?;
    let fast_s = t.elapsed().as_secs_f64();
    let fast_p = proxies(&fast, &labels);
    println!("approximate pass {fast_s:.1} s (bandwidth {:.3})", fast.bandwidth);
    let base = match baseline {
        Some(k) => {
            let t = Instant::now();
            let opts_b = ApproxOptions { density_neighbours: k, ..approx.clone() };
            let b = neighbour_stats_approx_rows(&rows, n, &labels, &opts, &opts_b)?;
            let base_s = t.elapsed().as_secs_f64();
            println!(
                "baseline approximate pass ({k} neighbours summed one by one) {base_s:.1} s: the main one took {:.2}× its time",
                fast_s / base_s
            );
            Some(proxies(&b, &labels))
        }
        None => None,
    };
    let ap = |name: &str, v: &[f64]| match injected.iter().any(|&b| b) {
        true => average_precision(&suspicion(name, v), injected).map_or("-".into(), |a| format!("{a:.4}")),
        false => "-".to_string(),
    };
    if let Some((i, count)) = part {
        let block = cscore::proxy::block_of(n, i, count);
        let method = cscore::proxy::NeighbourMethod::Approximate(approx.clone());
        let t = Instant::now();
        let stats =
            cscore::proxy::neighbour_stats_part_rows(&rows, n, &labels, &opts, &method, block.clone())?;
        let part_s = t.elapsed().as_secs_f64();
        println!(
            "block {i}/{count} (examples {}..{}): {part_s:.1} s, {:.2} of the whole pass ({} rows of statistics)",
            block.start,
            block.end,
            part_s / fast_s,
            stats.kernel_sum.len()
        );
    }
    if let Some(ws) = workspace {
        fused_both_ways(std::path::Path::new(&ws), &fast_p, injected)?;
    }
    if approx_only {
        println!("{:<18} {:>10}", "proxy", "AP approx");
        fast_p.iter().for_each(|(name, v)| println!("{name:<18} {:>10}", ap(name, v)));
        return Ok(());
    }
    let x = dev.inputs(0, n)?;
    let t = Instant::now();
    let exact = neighbour_stats(&x, &labels, &opts)?;
    let exact_s = t.elapsed().as_secs_f64();
    println!("exact pass {exact_s:.1} s; k-NN recall@{} {:.4}", exact.k, recall(&exact, &fast));
    println!(
        "{:<18} {:>9} {:>9} {:>8} {:>9} {:>10}",
        "proxy", "exact s", "approx s", "ρ", "AP exact", "AP approx"
    );
    for (t, ((name, e), (_, a))) in proxies(&exact, &labels).iter().zip(&fast_p).enumerate() {
        let rho = |a: &[f64]| spearman(e, a).map_or("-".into(), |r| format!("{r:.4}"));
        print!(
            "{name:<18} {exact_s:>9.1} {fast_s:>9.1} {:>8} {:>9} {:>10}",
            rho(a),
            ap(name, e),
            ap(name, a)
        );
        match &base {
            Some(b) => println!("   baseline: ρ {} AP {}", rho(&b[t].1), ap(name, &b[t].1)),
            None => println!(),
        }
    }
    Ok(())
}

/// The fused estimate of the workspace `ws` from its stored (exact) proxies, and again with the input-space
/// ones replaced by `approx`, each scored by average precision for the injected examples.
fn fused_both_ways(
    ws: &std::path::Path,
    approx: &[(&'static str, Vec<f64>)],
    injected: &[bool],
) -> anyhow::Result<()> {
    let ws = cscore::store::Workspace::open(ws)?;
    let mut truth = vec![false; ws.num_examples()];
    ws.injected()?.iter().for_each(|r| truth[r.example] = true);
    anyhow::ensure!(truth == injected, "the workspace's injected examples are not those of these flags");
    let agg = cscore::estimate::aggregate_workspace(&ws)?;
    let (c, evals): (Vec<f64>, Vec<u32>) =
        (agg.cscores(), (0..agg.len()).map(|i| agg.holdout_evals(i)).collect());
    let mut exact = Vec::new();
    for name in ws.proxy_names()?.into_iter().filter(|n| n != cscore::proxy::FUSED) {
        if let Some(s) = ws.proxy_scores(&name)? {
            exact.push((name, s));
        }
    }
    let swapped: Vec<(String, Vec<f32>)> = exact
        .iter()
        .map(|(name, s)| match approx.iter().find(|(a, _)| a == name) {
            Some((_, v)) => (name.clone(), v.iter().map(|&x| x as f32).collect()),
            None => (name.clone(), s.clone()),
        })
        .collect();
    let ap = |name: &str, v: &[f64]| average_precision(&suspicion(name, v), &truth).unwrap_or(f64::NAN);
    let widen = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
    let runs = ws.run_counts()?.done;
    println!(
        "workspace: {} examples, {runs} runs, {} injected",
        truth.len(),
        truth.iter().filter(|&&b| b).count()
    );
    println!("AP for the injected examples: holdout C-score {:.4}", ap("cscore", &c));
    for (label, proxies) in [("exact", &exact), ("approximate", &swapped)] {
        let fused = cscore::proxy::fuse(proxies, &c, &evals, None);
        println!(
            "  fused with {label} input-space proxies: {:.4} (prior from {})",
            ap(cscore::proxy::FUSED, &widen(&fused.scores)),
            fused.prior_proxies.join(", ")
        );
    }
    Ok(())
}
