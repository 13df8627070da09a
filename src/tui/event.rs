//! Everything that can happen to the explorer: the one message type. The loop reads them from one inbox
//! and hands each to [`super::App::update`], the only place state changes; a key press is resolved there
//! through the keymap into a [`Command`] or, while a prompt is open, an [`InputKey`].

use crate::data::Dataset;
use crate::estimate::{EstimateReport, Plan};
use crate::proxy::Comparison;
use crate::store::{RunRecord, TagRow};
use crossterm::event::KeyEvent;

use super::command::{Command, InputKey};
use super::data::ProxyScores;
use super::dynamics::Dynamics;
use super::labels::Saved;
use super::recompute::Derived;

/// One thing that happened, in the order it arrived.
#[derive(Debug)]
pub enum Event {
    /// A key was pressed (releases and repeats are not forwarded); the keymap says what it means.
    Key(KeyEvent),
    /// A bound command (what a key press means in normal mode).
    Command(Command),
    /// Prompt editing (what a key press means while a prompt is open).
    Input(InputKey),
    /// The terminal changed size.
    Resize(u16, u16),
    /// A periodic tick (refreshes rates and clocks in the status bar).
    Tick,
    /// The estimator running in this process reported something.
    Worker(WorkerMsg),
    /// Another connection changed the workspace (as the workspace thread saw it).
    Store(StoreChange),
    /// Learning dynamics of the tracked runs finished loading.
    Dynamics(Box<Dynamics>),
    /// A proxy comparison finished.
    Comparison(Box<Option<Comparison>>),
    /// The workspace thread committed a label write (or it failed).
    Saved(Box<Saved>),
    /// A job recomputed the figures that depend on the estimate.
    Recomputed(Box<Derived>),
    /// The dataset's pixels finished loading (the explorer opened labels first), or failed to.
    Pixels(Box<Result<Dataset, String>>),
    /// A background job (export) reports: what it did, or why it failed.
    Notice(Result<String, String>),
}

/// What the in-process estimator reports.
#[derive(Debug)]
pub enum WorkerMsg {
    /// Training starts: `done` of `total` planned runs are in the workspace, `pending` will be trained.
    Started {
        /// Runs already stored.
        done: usize,
        /// Runs planned.
        total: usize,
        /// Runs this session trains.
        pending: usize,
    },
    /// A run was committed to the workspace (epoch statistics stripped).
    Committed(Box<RunRecord>),
    /// Computing a proxy failed (the estimate goes on without it).
    ProxyError(String),
    /// The estimator stopped: its report, or the error that ended it.
    Finished(Result<EstimateReport, String>),
}

/// What a follower saw change in the workspace.
#[derive(Debug, Default)]
pub struct StoreChange {
    /// Runs committed since the last look, oldest first (epoch statistics not loaded).
    pub runs: Vec<RunRecord>,
    /// The current tags of every example, when they may have changed.
    pub tags: Option<Vec<TagRow>>,
    /// The id of the newest of this session's label writes those tags include (0: none).
    pub writes_seen: u64,
    /// The stored plan, when the explorer had none (boxed: a plan with channel statistics is large).
    pub plan: Option<Box<Plan>>,
    /// Every stored proxy, ranked, when they changed.
    pub proxies: Option<Vec<ProxyScores>>,
    /// A read failed: the message.
    pub error: Option<String>,
}
