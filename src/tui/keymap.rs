//! The keymap table: every command with its name (for the config file), default keys and description.
//! The help overlay is generated from this same table.

use super::command::{Command, InputKey};
use super::keys::KeyCombo;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The name used in the config file's `[keys]` table.
    pub name: &'static str,
    /// What it does.
    pub command: Command,
    /// Default keys.
    pub keys: &'static [&'static str],
    /// One-line description (shown in the help overlay).
    pub desc: &'static str,
    /// Section of the help overlay.
    pub group: &'static str,
}

macro_rules! bindings {
    ($($group:literal { $($name:literal $cmd:ident [$($key:literal),*] $desc:literal)* })*) => {
        /// The embedded default bindings, in help order.
        pub const DEFAULT_BINDINGS: &[Binding] = &[
            $($(Binding { name: $name, command: Command::$cmd, keys: &[$($key),*], desc: $desc, group: $group },)*)*
        ];
    };
}

bindings! {
    "Move" {
        "down" Down ["j", "Down"] "next row (gallery: next class)"
        "up" Up ["k", "Up"] "previous row (gallery: previous class)"
        "page_down" PageDown ["PageDown", "ctrl-f", "ctrl-d"] "one page down"
        "page_up" PageUp ["PageUp", "ctrl-b", "ctrl-u"] "one page up"
        "top" Top ["g", "Home"] "first row"
        "bottom" Bottom ["G", "End"] "last row"
        "left" Left ["h", "Left"] "gallery: previous thumbnail"
        "right" Right ["l", "Right"] "gallery: next thumbnail"
        "open" Open ["Enter"] "gallery: select that example; classes: filter the list to that class"
        "jump" Jump [":", "#"] "jump to an example index"
        "search" Search ["/"] "search: index, label, tag, note, file name"
        "search_next" SearchNext ["n"] "next search match"
        "search_prev" SearchPrev ["N"] "previous search match"
    }
    "Sort and filter" {
        "sort_next" SortNext ["s"] "sort by the next column"
        "sort_reverse" SortReverse ["S"] "reverse the sort order"
        "filter_class" FilterClass ["c"] "filter by class (empty: all)"
        "filter_tag" FilterTag ["t"] "filter by tag (a tag, any or none)"
        "filter_range" FilterRange ["r"] "filter by C-score range (e.g. 0-0.3)"
        "filter_expr" FilterExpr ["f"] "filter expression, as export --filter takes it"
        "filter_disagree" FilterDisagree ["x"] "toggle: label differs from held-out prediction"
        "filter_injected" FilterInjected ["i"] "toggle: injected examples only"
        "filter_clear" FilterClear ["F"] "clear every filter"
        "proxy_next" ProxyNext ["p"] "show the next proxy score in the list"
        "preview_next" PreviewNext ["]"] "preview: next page (every proxy score; the image gives way)"
        "preview_prev" PreviewPrev ["["] "preview: previous page"
    }
    "Label" {
        "tag_ok" TagOk ["o"] "tag ok"
        "tag_mislabeled" TagMislabeled ["m"] "tag mislabeled, then pick the class"
        "tag_mislabeled_suggested" TagMislabeledSuggested ["M"] "tag mislabeled with the suggested label"
        "tag_ood" TagOod ["O"] "tag out-of-distribution"
        "tag_ambiguous" TagAmbiguous ["a"] "tag ambiguous"
        "tag_duplicate" TagDuplicate ["d"] "tag duplicate"
        "tag_clear" TagClear ["Backspace", "Delete"] "clear the tag"
        "note" Note ["e"] "edit the note"
        "undo" Undo ["u"] "undo the last label change"
        "redo" Redo ["ctrl-r", "U"] "redo"
        "visual" Visual ["v"] "start/stop a range selection (tags apply to it)"
        "tag_all_filtered" TagAllFiltered ["A"] "next tag applies to every shown row (asks first)"
    }
    "Views" {
        "view_list" ViewList ["1"] "ranked list and preview"
        "view_profile" ViewProfile ["2"] "consistency profile"
        "view_timeline" ViewTimeline ["3"] "learning dynamics"
        "view_compare" ViewCompare ["4"] "proxy comparison"
        "view_gallery" ViewGallery ["5"] "gallery: lowest and highest per class"
        "view_classes" ViewClasses ["6"] "class summary: C-scores, confusion, histogram; Enter filters"
        "view_next" ViewNext ["Tab"] "next view"
        "export" Export ["E"] "export the shown rows (or the selection)"
        "help" Help ["?"] "this help"
        "cancel" Cancel ["Esc"] "cancel selection, pending tag or message"
        "quit" Quit ["q", "ctrl-c"] "quit"
    }
}

/// One command with the keys bound to it now.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The table row.
    pub binding: Binding,
    /// Its keys (defaults, or the config file's).
    pub keys: Vec<KeyCombo>,
}

/// The resolved keymap.
#[derive(Debug, Clone)]
pub struct Keymap {
    entries: Vec<Entry>,
    lookup: HashMap<KeyCombo, Command>,
}

/// A config override: command name, its keys, and the config line it came from.
#[derive(Debug, Clone)]
pub struct Override {
    /// Command name.
    pub name: String,
    /// Keys as written.
    pub keys: Vec<String>,
    /// 1-based line in the config file.
    pub line: usize,
}

impl Default for Keymap {
    fn default() -> Self {
        // The embedded table is tested to parse and to be free of conflicts.
        Keymap::with_overrides(&[]).unwrap_or_else(|_| Keymap { entries: Vec::new(), lookup: HashMap::new() })
    }
}

impl Keymap {
    /// The defaults with `overrides` replacing the keys of the commands they name.
    /// Errors give the config line and the problem.
    pub fn with_overrides(overrides: &[Override]) -> Result<Self, (usize, String)> {
        let mut entries = Vec::with_capacity(DEFAULT_BINDINGS.len());
        let mut lines = HashMap::new();
        for b in DEFAULT_BINDINGS {
            let keys =
                b.keys.iter().map(|k| KeyCombo::parse(k).map_err(|e| (0, e))).collect::<Result<_, _>>()?;
            entries.push(Entry { binding: *b, keys });
        }
        for o in overrides {
            let Some(entry) = entries.iter_mut().find(|e| e.binding.name == o.name) else {
                return Err((o.line, format!("unknown command {:?} in [keys]", o.name)));
            };
            entry.keys = o
                .keys
                .iter()
                .map(|k| KeyCombo::parse(k).map_err(|e| (o.line, e)))
                .collect::<Result<_, _>>()?;
            lines.insert(o.name.as_str(), o.line);
        }
        let mut lookup: HashMap<KeyCombo, Command> = HashMap::new();
        let mut owner: HashMap<KeyCombo, &str> = HashMap::new();
        for e in &entries {
            for k in &e.keys {
                if let Some(other) = owner.insert(*k, e.binding.name) {
                    // Name the later of the two config lines: the one most likely just added.
                    let line = [e.binding.name, other]
                        .iter()
                        .filter_map(|n| lines.get(n))
                        .max()
                        .copied()
                        .unwrap_or(0);
                    return Err((line, format!("key {k} is bound to both {other} and {}", e.binding.name)));
                }
                lookup.insert(*k, e.binding.command);
            }
        }
        Ok(Keymap { entries, lookup })
    }

    /// The command a key press is bound to.
    pub fn command(&self, key: &KeyEvent) -> Option<Command> {
        self.lookup.get(&KeyCombo::from_event(key)).copied()
    }

    /// Every command with its keys, in help order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The keys of `command`, comma-separated ("" when unbound).
    pub fn keys_for(&self, command: Command) -> String {
        self.entries
            .iter()
            .find(|e| e.binding.command == command)
            .map(|e| e.keys.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    }

    /// The first key of `command`, for hints.
    pub fn key_hint(&self, command: Command) -> String {
        self.entries
            .iter()
            .find(|e| e.binding.command == command)
            .and_then(|e| e.keys.first())
            .map(ToString::to_string)
            .unwrap_or_else(|| "?".into())
    }
}

/// Keys while a prompt is open: Enter accepts, Esc (or ctrl-c) abandons, Backspace deletes, characters
/// type; in a yes/no confirmation `y` accepts and `n` abandons.
pub fn input_key(key: &KeyEvent, confirmation: bool) -> Option<InputKey> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Enter => Some(InputKey::Submit),
        KeyCode::Esc => Some(InputKey::Cancel),
        KeyCode::Char('c') if ctrl => Some(InputKey::Cancel),
        KeyCode::Backspace => Some(InputKey::Backspace),
        KeyCode::Char('u') if ctrl && !confirmation => Some(InputKey::ClearLine),
        KeyCode::Char('w') if ctrl && !confirmation => Some(InputKey::DeleteWord),
        KeyCode::Char('y' | 'Y') if confirmation => Some(InputKey::Submit),
        KeyCode::Char('n' | 'N') if confirmation => Some(InputKey::Cancel),
        KeyCode::Char(c) if !ctrl && !confirmation => Some(InputKey::Char(c)),
        _ => None,
    }
}

/// The prompt keys, for the help overlay.
pub const PROMPT_KEYS: &[(&str, &str)] = &[
    ("Enter", "accept the prompt (mislabeled: empty accepts the suggested label)"),
    ("Esc, ctrl-c", "abandon the prompt"),
    ("Backspace", "delete a character"),
    ("ctrl-u, ctrl-w", "delete the whole text, the last word"),
    ("0-9", "mislabeled: pick the class at once (10 classes or fewer)"),
    ("y / n", "answer a confirmation"),
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_without_conflicts_and_have_descriptions() {
        let map = Keymap::with_overrides(&[]).unwrap();
        assert_eq!(map.entries().len(), DEFAULT_BINDINGS.len());
        assert!(DEFAULT_BINDINGS.iter().all(|b| !b.desc.is_empty() && !b.keys.is_empty()));
        let j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(map.command(&j), Some(Command::Down));
    }

    #[test]
    fn overrides_replace_and_conflicts_name_the_line() {
        let o = |name: &str, keys: &[&str], line| Override {
            name: name.into(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            line,
        };
        let map = Keymap::with_overrides(&[o("down", &["ctrl-n"], 3)]).unwrap();
        assert_eq!(map.keys_for(Command::Down), "ctrl-n");
        assert_eq!(map.command(&KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)), None);
        let err = Keymap::with_overrides(&[o("down", &["k"], 4)]).unwrap_err();
        assert_eq!(err.0, 4, "{err:?}");
        assert_eq!(Keymap::with_overrides(&[o("fly", &["z"], 7)]).unwrap_err().0, 7);
        assert_eq!(Keymap::with_overrides(&[o("quit", &["hyper-q"], 9)]).unwrap_err().0, 9);
    }
}
