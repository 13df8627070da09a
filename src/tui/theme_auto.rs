//! `theme = "auto"`: the theme follows the terminal's background. The terminal is asked (OSC 11) where it
//! answers, `COLORFGBG` is the fallback, and where neither says, the neutral theme draws text in the
//! terminal's own colour. The choice itself is a pure function ([`theme_name`]); only
//! [`query_background`] touches the terminal.

use std::time::Duration;

/// The theme name that asks for the terminal's background.
pub const AUTO: &str = "auto";

/// A background colour, 8 bits per channel.
pub type Rgb = (u8, u8, u8);

/// How long the terminal may take to say its background (a device status request ends the wait early
/// on every terminal that answers anything, so only a silent one costs this much).
pub const QUERY_TIMEOUT: Duration = Duration::from_millis(500);

/// The built-in theme for `requested`: itself unless it is [`AUTO`]; for `auto`, `light` or `dark` from
/// the terminal's `answer` to OSC 11, else from `COLORFGBG`, else (and always under `NO_COLOR`) `neutral`.
pub fn theme_name<'a>(
    requested: &'a str,
    no_color: bool,
    answer: Option<Rgb>,
    colorfgbg: Option<&str>,
) -> &'a str {
    if requested != AUTO {
        return requested;
    }
    if no_color {
        return "neutral";
    }
    match answer.map(is_light).or_else(|| colorfgbg.and_then(colorfgbg_is_light)) {
        Some(true) => "light",
        Some(false) => "dark",
        None => "neutral",
    }
}

/// Whether a background colour is light (relative luminance above the midpoint of perceived lightness).
pub fn is_light((r, g, b): Rgb) -> bool {
    relative_luminance((r, g, b)) > 0.18
}

/// WCAG relative luminance, 0 (black) to 1 (white).
pub fn relative_luminance((r, g, b): Rgb) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// `COLORFGBG` ("15;0", "0;default;15"): the last field is the background's palette index; 7 and 9–15
/// are light, 0–6 and 8 dark (rxvt's convention); anything else says nothing.
pub fn colorfgbg_is_light(value: &str) -> Option<bool> {
    let bg: u8 = value.rsplit(';').next()?.trim().parse().ok()?;
    match bg {
        7 | 9..=15 => Some(true),
        0..=6 | 8 => Some(false),
        _ => None,
    }
}

/// The colour in a reply to OSC 11 (`ESC ] 11 ; rgb:RRRR/GGGG/BBBB` ended by BEL or ST), anywhere in
/// `bytes`; 1 to 4 hex digits per channel.
pub fn parse_osc11(bytes: &[u8]) -> Option<Rgb> {
    let text = String::from_utf8_lossy(bytes);
    let start = text.find("\x1b]11;")? + 5;
    let body = &text[start..];
    let end = body.find(['\x07', '\x1b']).unwrap_or(body.len());
    let spec = body[..end].strip_prefix("rgb:")?;
    let mut channels = spec.split('/').map(|h| {
        let v = u32::from_str_radix(h, 16).ok().filter(|_| (1..=4).contains(&h.len()))?;
        let max = (1u32 << (4 * h.len())) - 1;
        Some(((v * 255 + max / 2) / max) as u8)
    });
    let rgb = (channels.next()??, channels.next()??, channels.next()??);
    channels.next().is_none().then_some(rgb)
}

/// Asks the terminal its background (OSC 11) and waits up to `timeout` for the reply; `None` when stdin
/// or stdout is not a terminal, or it does not say. Raw mode must be on. A device status request follows
/// the question: terminals answer in order, so its reply ends the wait at once where OSC 11 is unknown.
#[cfg(unix)]
pub fn query_background(timeout: Duration) -> Option<Rgb> {
    use std::io::{IsTerminal, Write};
    use std::time::Instant;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return None;
    }
    let mut out = std::io::stdout();
    out.write_all(b"\x1b]11;?\x1b\\\x1b[5n").and_then(|()| out.flush()).ok()?;
    let started = Instant::now();
    let mut reply = Vec::new();
    // the reply to the status request: ESC [ 0 n (or 3 n)
    let done = |r: &[u8]| r.windows(4).any(|w| w[0] == 0x1b && w[1] == b'[' && w[3] == b'n');
    while !done(&reply) {
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            break;
        }
        let mut poll = libc::pollfd { fd: libc::STDIN_FILENO, events: libc::POLLIN, revents: 0 };
        // SAFETY: one valid pollfd for the duration of the call.
        let ready = unsafe { libc::poll(&mut poll, 1, left.as_millis().min(i32::MAX as u128) as i32) };
        if ready <= 0 {
            break;
        }
        let mut buf = [0u8; 256];
        // SAFETY: reads at most buf.len() bytes into buf.
        let n = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n as usize]);
    }
    if !done(&reply) {
        super::terminal::asked_terminal(); // its answer may still come
    }
    tracing::debug!(target: "cscore::tui", "OSC 11 reply {:?} after {:?}", String::from_utf8_lossy(&reply), started.elapsed());
    parse_osc11(&reply)
}

/// Elsewhere the terminal is not asked.
#[cfg(not(unix))]
pub fn query_background(_timeout: Duration) -> Option<Rgb> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_theme_wins_over_everything() {
        assert_eq!(theme_name("high-contrast", false, Some((255, 255, 255)), Some("0;15")), "high-contrast");
        assert_eq!(theme_name("dark", true, None, None), "dark");
    }

    #[test]
    fn the_terminals_answer_decides() {
        assert_eq!(theme_name(AUTO, false, Some((0, 0, 0)), None), "dark");
        assert_eq!(theme_name(AUTO, false, Some((0x1e, 0x1e, 0x2e)), None), "dark");
        assert_eq!(theme_name(AUTO, false, Some((255, 255, 255)), None), "light");
        assert_eq!(theme_name(AUTO, false, Some((0xfd, 0xf6, 0xe3)), None), "light");
        // the answer wins over a stale COLORFGBG (e.g. inherited through tmux or ssh)
        assert_eq!(theme_name(AUTO, false, Some((255, 255, 255)), Some("15;0")), "light");
    }

    #[test]
    fn colorfgbg_when_the_terminal_does_not_answer() {
        assert_eq!(theme_name(AUTO, false, None, Some("0;15")), "light");
        assert_eq!(theme_name(AUTO, false, None, Some("15;default;0")), "dark");
        assert_eq!(theme_name(AUTO, false, None, Some("0;7")), "light");
        assert_eq!(theme_name(AUTO, false, None, Some("7;8")), "dark");
    }

    #[test]
    fn neither_known_gives_the_neutral_theme() {
        assert_eq!(theme_name(AUTO, false, None, None), "neutral");
        assert_eq!(theme_name(AUTO, false, None, Some("15;default")), "neutral");
        assert_eq!(theme_name(AUTO, false, None, Some("")), "neutral");
    }

    #[test]
    fn no_color_gives_the_neutral_theme_whatever_the_background() {
        assert_eq!(theme_name(AUTO, true, Some((255, 255, 255)), Some("0;15")), "neutral");
        assert_eq!(theme_name(AUTO, true, Some((0, 0, 0)), None), "neutral");
    }

    #[test]
    fn osc11_replies_parse() {
        assert_eq!(parse_osc11(b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\\x1b[0n"), Some((255, 255, 255)));
        assert_eq!(parse_osc11(b"\x1b]11;rgb:0000/0000/0000\x07"), Some((0, 0, 0)));
        assert_eq!(parse_osc11(b"\x1b]11;rgb:1e/1e/2e\x07"), Some((0x1e, 0x1e, 0x2e)));
        assert_eq!(parse_osc11(b"\x1b]11;rgb:f/8/0\x07"), Some((255, 136, 0)));
        assert_eq!(parse_osc11(b"x\x1b]11;rgb:fdfd/f6f6/e3e3\x1b\\"), Some((0xfd, 0xf6, 0xe3)));
        assert_eq!(parse_osc11(b"\x1b[0n"), None);
        assert_eq!(parse_osc11(b"\x1b]11;rgb:ff/ff\x07"), None);
        assert_eq!(parse_osc11(b"\x1b]11;rgb:zz/ff/ff\x07"), None);
        assert_eq!(parse_osc11(b"\x1b]11;rgb:fffff/ff/ff\x07"), None);
    }
}
