//! What keys mean: the commands keys are bound to (through the keymap table) and the editing keys of a
//! prompt. Both reach [`super::App::update`] as [`super::Event`]s.

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
    FilterExpr,
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
    /// Delete the whole text (ctrl-u, as in a shell).
    ClearLine,
    /// Delete the last word and the spaces after it (ctrl-w, as in a shell).
    DeleteWord,
    /// Accept (Enter; `y` in a confirmation).
    Submit,
    /// Abandon (Esc; `n` in a confirmation).
    Cancel,
}
