//! The command line (clap derive): definitions and dispatch to the library; no domain logic here.

mod args;
mod bench;
mod carry_tags;
mod clean_notes;
mod data_arg;
mod duration_arg;
mod estimate;
mod eval;
mod eval_compare;
mod explore;
mod export;
mod export_format;
mod gpu;
mod import;
mod import_tags;
mod outdated;
mod pred_probs;
mod progress;
mod show;
mod signals;
pub mod stderr;
pub mod stdout;
pub mod training_defaults;
mod worker;

use clap::{Parser, Subcommand};

pub use args::EstimateArgs;

/// Find the irregular, mislabeled and out-of-distribution examples of an image-classification dataset
/// by estimating each example's consistency score (C-score; Jiang et al., ICML 2021).
#[derive(Debug, Parser)]
#[command(name = "cscore", version = gpu::VERSION, propagate_version = true, max_term_width = 110)]
// A flag given twice takes its last value, as in most command-line tools: a wrapper script that sets
// `--workers` can be given `--workers 4` by its caller.
#[command(args_override_self = true)]
#[command(after_help = "Examples:
  cscore estimate sample_data/mnist-10k                 estimate C-scores into ./mnist-10k.cscore
  cscore estimate data/cifar-10-batches-bin --model cnn --runs 20 --time-limit 2h
  cscore bench --data mnist/                            seconds per model of the reference protocol")]
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
  cscore bench                                                3 models at ratio 0.5 on sample_data/mnist-10k
  cscore bench --data mnist/                                  the same on full MNIST (its four IDX files)
  cscore bench --data mnist/ --ratio 0.1 --runs 4
  bench/compare.sh                                            the same beside the JAX/XLA baseline")]
    Bench(Box<bench::BenchArgs>),
    /// Write the per-example table (C-score, interval, proxies, tags, …) as CSV, JSON Lines or NPY, or a
    /// cleaned copy of the dataset without the tagged examples.
    #[command(after_help = "Examples:
  cscore export mnist-10k.cscore -o scores.csv                   every example, one row each
  cscore export mnist-10k.cscore --filter 'cscore < 0.3 and label == 7'
  cscore export mnist-10k.cscore --tag mislabeled --format jsonl -o mislabeled.jsonl
  cscore export mnist-10k.cscore --format npy -o cscores.npy --proxies   numpy.load-able vectors
  cscore export mnist-10k.cscore --clean --to mnist-clean --drop-tag mislabeled,ood --apply-relabels

Columns: index, label, cscore, cscore_low, cscore_high, holdout_evals, heldout_prediction, tag,
proxy_<name>…, injected, injected_kind, injected_original_label (with injected corruption), relabel,
note, label_name, ref_<name>…, given_label, predicted_label, label_score, is_label_issue
(cleanlab-style), path (image folders). Missing values are empty cells (null in JSON).
Filters compare columns with numbers or \"strings\" (< <= > >= == !=), find text in text
(path contains \"/2019/\") and join them with and/or/not and parentheses; a missing value
compares false, `x == null` finds it.")]
    Export(Box<export::ExportArgs>),
    /// Import reference scores (e.g. the published CIFAR C-scores) as column ref_<NAME>.
    #[command(after_help = "Examples:
  cscore import-scores cifar10.cscore cifar10-cscores-orig-order.npz --name paper
  cscore import-scores mnist-10k.cscore other.npy --name other
  cscore import-scores mnist-10k.cscore scores.csv --name mine     index,score or one score per line")]
    ImportScores(Box<import::ImportArgs>),
    /// Import tags, relabels and notes from another workspace (matched by pixels) or a table (another
    /// workspace's export, or any CSV / JSON Lines with index or path and tag, relabel, note columns),
    /// matched by file or index.
    #[command(after_help = "Examples:
  cscore import-tags new.cscore old.cscore                        the labeling of a workspace, carried to one of
                                                                  the edited dataset (each image found by its pixels)
  cscore export old.cscore --filter 'tag != null' -o tags.csv     the labeling of a workspace as a table…
  cscore import-tags new.cscore tags.csv                          …carried to one of the edited folder (by file)
  cscore import-tags mnist-10k.cscore issues.csv --by index       index,tag rows, e.g. from pandas")]
    ImportTags(Box<import_tags::ImportTagsArgs>),
    /// Evaluate the C-score, every proxy and reference: AUROC / AP against known-bad examples, or
    /// Spearman / Kendall against reference scores.
    #[command(after_help = "Examples:
  cscore eval noisy.cscore                                  against the injected corruption
  cscore eval mnist-10k.cscore --truth-indices flipped.txt  one index per line (or a .npy of ints)
  cscore eval cifar10.cscore --reference-scores cifar10-cscores-orig-order.npz
  cscore eval cifar10.cscore --reference-scores paper       scores imported with --name paper
  cscore eval noisy.cscore --compare --top 5                proxies against the C-score and each other")]
    Eval(Box<eval::EvalArgs>),
    /// Show one example: label, C-score with interval, held-out prediction, consistency profile,
    /// proxies with ranks, tag and note, and the image.
    #[command(after_help = "Examples:
  cscore show mnist-10k.cscore 1234
  cscore show mnist-10k.cscore 1234 --no-image
  cscore show mnist-10k.cscore 1234 --ascii | less")]
    Show(Box<show::ShowArgs>),
    /// Explore a dataset or workspace in a live terminal UI: ranked list, previews, labels; trains what
    /// is missing in the background.
    #[command(mut_arg("data", |a| a
        .required(false)
        .default_value("sample_data/mnist-10k")
        .value_name("DATA|WS")
        .help("A dataset (as for estimate) or a workspace .cscore file")))]
    #[command(after_help = "Examples:
  cscore explore                                   sample_data/mnist-10k, training in the background
  cscore explore mnist-10k.cscore --no-train       watch a workspace another process fills
  cscore explore data/cifar --model cnn --theme light

Keys: ? shows every binding. Settings and keys: ~/.config/cscore/config.toml (or $CSCORE_CONFIG).")]
    Explore(Box<explore::ExploreArgs>),
    /// Train one shard of an estimate (a Slurm array task or Kubernetes indexed-job pod) into its own
    /// workspace WS.shard-I-of-N; merge the shards with `cscore merge`.
    #[command(after_help = "Examples:
  cscore worker mnist/ -w mnist.cscore --runs 200 --shard 0/3     writes mnist.cscore.shard-0-of-3
  sbatch --array=0-2 deploy/slurm/estimate.sbatch mnist/ mnist.cscore --runs 200
                                                                  shard from SLURM_ARRAY_TASK_ID
  JOB_COMPLETION_INDEX=1 cscore worker mnist/ --shard-count 3     shard from a Kubernetes indexed job

The plan is the one `cscore estimate` would run with the same flags; each shard trains a deterministic,
cost-balanced part of it and is resumable like estimate. Shard 0 trains the proxy runs and computes the
proxy scores (the others skip them); a shard that finishes leaves WS.shard-I-of-N.done.")]
    Worker(Box<worker::WorkerArgs>),
    /// Fold shard workspaces into one, all or nothing (same dataset, plan and corruption; runs already
    /// present are skipped, conflicting ones refused; idempotent), with their proxy scores and a
    /// recomputed fused score.
    #[command(after_help = "Examples:
  cscore merge mnist.cscore                         every mnist.cscore.shard-I-of-N beside it (all N)
  cscore merge mnist.cscore mnist.cscore.shard-*    the shards a glob names (.done markers skipped)
  cscore merge mnist.cscore --require-complete      after every worker finished (for schedulers)
  cscore explore mnist.cscore --no-train            follow it while shards are merged into it")]
    Merge(Box<worker::MergeArgs>),
}

/// Parses the command line and runs the command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(device) = requested_device(&cli.command) {
        gpu::hand_over(device)?;
    }
    match cli.command {
        Command::Estimate(args) => estimate::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Explore(args) => explore::run(&args),
        Command::Export(args) => export::run(&args),
        Command::ImportScores(args) => import::run(&args),
        Command::ImportTags(args) => import_tags::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Show(args) => show::run(&args),
        Command::Worker(args) => worker::run(&args),
        Command::Merge(args) => worker::merge(&args),
    }
}

/// The `--device` of a command that trains.
fn requested_device(command: &Command) -> Option<&str> {
    match command {
        Command::Estimate(a) => Some(&a.device),
        Command::Bench(a) => Some(&a.device),
        Command::Explore(a) => Some(&a.estimate.device),
        Command::Worker(a) => Some(&a.estimate.device),
        _ => None,
    }
}
