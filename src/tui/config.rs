//! The explorer's settings and keymap: `<config dir>/cscore/config.toml` (or `$CSCORE_CONFIG`), merged
//! over the embedded defaults. Unknown fields, commands and keys are errors that name the line.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Spanned;

use super::error::TuiError;
use super::keymap::{Keymap, Override};

/// How the preview draws images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageMode {
    /// The terminal's graphics protocol (kitty, sixel, iTerm2) when it has one, else coloured half-blocks.
    #[default]
    Auto,
    /// Coloured half-block characters (works everywhere colour does, including over SSH).
    Blocks,
    /// Plain Unicode shade characters (no colour needed).
    Shade,
}

/// Resolved settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Theme name or path, or `auto` (from the terminal's background; `--theme` wins).
    pub theme: String,
    /// Proxy shown in the list's proxy column, when the workspace has it.
    pub proxy: Option<String>,
    /// How often a workspace filled by another process is checked, in milliseconds.
    pub poll_ms: u64,
    /// How images are drawn.
    pub images: ImageMode,
    /// Key bindings.
    pub keymap: Keymap,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            theme: super::theme_auto::AUTO.into(),
            proxy: None,
            poll_ms: 500,
            images: ImageMode::Auto,
            keymap: Keymap::default(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum KeyList {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    proxy: Option<String>,
    poll_ms: Option<Spanned<u64>>,
    images: Option<ImageMode>,
    #[serde(default)]
    keys: BTreeMap<String, Spanned<KeyList>>,
    /// The training commands' defaults (read and checked by the command line, not the explorer).
    #[serde(default, rename = "estimate")]
    _estimate: Option<toml::Table>,
}

/// `<platform config dir>/cscore` (e.g. `~/.config/cscore` on Linux).
pub fn config_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("cscore"))
}

/// The config file read at start: `$CSCORE_CONFIG`, else `<config dir>/cscore/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    match std::env::var_os("CSCORE_CONFIG") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => config_dir().map(|d| d.join("config.toml")),
    }
}

/// A TOML error as "line N" and a message that names the setting when the error sits in its value
/// ("poll_ms: invalid type: string \"fast\", expected u64").
pub fn toml_problem(text: &str, e: &toml::de::Error) -> (usize, String) {
    let Some(span) = e.span() else { return (0, e.message().to_string()) };
    let line = line_of(text, span.start);
    let start = text[..span.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[start..span.start.min(text.len())];
    let key = before.split_once('=').map(|(k, _)| k.trim().trim_matches('"')).filter(|k| !k.is_empty());
    match key {
        Some(k) if !e.message().contains(k) => (line, format!("{k}: {}", e.message())),
        _ => (line, e.message().to_string()),
    }
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes().iter().take(offset).filter(|&&b| b == b'\n').count() + 1
}

impl Config {
    /// Reads the config file if there is one; the defaults otherwise.
    pub fn load() -> Result<Config, TuiError> {
        let Some(path) = config_path() else { return Ok(Config::default()) };
        // The default file is optional; a file named by $CSCORE_CONFIG must be there.
        let named = std::env::var_os("CSCORE_CONFIG").is_some_and(|p| !p.is_empty());
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && named => Err(TuiError::Io {
                path: path.display().to_string(),
                problem: "no such file (named by $CSCORE_CONFIG)".into(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(TuiError::Io { path: path.display().to_string(), problem: e.to_string() }),
        }
    }

    /// Parses config TOML over the defaults; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config, TuiError> {
        let bad = |line: usize, problem: String| TuiError::Config { path: origin.into(), line, problem };
        let file: ConfigFile = toml::from_str(text).map_err(|e| {
            let (line, problem) = toml_problem(text, &e);
            bad(line, problem)
        })?;
        let overrides: Vec<Override> = file
            .keys
            .into_iter()
            .map(|(name, keys)| {
                let line = line_of(text, keys.span().start);
                let keys = match keys.into_inner() {
                    KeyList::One(k) => vec![k],
                    KeyList::Many(ks) => ks,
                };
                Override { name, keys, line }
            })
            .collect();
        let keymap = Keymap::with_overrides(&overrides).map_err(|(line, problem)| bad(line, problem))?;
        let defaults = Config::default();
        let poll_ms = match file.poll_ms {
            Some(p) if *p.get_ref() == 0 => {
                return Err(bad(line_of(text, p.span().start), "poll_ms must be at least 1".into()))
            }
            Some(p) => p.into_inner(),
            None => defaults.poll_ms,
        };
        Ok(Config {
            theme: file.theme.unwrap_or(defaults.theme),
            proxy: file.proxy,
            poll_ms,
            images: file.images.unwrap_or_default(),
            keymap,
        })
    }
}

/// The documented example config (README and `tests/`): every setting with its default.
pub const EXAMPLE_CONFIG: &str = r#"# ~/.config/cscore/config.toml (or $CSCORE_CONFIG)
theme = "auto"          # auto (the terminal's background) | dark | light | high-contrast | neutral | a .toml path
proxy = "learning_speed" # proxy shown in the list's proxy column
poll_ms = 500           # how often a workspace filled by another process is checked
images = "auto"         # auto (kitty/sixel/iTerm2, else half-blocks) | blocks | shade

[keys]                  # command = key or [keys]; replaces that command's default keys
down = ["j", "Down"]
quit = ["q", "ctrl-c"]

[estimate]              # defaults for estimate, worker and explore (flags and CSCORE_DEVICE/_WORKERS/_ENSEMBLE win)
device = "cpu"          # cpu | cuda[:N] | metal
# workers = 8           # models trained at once [default: one per core]
ensemble = 1            # models of one ratio trained as one batched computation (8–64 on a GPU)
"#;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::tui::Command;

    #[test]
    fn example_config_parses() {
        let c = Config::parse(EXAMPLE_CONFIG, "example").unwrap();
        assert_eq!(c.poll_ms, 500);
        assert_eq!(c.keymap.keys_for(Command::Down), "j, Down");
    }

    #[test]
    fn errors_name_the_line() {
        let err = Config::parse("theme = \"light\"\n\n[keys]\nfly = \"z\"\n", "c.toml").unwrap_err();
        assert_eq!(err.to_string(), "c.toml: line 4: unknown command \"fly\" in [keys]");
        let err = Config::parse("theme = \"light\"\ncolour = 3\n", "c.toml").unwrap_err();
        assert!(err.to_string().starts_with("c.toml: line 2: "), "{err}");
        let err = Config::parse("[keys]\nquit = [\"q\"]\ndown = \"q\"\n", "c.toml").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        let err = Config::parse("[keys]\nquit = \"hyper-q\"\n", "c.toml").unwrap_err();
        assert!(err.to_string().contains("line 2: unknown key"), "{err}");
        let err = Config::parse("images = \"auto\"\npoll_ms = \"fast\"\n", "c.toml").unwrap_err();
        assert!(err.to_string().starts_with("c.toml: line 2: poll_ms: invalid type"), "{err}");
        let err = Config::parse("theme = \"light\"\n\npoll_ms = 0\n", "c.toml").unwrap_err();
        assert_eq!(err.to_string(), "c.toml: line 3: poll_ms must be at least 1");
    }

    #[test]
    fn keys_merge_over_defaults() {
        let c = Config::parse("[keys]\nquit = \"Q\"\n", "c.toml").unwrap();
        assert_eq!(c.keymap.keys_for(Command::Quit), "Q");
        assert_eq!(c.keymap.keys_for(Command::Up), "k, Up");
    }
}
