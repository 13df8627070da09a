//! Tokens of a filter expression, each with its 1-based character position.

use super::FilterError;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==` (or `=`)
    Eq,
    /// `!=`
    Ne,
    /// `contains`: the text on the left holds the text on the right (`path contains "2019/"`).
    Contains,
}

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    Op(Op),
    And,
    Or,
    Not,
    True,
    False,
    Null,
    Open,
    Close,
}

/// Splits `text` into tokens with their positions.
pub(super) fn lex(text: &str) -> Result<Vec<(Tok, usize)>, FilterError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let (tok, len) = match (c, next) {
            ('(', _) => (Tok::Open, 1),
            (')', _) => (Tok::Close, 1),
            ('<', Some('=')) => (Tok::Op(Op::Le), 2),
            ('<', _) => (Tok::Op(Op::Lt), 1),
            ('>', Some('=')) => (Tok::Op(Op::Ge), 2),
            ('>', _) => (Tok::Op(Op::Gt), 1),
            ('=', Some('=')) => (Tok::Op(Op::Eq), 2),
            ('=', _) => (Tok::Op(Op::Eq), 1),
            ('!', Some('=')) => (Tok::Op(Op::Ne), 2),
            ('!', _) => (Tok::Not, 1),
            ('&', Some('&')) => (Tok::And, 2),
            ('|', Some('|')) => (Tok::Or, 2),
            ('"' | '\'', _) => string(&chars, i)?,
            (c, _) if c.is_ascii_digit() || c == '.' => number(&chars, i)?,
            ('-' | '+', Some(d)) if d.is_ascii_digit() || d == '.' => number(&chars, i)?,
            (c, _) if c.is_alphabetic() || c == '_' => word(&chars, i),
            _ => return Err(FilterError::new(pos, format!("unexpected character '{}'", c.escape_debug()))),
        };
        out.push((tok, pos));
        i += len;
    }
    Ok(out)
}

/// A quoted string starting at `start`, with `\"`, `\'` and `\\` escapes.
fn string(chars: &[char], start: usize) -> Result<(Tok, usize), FilterError> {
    let quote = chars[start];
    let mut s = String::new();
    let mut i = start + 1;
    while let Some(&c) = chars.get(i) {
        if c == quote {
            return Ok((Tok::Str(s), i + 1 - start));
        }
        if c == '\\' {
            if let Some(&e) = chars.get(i + 1) {
                s.push(e);
                i += 2;
                continue;
            }
        }
        s.push(c);
        i += 1;
    }
    Err(FilterError::new(start + 1, "unterminated string (no closing quote)"))
}

/// A number like `3`, `-0.25`, `.5` or `1e-3` starting at `start`.
fn number(chars: &[char], start: usize) -> Result<(Tok, usize), FilterError> {
    let mut i = start;
    if matches!(chars[i], '-' | '+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
    };
    digits(&mut i);
    if chars.get(i) == Some(&'.') {
        i += 1;
        digits(&mut i);
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        if matches!(chars.get(j), Some('-' | '+')) {
            j += 1;
        }
        if chars.get(j).is_some_and(char::is_ascii_digit) {
            i = j;
            digits(&mut i);
        }
    }
    let text: String = chars[start..i].iter().collect();
    if chars.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.') {
        let bad = chars[i];
        return Err(FilterError::new(i + 1, format!("unexpected '{bad}' after the number {text}")));
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok((Tok::Num(v), i - start)),
        _ => Err(FilterError::new(start + 1, format!("'{text}' is not a number"))),
    }
}

/// A column name or keyword starting at `start`.
fn word(chars: &[char], start: usize) -> (Tok, usize) {
    let mut i = start;
    while chars.get(i).is_some_and(|c| c.is_alphanumeric() || *c == '_') {
        i += 1;
    }
    let w: String = chars[start..i].iter().collect();
    let tok = match w.to_ascii_lowercase().as_str() {
        "and" => Tok::And,
        "or" => Tok::Or,
        "not" => Tok::Not,
        "true" => Tok::True,
        "false" => Tok::False,
        "null" => Tok::Null,
        "contains" => Tok::Op(Op::Contains),
        _ => Tok::Ident(w),
    };
    (tok, i - start)
}
