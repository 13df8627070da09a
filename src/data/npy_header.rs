//! The Python dict literal in a `.npy` header, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.

/// A Python literal as far as `.npy` headers use them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Lit {
    Str(String),
    Bool(bool),
    Int(u64),
    None,
    Tuple(Vec<Lit>),
    List(Vec<Lit>),
}

/// Parses the header dict into (key, value) pairs.
pub(super) fn parse_dict(text: &str) -> Result<Vec<(String, Lit)>, String> {
    let mut p = Parser { s: text.as_bytes(), pos: 0 };
    p.expect(b'{')?;
    let mut out = Vec::new();
    loop {
        if p.eat(b'}') {
            break;
        }
        let Lit::Str(key) = p.value(0)? else {
            return Err("a key is not a string".into());
        };
        p.expect(b':')?;
        out.push((key, p.value(0)?));
        if !p.eat(b',') {
            p.expect(b'}')?;
            break;
        }
    }
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err("text after the dict".into());
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.pos).is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected '{}' at byte {}", c as char, self.pos))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Lit, String> {
        if depth > 8 {
            return Err("nested too deeply".into());
        }
        self.skip_ws();
        match self.s.get(self.pos) {
            Some(&q @ (b'\'' | b'"')) => self.string(q),
            Some(b'(') => Ok(Lit::Tuple(self.items(b')', depth)?)),
            Some(b'[') => Ok(Lit::List(self.items(b']', depth)?)),
            Some(c) if c.is_ascii_digit() => self.int(),
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.s.get(self.pos).is_some_and(|c| c.is_ascii_alphanumeric()) {
                    self.pos += 1;
                }
                match &self.s[start..self.pos] {
                    b"True" => Ok(Lit::Bool(true)),
                    b"False" => Ok(Lit::Bool(false)),
                    b"None" => Ok(Lit::None),
                    w => Err(format!("unknown word '{}'", String::from_utf8_lossy(w))),
                }
            }
            _ => Err(format!("unexpected text at byte {}", self.pos)),
        }
    }

    fn string(&mut self, quote: u8) -> Result<Lit, String> {
        self.pos += 1;
        let start = self.pos;
        while let Some(&c) = self.s.get(self.pos) {
            if c == quote {
                let text = String::from_utf8_lossy(&self.s[start..self.pos]).into_owned();
                self.pos += 1;
                return Ok(Lit::Str(text));
            }
            self.pos += 1;
        }
        Err("unterminated string".into())
    }

    fn int(&mut self) -> Result<Lit, String> {
        let start = self.pos;
        while self.s.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        let digits = String::from_utf8_lossy(&self.s[start..self.pos]).into_owned();
        // Python 2 wrote longs with an `L` suffix.
        if self.s.get(self.pos) == Some(&b'L') {
            self.pos += 1;
        }
        digits.parse().map(Lit::Int).map_err(|_| format!("integer {digits} is too large"))
    }

    fn items(&mut self, close: u8, depth: usize) -> Result<Vec<Lit>, String> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            if self.eat(close) {
                return Ok(out);
            }
            out.push(self.value(depth + 1)?);
            if !self.eat(b',') {
                self.expect(close)?;
                return Ok(out);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_numpy_headers() {
        let d = parse_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4L), }  \n").unwrap();
        assert_eq!(d[0], ("descr".into(), Lit::Str("<f4".into())));
        assert_eq!(d[1].1, Lit::Bool(false));
        assert_eq!(d[2].1, Lit::Tuple(vec![Lit::Int(3), Lit::Int(4)]));
        assert_eq!(parse_dict("{\"shape\": ()}").unwrap()[0].1, Lit::Tuple(vec![]));
        assert_eq!(parse_dict("{'shape': (5,)}").unwrap()[0].1, Lit::Tuple(vec![Lit::Int(5)]));
    }

    #[test]
    fn rejects_malformed_headers() {
        for bad in [
            "",
            "{",
            "{'a' 1}",
            "{'a': (1, 2}",
            "{'a': 'x",
            "{1: 2}",
            "{'a': 99999999999999999999999}",
            "{} x",
            "{'a': foo}",
        ] {
            assert!(parse_dict(bad).is_err(), "{bad}");
        }
        let deep = format!("{{'a': {}{}}}", "(".repeat(50), ")".repeat(50));
        assert!(parse_dict(&deep).is_err());
    }
}
