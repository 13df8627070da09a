//! Orchestration above [`crate::estimate`] and [`crate::proxy`], the one layer that uses both (neither
//! imports the other).
//!
//! - [`estimate_with_proxies`]: a session: the estimate's training lanes, the proxy lanes beside them
//!   ([`ProxyPipeline`]) and the gate between them (holdout runs wait for the input-space proxies, at
//!   most a minute). What `cscore estimate`, `cscore worker` and the explorer's background training run.
//! - [`proxy_run_features`]: the hidden features of a proxy run committed by an earlier session,
//!   recomputed by training its model again.
//! - [`fuse_workspace`]: recomputes the fused estimate from the stored proxies and the holdout evidence.
//! - [`merge_workspaces`]: folds shard workspaces into one (`cscore merge`), their proxies with
//!   [`merge_proxies`], then the fused estimate.
//! - [`compare_workspace`]: the C-score against every stored score (`cscore eval`).
//!
//! Holds no UI state.

mod compare;
mod features;
mod fused;
mod merge;
mod merge_proxies;
mod proxy_lanes;
mod session;

pub use compare::compare_workspace;
pub use features::proxy_run_features;
pub use fused::{fuse_workspace, update_fused};
pub use merge::{completeness, merge_workspace, merge_workspaces, MergeReport, ShardReport};
pub use merge_proxies::{merge_proxies, ProxyMerge};
pub use proxy_lanes::{Notice, PipelineInputs, ProxyNotify, ProxyPipeline, RecoverFeatures};
pub use session::{estimate_with_proxies, ProxySetup, INPUT_SPACE_HEAD_START};
