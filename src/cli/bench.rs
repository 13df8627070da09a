//! `cscore bench`: the reference protocol through the real engine, timed.

use super::stdout::outln;
use clap::Args;
use cscore::data::LoadOptions;
use cscore::estimate::{default_workers, run_bench, BenchConfig, BenchReport};
use cscore::model::{parse_device, DeviceData, ModelSpec, TrainConfig};
use std::path::PathBuf;

/// `cscore bench` flags.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// The dataset: the shipped 10,000-example sample when run from the repository; full MNIST (the
    /// folder of its four IDX files) for the reference figure.
    #[arg(long, default_value = "sample_data/mnist-10k")]
    pub data: PathBuf,
    /// Subset ratio of the benchmark runs; a list (0.1,0.5,0.9) benchmarks each in turn.
    #[arg(long, default_value = "0.5", value_delimiter = ',', action = clap::ArgAction::Set)]
    pub ratio: Vec<f64>,
    /// Models to train (per ratio).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Models trained at once [default: one per core].
    #[arg(long, value_parser = super::args::positive)]
    pub workers: Option<usize>,
    /// Models trained together as one batched computation (K).
    #[arg(long = "ensemble", value_name = "K", default_value_t = 1, value_parser = super::args::positive)]
    pub models_per_step: usize,
    /// Architecture.
    #[arg(long, default_value = "mlp:512,256")]
    pub model: ModelSpec,
    /// Epochs.
    #[arg(long, default_value_t = 10)]
    pub epochs: usize,
    /// Examples per SGD step.
    #[arg(long, default_value_t = 128)]
    pub batch: usize,
    /// Learning rate (the paper's MNIST protocol: 0.1).
    #[arg(long, default_value_t = 0.1)]
    pub lr: f64,
    /// Heavy-ball momentum.
    #[arg(long, default_value_t = 0.9)]
    pub momentum: f64,
    /// cpu, cuda[:N] or metal.
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// Print one JSON object per ratio (one line each) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the benchmark.
pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let device = parse_device(&args.device)?;
    let ds = cscore::data::load(&args.data, &LoadOptions::default())?;
    let data = DeviceData::new(&ds, &device)?;
    let dir = tempfile_dir()?;
    let mut reports = Vec::new();
    let result = (|| -> anyhow::Result<()> {
        for &ratio in &args.ratio {
            let cfg = BenchConfig {
                ratio,
                runs: args.runs,
                workers: args.workers.unwrap_or_else(default_workers),
                models_per_step: args.models_per_step,
                model: args.model.clone(),
                train: TrainConfig {
                    epochs: args.epochs,
                    batch: args.batch,
                    lr: args.lr,
                    momentum: args.momentum,
                    weight_decay: 0.0,
                },
            };
            let r = run_bench(&ds, &data, &cfg, &dir)?;
            if r.models == 0 {
                anyhow::bail!(
                    "every model diverged at ratio {ratio} (lr {}): no throughput to report; try a lower --lr",
                    args.lr
                );
            }
            if args.json {
                outln!("{}", serde_json::to_string(&r)?);
            } else {
                print_table(&r, &ds.len(), args);
            }
            reports.push(r);
        }
        if !args.json && reports.len() > 1 {
            print_scaling(&reports);
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("cscore-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn print_table(r: &BenchReport, n: &usize, args: &BenchArgs) {
    outln!(
        "cscore bench: {n} examples, ratio {} ({} training examples), {} × {} ({} epochs, batch {}, lr {}), {} worker(s), {} thread(s), device {}",
        r.ratio, r.train_examples, r.models + r.failed, args.model, args.epochs, args.batch, args.lr, r.workers, r.threads, args.device
    );
    if r.failed > 0 {
        outln!(
            "  failed              {} model(s) diverged (their time is counted; accuracy is of the others)",
            r.failed
        );
    }
    outln!("  seconds per model   {:.2}  (wall-clock of the whole run / models)", r.seconds_per_model);
    outln!("  models per hour     {:.0}", r.models_per_hour);
    outln!(
        "  per model           {:.2} s training + {:.2} s held-out evaluation (one worker's view)",
        r.train_seconds,
        r.eval_seconds
    );
    let each: Vec<String> =
        r.heldout_accuracy_per_model.iter().map(|a| format!("{:.2}", a * 100.0)).collect();
    outln!("  held-out accuracy   {:.2}%  (by model: {})", r.heldout_accuracy * 100.0, each.join(" "));
    outln!("  peak memory (RSS)   {:.0} MiB", r.peak_rss_bytes as f64 / (1u64 << 20) as f64);
}

/// Seconds per model against the subset size: linear growth keeps seconds per training example flat.
fn print_scaling(reports: &[BenchReport]) {
    outln!("scaling with the subset size (training time per 1,000 training examples):");
    for r in reports {
        outln!(
            "  ratio {:<4} {:>6} examples  {:>6.2} s per model  {:.3} s per 1,000",
            r.ratio,
            r.train_examples,
            r.train_seconds,
            r.train_seconds * 1000.0 / r.train_examples.max(1) as f64
        );
    }
}
