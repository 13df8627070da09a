//! The explorer (`cscore explore`): a live, keyboard-driven terminal UI over a workspace.
//!
//! One inbox of [`Event`]s feeds one loop ([`runtime`]); keys become [`Action`]s through the keymap
//! table ([`keymap`]); [`App::update`] is the only place state changes; views ([`views`]) only draw.
//! Training and store polling run on their own threads and send owned messages into the inbox.

mod action;
mod app;
mod app_label;
mod app_nav;
mod app_prompt;
mod app_types;
mod config;
mod data;
mod dynamics;
mod error;
mod estimate_state;
mod event;
mod filter;
mod follow;
mod gallery;
mod history;
mod jobs;
mod keymap;
mod keys;
mod order;
mod prompt;
mod runtime;
mod scores;
mod session;
mod tags;
mod terminal;
mod theme;
mod train;
pub mod views;

pub use action::{Action, Command, InputKey};
pub use app::{App, Mode, Request, View};
pub use config::{config_path, Config, ImageMode, EXAMPLE_CONFIG};
pub use data::{ComparisonInput, ExplorerData};
pub use dynamics::Dynamics;
pub use error::TuiError;
pub use estimate_state::{EstimateState, Training};
pub use event::{Event, StoreChange, WorkerMsg};
pub use filter::{Filter, ScoreRange, TagFilter};
pub use follow::{spawn_follower, FollowFrom};
pub use keymap::Keymap;
pub use order::{SortColumn, SortSpec};
pub use prompt::{Prompt, PromptKind};
pub use runtime::{run, Session};
pub use scores::Scores;
pub use tags::TagKind;
pub use theme::{Theme, THEME_NAMES};
pub use train::{TrainSettings, Trainer};
