//! The paper's holdout procedure: plan runs over subset ratios, train them on worker threads, commit each
//! finished run to the workspace, and aggregate held-out accuracy into C-scores with intervals.
//!
//! This is the core only: it knows nothing of proxies. Running an estimate together with its proxies,
//! and merging shard workspaces, is [`crate::pipeline`]'s job.

pub(crate) mod aggregate;
mod bench;
mod build_record;
mod gate;
mod interval;
mod label_issues;
mod learning;
mod limits;
mod lr_range;
mod others;
mod plan;
mod protocol;
mod quality;
mod resolve;
mod runner;
mod seeds;
mod shard;
mod shard_files;
mod summary;

pub use aggregate::Aggregate;
pub use bench::{run_bench, BenchConfig, BenchReport};
pub use build_record::holdout_indices;
pub use gate::{Gate, OpenOnDrop};
pub use interval::wilson_interval;
pub use label_issues::label_issues;
pub use learning::{heldout_accuracy, learning_failure, majority_rate};
pub use limits::dataset_warnings;
pub use lr_range::{choose_lr, LrChoice, LR_CANDIDATES};
pub use plan::{Plan, RunSpec, DEFAULT_RATIOS};
pub use protocol::{resolve_protocol_plan, Protocol, ProtocolChoice, REFERENCE_MAX_SIDE};
pub use quality::{holdout_accuracy_against, HoldoutAccuracy};
pub use resolve::{aggregate_workspace, describe, resolve_plan, store_plan, stored_plan, PlanOverrides};
pub use runner::{default_workers, math_threads, run_estimate, EstimateOptions, EstimateReport, Event};
pub use seeds::{proxy_seed, run_seed, subset};
pub use shard::{check_finished, clear_finished, mark_finished, shard_runs, Shard, PROXY_SHARD};
pub use shard_files::{shard_files, shard_of_path, ShardFiles};
pub use summary::Summary;
