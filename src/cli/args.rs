//! Flags shared by the commands that load a dataset and estimate (`estimate`, later `explore`, `worker`).

use clap::Args;
use cscore::data::{Format, LoadOptions};
use cscore::estimate::PlanOverrides;
use cscore::model::ModelSpec;
use cscore::project::CorruptionSettings;
use std::path::PathBuf;
use std::time::Duration;

/// Where the data is and how to read it.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// The dataset: an IDX folder or images file (plain or .gz), a CIFAR binary folder, an image folder
    /// root/<class>/*.png|jpg|…, or a .npz with arrays x and y; or a workspace (.cscore), to continue it
    /// on the dataset it records.
    pub data: PathBuf,
    /// Read the data as this format instead of detecting it.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Resize image-folder images to HxW (e.g. 32x32); default: the most common size.
    #[arg(long, value_name = "HxW", value_parser = parse_size)]
    pub image_size: Option<(usize, usize)>,
    /// Image folders: leave out files that cannot be read as images (named in a note and recorded in the
    /// workspace, which reads the folder so again) instead of refusing the folder.
    #[arg(long)]
    pub skip_unreadable: bool,
    /// The workspace file (SQLite); default: <dataset name>.cscore in the current directory.
    #[arg(short = 'w', long = "workspace", value_name = "WS")]
    pub workspace: Option<PathBuf>,
    /// Flip this fraction of labels to another class (ground truth kept in the workspace).
    #[arg(long, value_name = "FRACTION")]
    pub inject_label_noise: Option<f64>,
    /// Replace this fraction of images with out-of-distribution ones (noise, inverted, rotated, shuffled).
    #[arg(long, value_name = "FRACTION")]
    pub inject_ood: Option<f64>,
    /// Seed of the injected corruption.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub noise_seed: u64,
}

impl DataArgs {
    /// Loader options.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            format: self.format,
            image_size: self.image_size,
            skip_unreadable: self.skip_unreadable,
            ..LoadOptions::default()
        }
    }

    /// Requested corruption, if any flag asks for one.
    pub fn corruption(&self) -> Option<CorruptionSettings> {
        (self.inject_label_noise.is_some() || self.inject_ood.is_some()).then(|| CorruptionSettings {
            label_noise: self.inject_label_noise.unwrap_or(0.0),
            ood: self.inject_ood.unwrap_or(0.0),
            noise_seed: self.noise_seed,
        })
    }
}

/// `cscore estimate` flags.
#[derive(Debug, Clone, Args)]
pub struct EstimateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Subset ratios, comma-separated [default: 0.1,0.2,…,0.9].
    #[arg(long, value_delimiter = ',', value_name = "S,…", action = clap::ArgAction::Set)]
    pub ratios: Option<Vec<f64>>,
    /// Holdout runs per ratio [default: 4, or the workspace's]; raise it to extend an estimate.
    #[arg(long, value_name = "N")]
    pub runs: Option<usize>,
    /// How models are made: auto (reference for grey images up to 32×32, image otherwise), reference (the
    /// paper's MNIST protocol: mlp:512,256 on inputs in [0,1], lr 0.1) or image (cnn on standardized
    /// inputs, lr from a short range test); flags given override its choices [default: auto].
    #[arg(long, value_enum, value_name = "auto|reference|image")]
    pub protocol: Option<cscore::estimate::ProtocolChoice>,
    /// Architecture: mlp:H1,H2,… or cnn [default: the protocol's: mlp:512,256 or cnn].
    #[arg(long, value_name = "MODEL")]
    pub model: Option<ModelSpec>,
    /// Training epochs per model [default: 10].
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Minibatch size [default: 128].
    #[arg(long)]
    pub batch: Option<usize>,
    /// Learning rate [default: the protocol's: 0.1, or the range test's choice].
    #[arg(long)]
    pub lr: Option<f64>,
    /// Heavy-ball momentum [default: 0.9].
    #[arg(long)]
    pub momentum: Option<f64>,
    /// L2 weight decay [default: 0].
    #[arg(long)]
    pub weight_decay: Option<f64>,
    /// Master seed: each run's subset, initialisation and batch order derive from (seed, ratio, run).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Holdout runs per ratio that record per-epoch training statistics [default: 1].
    #[arg(long, value_name = "N")]
    pub track_runs: Option<usize>,
    /// Full-data tracked "proxy runs" trained first [default: 1].
    #[arg(long, value_name = "N")]
    pub proxy_runs: Option<usize>,
    /// cpu, cuda[:N] or metal (also `device` under [estimate] in config.toml).
    #[arg(long, default_value = "cpu", env = "CSCORE_DEVICE")]
    pub device: String,
    /// Worker threads training models at once [default: one per core] (also `workers` under [estimate] in
    /// config.toml).
    #[arg(long, value_name = "N", value_parser = positive, env = "CSCORE_WORKERS")]
    pub workers: Option<usize>,
    /// Models of one ratio trained together as one batched computation (use 8–64 on a GPU; also `ensemble`
    /// under [estimate] in config.toml).
    #[arg(long = "ensemble", value_name = "K", default_value_t = 1, value_parser = positive, env = "CSCORE_ENSEMBLE")]
    pub models_per_step: usize,
    /// Stop after this long (e.g. 90s, 10m, 2h, or Slurm's 01:30:00), abandoning runs in flight; run again
    /// to resume.
    #[arg(long, value_name = "DURATION", value_parser = super::duration_arg::parse_duration)]
    pub time_limit: Option<Duration>,
    /// Keep runs that learned nothing (training loss near ln(classes), held-out accuracy not above the
    /// majority-class rate) as done instead of failed, and train on when the first ones all did.
    #[arg(long)]
    pub no_learning_check: bool,
    /// Plain log lines instead of a progress bar, even on a terminal.
    #[arg(long)]
    pub no_progress: bool,
    /// Proxy scores to compute and store: all, none, or a comma-separated list (learning_speed,
    /// knn_agreement, hidden_density, fused, …); the workspace remembers it [default: the workspace's, else
    /// all].
    #[arg(long, value_name = "LIST|all|none")]
    pub proxies: Option<cscore::proxy::Selection>,
    /// How the pairwise-distance proxies find neighbours and kernel sums: exact (all pairs, cost ∝ N²),
    /// approximate (a reference sample and an IVF index, cost ∝ N) or auto (exact up to 100,000 examples).
    /// In a sharded estimate on approximate statistics each shard computes its own block of examples.
    #[arg(long, value_name = "auto|exact|approximate", default_value = "auto")]
    pub neighbours: cscore::proxy::NeighbourMethod,
    /// The longest holdout runs wait for the input-space proxies (they and the proxy run get the cores
    /// first); after it they train beside the pass. `0s`: start at once.
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = super::duration_arg::parse_duration)]
    pub proxy_wait: std::time::Duration,
}

impl EstimateArgs {
    /// The proxies to compute: those given (the workspace remembers them for later sessions), else the
    /// ones the workspace remembers, else all.
    pub fn proxy_selection(&self, ws: &cscore::store::Workspace) -> anyhow::Result<cscore::proxy::Selection> {
        const KEY: &str = "proxies";
        match &self.proxies {
            Some(s) => {
                ws.set_config(KEY, &serde_json::to_string(&s.to_arg())?)?;
                Ok(s.clone())
            }
            None => match ws.config(KEY)? {
                Some(v) => Ok(serde_json::from_str::<String>(&v)?.parse()?),
                None => Ok(cscore::proxy::Selection::all()),
            },
        }
    }

    /// The plan flags given.
    pub fn overrides(&self) -> PlanOverrides {
        PlanOverrides {
            ratios: self.ratios.clone(),
            runs: self.runs,
            seed: self.seed,
            model: self.model.clone(),
            epochs: self.epochs,
            batch: self.batch,
            lr: self.lr,
            momentum: self.momentum,
            weight_decay: self.weight_decay,
            track_runs: self.track_runs,
            proxy_runs: self.proxy_runs,
        }
    }
}

/// A whole number of at least 1.
pub(super) fn positive(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("'{s}' is not a whole number of at least 1")),
    }
}

fn parse_size(s: &str) -> Result<(usize, usize), String> {
    let (h, w) = s.split_once(['x', 'X']).ok_or_else(|| format!("'{s}' is not HxW (e.g. 32x32)"))?;
    let p = |v: &str| v.trim().parse::<usize>().ok().filter(|&n| n > 0 && n <= 4096);
    match (p(h), p(w)) {
        (Some(h), Some(w)) => Ok((h, w)),
        _ => Err(format!("'{s}' is not HxW with sizes between 1 and 4096")),
    }
}
