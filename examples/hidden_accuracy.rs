//! The approximate hidden-space proxies against the exact ones: trains the model of the plan's proxy run
//! (the reference protocol's MLP on every example, as `cscore estimate` does), takes its hidden features
//! (kept as f16, as the estimate keeps them) and computes `hidden_relative_density`,
//! `hidden_class_density` and `hidden_density` from exact and from approximate neighbour statistics: the
//! time of each, Spearman ρ between them, and the average precision of each for injected label noise.
//!
//! `cargo run --release --example hidden_accuracy -- [DATA] [--inject-label-noise F] [--noise-seed S] [--dims D]`
//!
//! `--dims D`: the approximate pass's projection width (default that of `ApproxOptions`).
//!
//! The approximate pass runs twice: with the default settings, and as the baseline with no neighbours
//! summed one by one in the kernel sums (the reference sample alone, the estimator before 2026-12-07).
use cscore::data::{inject, Corruption, LoadOptions};
use cscore::estimate::Plan;
use cscore::model::DeviceData;
use cscore::pipeline::proxy_run_features;
use cscore::proxy::density::density_family;
use cscore::proxy::detect::{average_precision, suspicion};
use cscore::proxy::rank::spearman;
use cscore::proxy::{neighbour_stats_part_rows, ApproxOptions, NeighbourMethod, NeighbourOptions};
use std::time::Instant;

/// Named score vectors.
type Family = Vec<(&'static str, Vec<f64>)>;

#[allow(clippy::result_large_err)] // the crate's Error, as the row reader returns it
fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut data = "../shared/data/mnist".to_string();
    let (mut noise, mut seed) = (0.05, 0u64);
    let mut dims: Option<usize> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--inject-label-noise" => noise = args.next().and_then(|v| v.parse().ok()).unwrap_or(noise),
            "--noise-seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            "--dims" => dims = args.next().and_then(|v| v.parse().ok()),
            other => data = other.to_string(),
        }
    }
    let mut ds = cscore::data::load(std::path::Path::new(&data), &LoadOptions::default())?;
    let flipped = inject(&mut ds, &Corruption { label_noise: noise, ood: 0.0, seed })?;
    let mut injected = vec![false; ds.len()];
    flipped.iter().for_each(|f| injected[f.index] = true);
    let plan = Plan::default();
    let dev = DeviceData::with_inputs(&ds, &plan.inputs, &candle_core::Device::Cpu)?;
    let t = Instant::now();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let f = proxy_run_features(&dev, &plan, &stop)?.ok_or_else(|| anyhow::anyhow!("the proxy run failed"))?;
    let (n, dim) = (ds.len(), f.dim);
    println!(
        "{n} examples, {} flipped; proxy-run model trained, {dim} hidden features each, in {:.1} s",
        flipped.len(),
        t.elapsed().as_secs_f64()
    );
    let rows = |s: usize, l: usize| {
        let block: Vec<f32> = f.values[s * dim..(s + l) * dim].iter().map(|v| v.to_f32()).collect();
        candle_core::Tensor::from_vec(block, (l, dim), &candle_core::Device::Cpu)
            .map_err(|e| cscore::Error::Model(cscore::model::ModelError::Candle(e)))
    };
    let opts = NeighbourOptions { k: 0, ..NeighbourOptions::default() };
    let pass = |method: NeighbourMethod| -> anyhow::Result<(f64, Family)> {
        let t = Instant::now();
        let stats = neighbour_stats_part_rows(&rows, n, &ds.labels, &opts, &method, 0..n)?;
        let family =
            density_family(&stats).map(|(name, v)| (name, v.iter().map(|&x| f64::from(x)).collect()));
        Ok((t.elapsed().as_secs_f64(), family.into()))
    };
    let (exact_s, exact) = pass(NeighbourMethod::Exact)?;
    let mut main = ApproxOptions::default();
    main.dims = dims.unwrap_or(main.dims);
    let (approx_s, approx) = pass(NeighbourMethod::Approximate(main))?;
    let alone = ApproxOptions { density_neighbours: 0, ..ApproxOptions::default() };
    let (base_s, base) = pass(NeighbourMethod::Approximate(alone))?;
    println!(
        "baseline approximate pass (the reference alone) {base_s:.1} s: the default took {:.2}× its time",
        approx_s / base_s
    );
    let ap = |name: &str, v: &[f64]| {
        average_precision(&suspicion(&format!("hidden_{name}"), v), &injected)
            .map_or("-".into(), |a| format!("{a:.4}"))
    };
    println!(
        "{:<26} {:>8} {:>9} {:>8} {:>9} {:>10}",
        "proxy", "exact s", "approx s", "ρ", "AP exact", "AP approx"
    );
    for (((name, e), (_, a)), (_, b)) in exact.iter().zip(&approx).zip(&base) {
        let rho = |a: &[f64]| spearman(e, a).map_or("-".into(), |r| format!("{r:.4}"));
        println!(
            "{:<26} {exact_s:>8.1} {approx_s:>9.1} {:>8} {:>9} {:>10}   baseline: ρ {} AP {}",
            format!("hidden_{name}"),
            rho(a),
            ap(name, e),
            ap(name, a),
            rho(b),
            ap(name, b)
        );
    }
    Ok(())
}
