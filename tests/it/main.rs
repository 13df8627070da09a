//! The whole-program tests in one binary (one link against Candle, ratatui and SQLite instead of one per
//! file): one module per area, sharing the helper modules declared here. The slow end-to-end tests (tmux,
//! kill, concurrency) are the `system` target; the insta snapshot tests keep their own targets so that their
//! snapshot names (`tests/snapshots/<target>__<name>.snap`) stay as they are.

#[path = "../common/mod.rs"]
mod common;
#[path = "../export_support/mod.rs"]
mod export_support;
#[path = "../shard_support/mod.rs"]
mod shard_support;
#[path = "../tui_support/mod.rs"]
mod tui_support;

mod bad_input_matrix;
mod carry_tags;
mod cli;
mod data_loading;
mod dataset_warnings;
mod decoded_images;
mod density_rule;
mod deploy;
mod estimate;
mod example_record;
mod export;
mod export_clean;
mod export_folder_source;
mod export_import_eval;
mod fuzz_regressions;
mod gpu_handover;
mod import_tags;
mod labels_first;
mod long_jobs;
mod pred_probs;
mod protocol;
mod proxy_cli;
mod proxy_compare;
mod proxy_distance;
mod proxy_fuse;
mod reliability_faults;
mod shard;
mod shard_env;
mod shard_merge;
mod skip_unreadable;
mod store;
mod training_defaults;
mod tui_app;
mod tui_app_sort;
mod tui_background;
mod tui_docs;
mod tui_filter;
mod tui_follow;
mod tui_preview;
mod tui_references;
