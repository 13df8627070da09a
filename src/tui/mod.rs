//! The explorer (`cscore explore`): a live, keyboard-driven terminal UI over a workspace.
//!
//! One inbox of [`Event`]s feeds one loop ([`runtime`]); keys become [`Action`]s through the keymap
//! table ([`keymap`]); [`App::update`] is the only place state changes; views ([`views`]) only draw.
//! Training, the workspace thread (it follows the file and commits label writes) and the jobs (learning
//! dynamics, recomputed scores, comparisons, exports) run on their own threads and send owned messages
//! into the inbox; the first frame is drawn before anything is loaded.

mod action;
mod app;
mod app_events;
mod app_label;
mod app_nav;
mod app_prompt;
mod app_types;
mod background;
mod classes;
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
mod labels;
mod opening;
mod order;
mod prompt;
mod recompute;
mod runtime;
mod scores;
mod session;
mod tags;
mod terminal;
mod theme;
mod theme_auto;
mod train;
pub mod views;

pub use action::{Action, Command, InputKey};
pub use app::{App, Mode, Request, View};
pub use background::Background;
pub use config::{config_path, Config, ImageMode, EXAMPLE_CONFIG};
pub use data::{ComparisonInput, ExplorerData};
pub use dynamics::Dynamics;
pub use error::TuiError;
pub use estimate_state::{EstimateState, Training};
pub use event::{Event, StoreChange, WorkerMsg};
pub use filter::{Filter, ScoreRange, TagFilter};
pub use follow::{FollowFrom, WorkspaceThread};
pub use keymap::Keymap;
pub use labels::{LabelWrite, Saved, WriteKind};
pub use opening::{run, run_opening, Opening, Progress};
pub use order::{SortColumn, SortSpec};
pub use prompt::{Prompt, PromptKind};
pub use recompute::{Derived, RecomputeInput};
pub use runtime::Session;
pub use scores::Scores;
pub use tags::TagKind;
pub use theme::{Theme, THEME_NAMES};
pub use train::{TrainSettings, Trainer};
