//! Cheap proxies for the C-score (training statistics and pairwise distances), their comparison with the
//! estimate, and score fusion.
//!
//! - [`training`]: learning speed, cumulative accuracy, forgetting events, AUM, data-map confidence and
//!   variability, EL2N, from the per-epoch statistics of the full-data proxy runs.
//! - [`distance`] and [`density`]: kernel density (relative, class, plain), k-NN agreement and LOF from
//!   one blocked-GEMM pass over all pairs; [`neighbour_stats_auto`] switches to a reference sample and an
//!   inverted-file index (cost about linear in N) for large datasets; [`bandwidth`] sets the kernel's width;
//!   `kernel_rule` keeps a workspace from mixing values of two bandwidth rules.
//! - [`compare`](mod@compare): Spearman ρ, Kendall τ-b, AUROC and AP for injected examples, disagreement
//!   rankings.
//! - [`fuse`](mod@fuse): calibrated proxies as a Beta prior, updated with held-out evidence.
//! - [`ProxyUpdater`]: computes and stores a workspace's proxies.
//!
//! This layer does not import `estimate`: what needs the holdout evidence too (the proxy lanes beside a
//! running estimate, recomputing the fused estimate, merging shards, comparing a workspace's scores)
//! lives in [`crate::pipeline`].

mod approx;
#[cfg(test)]
mod approx_tests;
pub mod bandwidth;
mod block;
mod calibrate;
mod coarse;
pub mod compare;
pub mod density;
pub mod detect;
pub mod distance;
pub mod fuse;
pub mod isotonic;
mod ivf;
mod kernel_rule;
mod names;
mod orientation;
mod parts;
mod pca;
pub mod rank;
mod reference;
mod sample;
mod strength;
mod topk;
pub mod training;
mod update;

pub use approx::{
    neighbour_stats_approx, neighbour_stats_approx_rows, neighbour_stats_auto, neighbour_stats_by,
    ApproxOptions, NeighbourMethod,
};
pub use compare::{compare, Comparison};
pub use distance::{neighbour_stats, NeighbourOptions, NeighbourStats};
pub use fuse::{fuse, Fused};
pub use kernel_rule::{
    density_proxies, outdated_warning, records_current_rule, refresh_density, stale_density, StaleDensity,
    KERNEL_RULE, KERNEL_RULE_KEY,
};
pub use names::{all_proxies, Selection, FUSED, HIDDEN_PROXIES, INPUT_PROXIES, REFERENCE_PREFIX};
pub use orientation::higher_is_regular;
pub use parts::{
    block_of, input_proxies, join as join_neighbour_parts, joined_proxies, neighbour_stats_part_rows,
    to_stored,
};
pub use training::TRAINING_PROXIES;
pub use update::ProxyUpdater;
