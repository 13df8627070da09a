//! The explorer (`cscore explore`): a live, keyboard-driven terminal UI over a workspace.
//!
//! One inbox of [`Event`]s (the one message type: keys, commands, prompt input, what the background
//! reports) feeds one loop ([`runtime`]); [`App::update`] takes each event, the only place state changes,
//! and resolves key presses through the keymap table ([`keymap`]); views ([`views`]) only draw. The
//! list's own state (order, cursor, range selection, sort, filter) is [`ListState`].
//! Training, the workspace thread (it follows the file and commits label writes) and the jobs (learning
//! dynamics, recomputed scores, comparisons, exports) run on their own threads and send owned messages
//! into the inbox; the first frame is drawn before anything is loaded.

mod app;
mod app_events;
mod app_label;
mod app_nav;
mod app_prompt;
mod app_types;
mod background;
mod classes;
mod command;
mod config;
mod data;
mod dynamics;
mod error;
mod estimate_state;
mod event;
mod explore_session;
mod filter;
mod filter_table;
mod follow;
mod gallery;
mod history;
mod jobs;
mod keymap;
mod keys;
mod labels;
mod list_state;
mod opening;
mod order;
mod prompt;
mod recompute;
mod runtime;
mod scores;
mod tags;
mod terminal;
mod theme;
mod theme_auto;
mod train;
pub mod views;

pub use app::{App, Message, Mode, Request, View};
pub use background::Background;
pub use command::{Command, InputKey};
pub use config::{config_path, line_of, toml_problem, Config, ImageMode, EXAMPLE_CONFIG};
pub use data::{ComparisonInput, ExplorerData};
pub use dynamics::Dynamics;
pub use error::TuiError;
pub use estimate_state::{EstimateState, Training};
pub use event::{Event, StoreChange, WorkerMsg};
pub use explore_session::{ExploreSession, PixelLoader, WorkspaceReading};
pub use filter::{Filter, ScoreRange, TagFilter};
pub use follow::{FollowFrom, WorkspaceThread};
pub use keymap::Keymap;
pub use labels::{LabelWrite, Saved, WriteKind};
pub use list_state::ListState;
pub use opening::{run, run_opening, Opening, Progress};
pub use order::{SortColumn, SortSpec};
pub use prompt::{Prompt, PromptKind};
pub use recompute::{Derived, RecomputeInput};
pub use scores::Scores;
pub use tags::TagKind;
pub use theme::{Theme, THEME_NAMES};
pub use train::{TrainSettings, Trainer};
