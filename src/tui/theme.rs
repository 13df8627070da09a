//! Themes: `themes/*.toml` files resolved once into ratatui `Style`s. Views use these styles only.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::path::Path;
use std::str::FromStr;
use toml::Spanned;

use super::config::{line_of, toml_problem};
use super::error::TuiError;
use super::theme_auto::{theme_name, Rgb};

/// The built-in themes, embedded from `themes/`.
pub const THEME_NAMES: &[&str] = &["dark", "light", "high-contrast", "neutral"];

const EMBEDDED: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("high-contrast", include_str!("../../themes/high-contrast.toml")),
    ("neutral", include_str!("../../themes/neutral.toml")),
];

/// One style as written in a theme file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<Spanned<String>>,
    bg: Option<Spanned<String>>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    dim: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
}

macro_rules! theme_slots {
    ($($name:ident: $doc:literal),* $(,)?) => {
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Slots { $(#[serde(default)] $name: Option<StyleSpec>,)* }

        /// Resolved styles, one per thing the views draw.
        #[derive(Debug, Clone, Default)]
        pub struct Theme { $(#[doc = $doc] pub $name: Style,)* }

        impl Theme {
            /// The styles; an error gives the byte offset of the bad value and the problem.
            fn resolve(slots: Slots, no_color: bool) -> Result<Theme, (usize, String)> {
                Ok(Theme { $($name: resolve(slots.$name, no_color).map_err(|(at, e)| (at, format!("{}: {e}", stringify!($name))))?,)* })
            }
        }
    };
}

theme_slots! {
    text: "ordinary text",
    dim: "secondary text",
    title: "pane titles and the title bar",
    border: "pane borders",
    header: "table headers",
    selected: "the selected row",
    visual: "rows of a range selection",
    score_low: "C-scores below 0.5",
    score_mid: "C-scores from 0.5 to 0.8",
    score_high: "C-scores above 0.8",
    tag: "tags",
    tag_mislabeled: "the mislabeled tag",
    tag_ok: "the ok tag",
    status: "the status bar",
    status_accent: "highlights in the status bar",
    message: "messages",
    error: "error messages",
    prompt: "the prompt line",
    help_key: "keys in the help overlay",
    chart_example: "the selected example in charts",
    chart_median: "the dataset median in charts",
    chart_trained: "tracked runs that trained on the example",
    chart_heldout: "tracked runs that held the example out",
    chart_axis: "chart axes",
    curve_1: "mean learning curve of the lowest C-score bin",
    curve_2: "second C-score bin",
    curve_3: "third C-score bin",
    curve_4: "fourth C-score bin",
    curve_5: "highest C-score bin",
}

fn resolve(spec: Option<StyleSpec>, no_color: bool) -> Result<Style, (usize, String)> {
    let Some(s) = spec else { return Ok(Style::default()) };
    let mut style = Style::default();
    for (on, m) in [
        (s.bold, Modifier::BOLD),
        (s.dim, Modifier::DIM),
        (s.italic, Modifier::ITALIC),
        (s.underline, Modifier::UNDERLINED),
        (s.reversed, Modifier::REVERSED),
    ] {
        if on {
            style = style.add_modifier(m);
        }
    }
    let color = |c: &Option<Spanned<String>>| -> Result<Option<Color>, (usize, String)> {
        c.as_ref()
            .map(|c| {
                Color::from_str(c.get_ref())
                    .map_err(|_| (c.span().start, format!("unknown colour {:?}", c.get_ref())))
            })
            .transpose()
    };
    let (fg, bg) = (color(&s.fg)?, color(&s.bg)?);
    if no_color {
        // Without colour a background becomes reverse video, so selections stay visible.
        if bg.is_some() {
            style = style.add_modifier(Modifier::REVERSED);
        }
        return Ok(style);
    }
    if let Some(fg) = fg {
        style = style.fg(fg);
    }
    if let Some(bg) = bg {
        style = style.bg(bg);
    }
    Ok(style)
}

impl Theme {
    /// Parses theme TOML; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str, no_color: bool) -> Result<Theme, TuiError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            #[allow(dead_code)]
            name: Option<String>,
            styles: Slots,
        }
        let file: File = toml::from_str(text).map_err(|e| {
            let (line, problem) = toml_problem(text, &e);
            TuiError::Config { path: origin.into(), line, problem }
        })?;
        Theme::resolve(file.styles, no_color).map_err(|(at, problem)| TuiError::Config {
            path: origin.into(),
            line: line_of(text, at),
            problem,
        })
    }

    /// A theme by name: `auto` (from `COLORFGBG` alone; see [`Theme::load_auto`]), a `.toml` path,
    /// `<config dir>/cscore/themes/NAME.toml`, or a built-in one.
    pub fn load(name: &str, no_color: bool) -> Result<Theme, TuiError> {
        Theme::load_auto(name, no_color, None)
    }

    /// As [`Theme::load`], `auto` resolved with the terminal's `answer` to OSC 11 first.
    pub fn load_auto(name: &str, no_color: bool, answer: Option<Rgb>) -> Result<Theme, TuiError> {
        let colorfgbg = std::env::var("COLORFGBG").ok();
        let name = theme_name(name, no_color, answer, colorfgbg.as_deref());
        let path = Path::new(name);
        if name.ends_with(".toml") || name.contains(std::path::MAIN_SEPARATOR) {
            let text = std::fs::read_to_string(path)
                .map_err(|e| TuiError::Io { path: path.display().to_string(), problem: e.to_string() })?;
            return Theme::parse(&text, &path.display().to_string(), no_color);
        }
        if let Some(dir) = super::config::config_dir() {
            let user = dir.join("themes").join(format!("{name}.toml"));
            if let Ok(text) = std::fs::read_to_string(&user) {
                return Theme::parse(&text, &user.display().to_string(), no_color);
            }
        }
        match EMBEDDED.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Theme::parse(text, &format!("themes/{n}.toml"), no_color),
            None => Err(TuiError::UnknownTheme { name: name.into(), known: THEME_NAMES.join(", ") }),
        }
    }

    /// The style of a C-score value.
    pub fn score(&self, c: f32) -> Style {
        if c.is_nan() {
            self.dim
        } else if c < 0.5 {
            self.score_low
        } else if c <= 0.8 {
            self.score_mid
        } else {
            self.score_high
        }
    }

    /// The style of a tag.
    pub fn tag_style(&self, tag: &str) -> Style {
        match tag {
            "mislabeled" => self.tag_mislabeled,
            "ok" => self.tag_ok,
            _ => self.tag,
        }
    }

    /// The five C-score bin curve styles, lowest bin first.
    pub fn curves(&self) -> [Style; 5] {
        [self.curve_1, self.curve_2, self.curve_3, self.curve_4, self.curve_5]
    }
}

/// True when `NO_COLOR` is set to anything non-empty (no-color.org).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn shipped_themes_parse_and_set_every_slot() {
        for (name, text) in EMBEDDED {
            let t = Theme::parse(text, name, false).unwrap();
            assert_ne!(t.selected, Style::default(), "{name}");
            assert_ne!(t.curve_5, Style::default(), "{name}");
        }
    }

    /// xterm's default palette: what the named and indexed colours look like on most terminals.
    fn rgb(c: Color) -> Rgb {
        const ANSI: [Rgb; 16] = [
            (0, 0, 0),
            (205, 0, 0),
            (0, 205, 0),
            (205, 205, 0),
            (0, 0, 238),
            (205, 0, 205),
            (0, 205, 205),
            (229, 229, 229),
            (127, 127, 127),
            (255, 0, 0),
            (0, 255, 0),
            (255, 255, 0),
            (92, 92, 255),
            (255, 0, 255),
            (0, 255, 255),
            (255, 255, 255),
        ];
        let index = match c {
            Color::Rgb(r, g, b) => return (r, g, b),
            Color::Indexed(i) => i,
            Color::Black => 0,
            Color::Red => 1,
            Color::Green => 2,
            Color::Yellow => 3,
            Color::Blue => 4,
            Color::Magenta => 5,
            Color::Cyan => 6,
            Color::Gray => 7,
            Color::DarkGray => 8,
            Color::LightRed => 9,
            Color::LightGreen => 10,
            Color::LightYellow => 11,
            Color::LightBlue => 12,
            Color::LightMagenta => 13,
            Color::LightCyan => 14,
            Color::White => 15,
            Color::Reset => panic!("Reset is no colour"),
        };
        match index {
            0..=15 => ANSI[index as usize],
            16..=231 => {
                let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
                let v = index - 16;
                (level(v / 36), level(v / 6 % 6), level(v % 6))
            }
            _ => {
                let g = 8 + 10 * (index - 232);
                (g, g, g)
            }
        }
    }

    fn contrast(a: Rgb, b: Rgb) -> f64 {
        use crate::tui::theme_auto::relative_luminance as l;
        let (x, y) = (l(a) + 0.05, l(b) + 0.05);
        x.max(y) / x.min(y)
    }

    /// No built-in style sets a foreground close to the background its theme is for without setting
    /// that background too (white text on a light terminal was the explorer's empty table).
    #[test]
    fn no_shipped_style_draws_a_foreground_near_its_background() {
        const BLACK: Rgb = (0, 0, 0);
        const WHITE: Rgb = (255, 255, 255);
        let assumed: &[(&str, &[Rgb])] = &[
            ("dark", &[BLACK]),
            ("light", &[WHITE]),
            ("high-contrast", &[BLACK]),
            ("neutral", &[BLACK, WHITE]),
        ];
        assert_eq!(assumed.len(), EMBEDDED.len());
        for (name, text) in EMBEDDED {
            let backgrounds = assumed.iter().find(|(n, _)| n == name).unwrap().1;
            let file: toml::Value = toml::from_str(text).unwrap();
            let styles = file["styles"].as_table().unwrap();
            for (slot, spec) in styles {
                let (Some(fg), None) = (spec.get("fg"), spec.get("bg")) else { continue };
                let fg = rgb(Color::from_str(fg.as_str().unwrap()).unwrap());
                for &bg in backgrounds {
                    let ratio = contrast(fg, bg);
                    assert!(ratio >= 3.0, "{name}.{slot}: contrast {ratio:.2} against {bg:?}");
                }
            }
        }
    }

    #[test]
    fn the_neutral_theme_leaves_text_in_the_terminals_colour() {
        let t = Theme::load("neutral", false).unwrap();
        assert_eq!((t.text.fg, t.text.bg), (None, None));
        for name in ["dark", "light"] {
            assert_eq!(Theme::load(name, false).unwrap().text.fg, None, "{name}");
        }
    }

    #[test]
    fn no_color_strips_colours_and_keeps_selection_visible() {
        let t = Theme::parse(EMBEDDED[0].1, "dark", true).unwrap();
        assert_eq!(t.score_low.fg, None);
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn errors_name_the_line() {
        let err =
            Theme::parse("[styles]\ntext = { fg = \"white\" }\nbogus = {}\n", "t.toml", false).unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
        let err = Theme::parse(
            "[styles]\ntext = { fg = \"white\" }\n\ndim = { bg = \"nocolour\" }\n",
            "t.toml",
            false,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "t.toml: line 4: dim: unknown colour \"nocolour\"");
    }
}
