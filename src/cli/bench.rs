//! `cscore bench`: the reference protocol through the real engine, timed.

use clap::Args;
use cscore::data::LoadOptions;
use cscore::estimate::{default_workers, run_estimate, EstimateOptions, Plan};
use cscore::model::{parse_device, DeviceData, ModelSpec};
use cscore::project::{dataset_info, peak_rss_bytes};
use cscore::store::{bit_get, RunStatus, Workspace};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// `cscore bench` flags.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// The dataset (full MNIST for the reference figure).
    #[arg(long, default_value = "../shared/data/mnist")]
    pub data: PathBuf,
    /// Subset ratio of the benchmark runs.
    #[arg(long, default_value_t = 0.5)]
    pub ratio: f64,
    /// Models to train.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Models trained at once [default: one per core].
    #[arg(long)]
    pub workers: Option<usize>,
    /// Models trained together as one batched computation (K).
    #[arg(long = "ensemble", value_name = "K", default_value_t = 1)]
    pub models_per_step: usize,
    /// Architecture.
    #[arg(long, default_value = "mlp:512,256")]
    pub model: ModelSpec,
    /// Epochs.
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// cpu, cuda[:N] or metal.
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the benchmark.
pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let device = parse_device(&args.device)?;
    let ds = cscore::data::load(&args.data, &LoadOptions::default())?;
    let dir = std::env::temp_dir().join(format!("cscore-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let ws_path = dir.join("bench.cscore");
    let result = (|| -> anyhow::Result<()> {
        let ws = Workspace::create(&ws_path, &dataset_info(&ds))?;
        let mut plan = Plan {
            ratios: vec![args.ratio],
            runs: args.runs,
            track_runs: 0,
            proxy_runs: 0,
            ..Plan::default()
        };
        plan.model = args.model.clone();
        plan.train.epochs = args.epochs;
        let data = DeviceData::new(&ds, &device)?;
        let workers = args.workers.unwrap_or_else(default_workers).max(1);
        let opts =
            EstimateOptions { workers, models_per_step: args.models_per_step, ..EstimateOptions::default() };
        let stop = AtomicBool::new(false);
        let report = run_estimate(&ws, &data, &plan, &opts, &stop, &mut |_| {})?;
        let runs = ws.load_runs(false)?;
        let done: Vec<_> = runs.iter().filter(|r| r.status == RunStatus::Done).collect();
        let n = done.len().max(1) as f64;
        let acc: f64 = done
            .iter()
            .map(|r| {
                let held = (0..r.num_examples).filter(|&i| bit_get(&r.heldout_mask, i)).count();
                let hit = (0..r.num_examples).filter(|&i| bit_get(&r.heldout_correct, i)).count();
                hit as f64 / held.max(1) as f64
            })
            .sum::<f64>()
            / n;
        let train = done.iter().map(|r| r.train_seconds).sum::<f64>() / n;
        let eval = done.iter().map(|r| r.eval_seconds).sum::<f64>() / n;
        let per_model = report.seconds / n;
        let peak = peak_rss_bytes().unwrap_or(0) as f64 / (1 << 20) as f64;
        if args.json {
            println!(
                "{{\"ratio\":{},\"models\":{},\"workers\":{},\"seconds_per_model\":{per_model:.3},\"models_per_hour\":{:.1},\"train_seconds\":{train:.3},\"eval_seconds\":{eval:.3},\"heldout_accuracy\":{acc:.5},\"peak_rss_mib\":{peak:.1}}}",
                args.ratio, done.len(), workers, 3600.0 / per_model
            );
        } else {
            println!(
                "cscore bench: {} examples, ratio {}, {} × {} ({} epochs, batch {}), {} worker(s), device {}",
                ds.len(),
                args.ratio,
                done.len(),
                plan.model,
                plan.train.epochs,
                plan.train.batch,
                workers,
                args.device
            );
            println!("  seconds per model   {per_model:.2}  (wall-clock of the whole run / models)");
            println!("  models per hour     {:.0}", 3600.0 / per_model);
            println!("  per model           {train:.2} s training + {eval:.2} s held-out evaluation (one worker's view)");
            println!("  held-out accuracy   {:.2}%", acc * 100.0);
            println!("  peak memory (RSS)   {peak:.0} MiB");
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}
