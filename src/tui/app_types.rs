//! The small types of the app's state: keyboard mode, view, message, background requests.

use super::labels::LabelWrite;
use super::prompt::Prompt;
use super::recompute::RecomputeInput;

/// What the keyboard is talking to.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Commands from the keymap.
    Normal,
    /// A one-line prompt takes the keys.
    Prompt(Prompt),
    /// The help overlay, scrolled this many lines.
    Help(u16),
}

/// The main area's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Ranked list and preview of the selected example.
    List,
    /// Ranked list and the selected example's consistency profile.
    Profile,
    /// Ranked list and learning dynamics.
    Timeline,
    /// Proxy comparison.
    Compare,
    /// Lowest and highest C-score examples of each class.
    Gallery,
    /// Per-class summary with a C-score histogram.
    Classes,
}

impl View {
    /// Tab order.
    pub const ALL: [View; 6] =
        [View::List, View::Profile, View::Timeline, View::Compare, View::Gallery, View::Classes];

    /// Tab title.
    pub fn title(self) -> &'static str {
        match self {
            View::List => "List",
            View::Profile => "Profile",
            View::Timeline => "Timeline",
            View::Compare => "Compare",
            View::Gallery => "Gallery",
            View::Classes => "Classes",
        }
    }
}

/// A line for the user at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The text.
    pub text: String,
    /// Whether it reports a failure.
    pub error: bool,
}

/// Work the loop must start off the UI thread.
#[derive(Debug, Clone)]
pub enum Request {
    /// Commit label changes (the workspace thread; they show once committed).
    Save(LabelWrite),
    /// Recompute what depends on the estimate (a job thread).
    Recompute(Box<RecomputeInput>),
    /// Load the tracked runs' learning dynamics.
    LoadDynamics,
    /// Compare the C-score with every proxy.
    Compare {
        /// C-score per example (NaN = missing).
        cscore: Vec<f64>,
    },
    /// Write `rows` (in order) to `path` through the export module.
    Export {
        /// The file; `.jsonl` writes JSON lines, anything else CSV.
        path: String,
        /// Example indices.
        rows: Vec<usize>,
    },
}
