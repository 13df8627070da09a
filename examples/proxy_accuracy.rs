//! The approximate pairwise-distance proxies against the exact ones: per input-space proxy, the time of
//! each, Spearman ρ between them, the k-NN recall, and the average precision for finding injected label
//! noise with each. `--approx-only` skips the exact pass (for data too large for it) and never builds the
//! full f32 input matrix.
//!
//! `cargo run --release --example proxy_accuracy -- [DATA] [--n N] [--inject-label-noise F] [--noise-seed S]
//!  [--approx-only] [--reference M] [--dims D] [--probes P] [--lists L]`

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
    let ap = |name: &str, v: &[f64]| match injected.iter().any(|&b| b) {
        true => average_precision(&suspicion(name, v), injected).map_or("-".into(), |a| format!("{a:.4}")),
        false => "-".to_string(),
    };
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
    for ((name, e), (_, a)) in proxies(&exact, &labels).iter().zip(&fast_p) {
        let rho = spearman(e, a).map_or("-".into(), |r| format!("{r:.4}"));
        println!("{name:<18} {exact_s:>9.1} {fast_s:>9.1} {rho:>8} {:>9} {:>10}", ap(name, e), ap(name, a));
    }
    Ok(())
}
