//! cscore: estimate consistency scores (C-scores) of the examples of an image-classification dataset.
//!
//! The C-score (Jiang, Zhang, Talwar, Mozer, ICML 2021, arXiv 2002.03206) of a training example is the
//! expected accuracy on it of a model trained on a random subset of the *other* data, averaged over subset
//! sizes. This crate loads datasets ([`data`]), trains holdout models with Candle ([`model`]), schedules and
//! aggregates them ([`estimate`]), computes cheap proxies of the C-score ([`proxy`]), runs an estimate with
//! its proxies and merges shard workspaces ([`pipeline`], the layer above both) and keeps everything in one
//! SQLite workspace ([`store`]).
#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod data;
pub mod error;
pub mod estimate;
pub mod export;
pub mod fmt;
pub mod model;
pub mod pipeline;
pub mod project;
pub mod proxy;
pub mod store;
pub mod tui;

pub use error::{Error, Result};
