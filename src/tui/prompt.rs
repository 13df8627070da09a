//! The one-line prompts: what is being asked, the text typed so far, and a hint.

use super::tags::TagKind;

/// Which label a mislabeled tag carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relabel {
    /// No corrected label.
    None,
    /// This class.
    Class(u32),
    /// Each example's held-out majority prediction (when it differs from the label).
    Suggested,
}

/// A tag waiting to be applied.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingTag {
    /// Examples it applies to.
    pub targets: Vec<usize>,
    /// The tag (`None` clears).
    pub tag: Option<TagKind>,
    /// The corrected label.
    pub relabel: Relabel,
}

/// What a prompt asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum PromptKind {
    /// Incremental search; `origin` is the cursor before it started.
    Search {
        /// Row to return to on Esc.
        origin: usize,
    },
    /// An example index to jump to.
    Jump,
    /// The note of `example`.
    Note {
        /// The example.
        example: usize,
    },
    /// A class to filter by.
    FilterClass,
    /// A tag filter.
    FilterTag,
    /// A C-score range.
    FilterRange,
    /// The whole filter as one expression (what `cscore export --filter` takes).
    FilterExpr,
    /// The corrected class of a mislabeled tag.
    Relabel {
        /// Examples to tag.
        targets: Vec<usize>,
        /// Ask for confirmation after (bulk tagging).
        confirm: bool,
    },
    /// The path to export to.
    ExportPath {
        /// Examples to export, in list order.
        rows: Vec<usize>,
    },
    /// A yes/no question before a bulk change.
    Confirm {
        /// The change.
        pending: PendingTag,
    },
}

/// An open prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// What it asks.
    pub kind: PromptKind,
    /// Typed text.
    pub text: String,
    /// The question shown before the text.
    pub label: String,
    /// A hint shown after it.
    pub hint: String,
}

impl Prompt {
    /// A prompt with an initial text.
    pub fn new(kind: PromptKind, label: impl Into<String>, hint: impl Into<String>, text: String) -> Self {
        Prompt { kind, text, label: label.into(), hint: hint.into() }
    }

    /// Whether this is a yes/no confirmation.
    pub fn is_confirmation(&self) -> bool {
        matches!(self.kind, PromptKind::Confirm { .. })
    }
}
