//! Times the input-space pairwise-distance proxies (k-NN agreement, LOF and the density family: one
//! blocked-GEMM pass over all pairs) on a dataset, full MNIST by default.
//!
//! `cargo run --release --example proxy_bench -- [DATA] [--n N] [--block B]`

use cscore::data::LoadOptions;
use cscore::model::DeviceData;
use cscore::proxy::density::{density_family, knn_agreement, local_outlier_factor};
use cscore::proxy::{neighbour_stats, NeighbourOptions};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut data, mut n, mut block) = ("../shared/data/mnist".to_string(), None, 2048);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--n" => n = args.next().and_then(|v| v.parse::<usize>().ok()),
            "--block" => block = args.next().and_then(|v| v.parse().ok()).unwrap_or(block),
            _ => data = a,
        }
    }
    let ds = cscore::data::load(std::path::Path::new(&data), &LoadOptions::default())?;
    let dev = DeviceData::new(&ds, &candle_core::Device::Cpu)?;
    let n = n.unwrap_or(ds.len()).min(ds.len());
    let x = dev.inputs(0, n)?;
    let labels = &ds.labels[..n];
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "{n} examples × {} values, block {block}, {threads} cores, load average {}",
        ds.example_len(),
        load.trim()
    );
    let t = Instant::now();
    let stats = neighbour_stats(&x, labels, &NeighbourOptions { block, ..NeighbourOptions::default() })?;
    let pass = t.elapsed().as_secs_f64();
    let family = density_family(&stats);
    let knn = knn_agreement(&stats, labels);
    let lof = local_outlier_factor(&stats);
    let total = t.elapsed().as_secs_f64();
    let mean = |v: &[f32]| v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len().max(1) as f64;
    println!("bandwidth h = {:.3}", stats.bandwidth);
    println!(
        "mean knn_agreement {:.4}, mean lof {:.4}, mean density {:.3e}",
        mean(&knn),
        mean(&lof),
        mean(&family[2].1)
    );
    println!("all-pairs pass {pass:.1} s; knn_agreement + lof + density family {total:.1} s");
    Ok(())
}
