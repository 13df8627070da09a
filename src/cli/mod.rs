//! The command line (clap derive): definitions and dispatch to the library; no domain logic here.

mod args;
mod bench;
mod estimate;
mod progress;

use clap::{Parser, Subcommand};

pub use args::EstimateArgs;

/// Find the irregular, mislabeled and out-of-distribution examples of an image-classification dataset
/// by estimating each example's consistency score (C-score; Jiang et al., ICML 2021).
#[derive(Debug, Parser)]
#[command(name = "cscore", version, propagate_version = true, max_term_width = 110)]
#[command(after_help = "Examples:
  cscore estimate sample_data/mnist-10k                 estimate C-scores into ./mnist-10k.cscore
  cscore estimate data/cifar-10-batches-bin --model cnn --runs 20 --time-limit 2h
  cscore bench --data ../shared/data/mnist              seconds per model of the reference protocol")]
pub struct Cli {
    /// More log output (-v: debug, -vv: trace); RUST_LOG also works.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Estimate C-scores with the paper's holdout procedure (resumable: run it again to continue).
    #[command(after_help = "Examples:
  cscore estimate sample_data/mnist-10k                       4 runs per ratio into ./mnist-10k.cscore
  cscore estimate sample_data/mnist-10k --runs 20             continue the same workspace up to 20 runs
  cscore estimate mnist/ -w mnist.cscore --time-limit 30m     stop after 30 minutes (resume later)
  cscore estimate cifar/ --model cnn --device cuda --ensemble 16
  cscore estimate sample_data/mnist-10k -w noisy.cscore --inject-label-noise 0.05 --noise-seed 1

Kill it at any moment: finished runs are committed one transaction each, and running the same command
again continues where it stopped. Ctrl-C stops cleanly (a second Ctrl-C exits at once).")]
    Estimate(Box<EstimateArgs>),
    /// Measure training throughput: seconds per model of the reference protocol (ratio 0.5, MLP
    /// 784-512-256-10, 10 epochs, batch 128, momentum SGD) with held-out evaluation, and peak memory.
    #[command(after_help = "Examples:
  cscore bench --data ../shared/data/mnist                    3 models at ratio 0.5 on full MNIST
  cscore bench --data ../shared/data/mnist --ratio 0.1 --runs 4
  bench/compare.sh                                            the same beside the JAX/XLA baseline")]
    Bench(Box<bench::BenchArgs>),
}

/// Parses the command line and runs the command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Estimate(args) => estimate::run(&args),
        Command::Bench(args) => bench::run(&args),
    }
}
