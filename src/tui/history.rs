//! Undo and redo of this session's label changes. A step is re-applied through the workspace in one
//! transaction that first reads each example's state there, so another explorer's changes are never
//! silently overwritten: a change whose example changed elsewhere since is skipped.

/// The tag and relabel of an example.
pub type TagState = (Option<String>, Option<u32>);

/// One committed change of one example.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Tag and relabel went from `before` to `after`.
    Tag {
        /// The example.
        example: usize,
        /// Before.
        before: TagState,
        /// After.
        after: TagState,
    },
    /// The note went from `before` to `after`.
    Note {
        /// The example.
        example: usize,
        /// Before.
        before: Option<String>,
        /// After.
        after: Option<String>,
    },
}

impl Change {
    /// The change that reverts this one.
    pub fn inverse(&self) -> Change {
        match self.clone() {
            Change::Tag { example, before, after } => Change::Tag { example, before: after, after: before },
            Change::Note { example, before, after } => Change::Note { example, before: after, after: before },
        }
    }

    /// The example it changes.
    pub fn example(&self) -> usize {
        match self {
            Change::Tag { example, .. } | Change::Note { example, .. } => *example,
        }
    }
}

/// Undo and redo stacks; one step is one user action (possibly many examples).
#[derive(Debug, Clone, Default)]
pub struct History {
    undo: Vec<Vec<Change>>,
    redo: Vec<Vec<Change>>,
}

impl History {
    /// Records a new step (clears the redo stack).
    pub fn record(&mut self, step: Vec<Change>) {
        if !step.is_empty() {
            self.undo.push(step);
            self.redo.clear();
        }
    }

    /// The changes that undo the newest step (to apply in order), moving it to the redo stack.
    pub fn undo(&mut self) -> Option<Vec<Change>> {
        let step = self.undo.pop()?;
        let inverse = step.iter().rev().map(Change::inverse).collect();
        self.redo.push(step);
        Some(inverse)
    }

    /// The changes that redo the newest undone step, moving it back to the undo stack.
    pub fn redo(&mut self) -> Option<Vec<Change>> {
        let step = self.redo.pop()?;
        self.undo.push(step.clone());
        Some(step)
    }

    /// Puts back a step whose undo could not be saved (the newest redo step returns to the undo stack).
    pub fn cancel_undo(&mut self) {
        if let Some(step) = self.redo.pop() {
            self.undo.push(step);
        }
    }

    /// Puts back a step whose redo could not be saved.
    pub fn cancel_redo(&mut self) {
        if let Some(step) = self.undo.pop() {
            self.redo.push(step);
        }
    }

    /// Steps that can be undone and redone.
    pub fn depth(&self) -> (usize, usize) {
        (self.undo.len(), self.redo.len())
    }
}
