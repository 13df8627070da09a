//! Actions: what [`super::App::update`] understands. Keys reach it through the keymap table.

use super::dynamics::Dynamics;
use super::event::{StoreChange, WorkerMsg};
use super::labels::Saved;
use super::recompute::Derived;
use crate::proxy::Comparison;

/// A user command that keys can be bound to (see [`super::keymap`] for names and descriptions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each command is described in the keymap table
pub enum Command {
    Down,
    Up,
    PageDown,
    PageUp,
    Top,
    Bottom,
    Left,
    Right,
    Open,
    SortNext,
    SortReverse,
    FilterClass,
    FilterTag,
    FilterRange,
    FilterDisagree,
    FilterInjected,
    FilterClear,
    Jump,
    Search,
    SearchNext,
    SearchPrev,
    TagOk,
    TagMislabeled,
    TagMislabeledSuggested,
    TagOod,
    TagAmbiguous,
    TagDuplicate,
    TagClear,
    Note,
    Undo,
    Redo,
    Visual,
    TagAllFiltered,
    ProxyNext,
    PreviewNext,
    PreviewPrev,
    ViewList,
    ViewProfile,
    ViewTimeline,
    ViewCompare,
    ViewGallery,
    ViewClasses,
    ViewNext,
    Export,
    Help,
    Cancel,
    Quit,
}

/// Editing keys while a prompt (search, jump, note, filter, class, confirmation) is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKey {
    /// A typed character.
    Char(char),
    /// Delete the last character.
    Backspace,
    /// Accept (Enter; `y` in a confirmation).
    Submit,
    /// Abandon (Esc; `n` in a confirmation).
    Cancel,
}

/// Anything that changes the explorer's state.
#[derive(Debug)]
pub enum Action {
    /// A bound command.
    Command(Command),
    /// Prompt editing.
    Input(InputKey),
    /// The terminal is now this many columns and rows.
    Resize(u16, u16),
    /// Time passed (rates and ETA).
    Tick,
    /// The in-process estimator reported.
    Worker(WorkerMsg),
    /// The workspace changed under another connection.
    Store(StoreChange),
    /// Learning dynamics loaded.
    Dynamics(Box<Dynamics>),
    /// A proxy comparison finished (`None`: nothing to compare).
    Comparison(Box<Option<Comparison>>),
    /// A label write was committed, or failed.
    Saved(Box<Saved>),
    /// The figures that depend on the estimate were recomputed.
    Recomputed(Box<Derived>),
    /// A background job reports: what it did, or why it failed.
    Notice(Result<String, String>),
}
