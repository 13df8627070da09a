//! Recursive-descent parser: `or` binds loosest, then `and`, then `not`, then comparisons and parentheses.
//! Chains of `and`/`or` become one flat node (no recursion per term), and nesting (parentheses and
//! `not`) is limited to [`MAX_DEPTH`] levels, so no expression can exhaust the stack.

use super::lex::{lex, Op, Tok};
use super::FilterError;

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Operand {
    Column(String),
    Num(f64),
    Str(String),
    Null,
}

/// Deepest nesting of parentheses and `not` accepted.
pub(super) const MAX_DEPTH: usize = 64;

/// A parsed expression; positions are 1-based characters of the source text.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
    /// True when any term is (two or more terms).
    Or(Vec<Expr>),
    /// True when every term is (two or more terms).
    And(Vec<Expr>),
    Not(Box<Expr>),
    /// `left op right`, with the positions of both operands.
    Cmp {
        left: (Operand, usize),
        op: Op,
        right: (Operand, usize),
    },
    /// A bare column: true where it holds a non-zero number.
    Truthy(String, usize),
}

impl Expr {
    /// Appends the columns this expression reads to `out` (each once). Nesting is bounded by
    /// [`MAX_DEPTH`], so the recursion is too.
    /// The (column, text) pairs the expression compares with `==`, in order of appearance.
    pub(super) fn text_equalities<'a>(&'a self, out: &mut Vec<(&'a str, &'a str)>) {
        match self {
            Expr::Or(terms) | Expr::And(terms) => terms.iter().for_each(|e| e.text_equalities(out)),
            Expr::Not(e) => e.text_equalities(out),
            Expr::Truthy(..) => {}
            Expr::Cmp { left, op: Op::Eq, right } => match (&left.0, &right.0) {
                (Operand::Column(c), Operand::Str(v)) | (Operand::Str(v), Operand::Column(c)) => {
                    out.push((c, v))
                }
                _ => {}
            },
            Expr::Cmp { .. } => {}
        }
    }

    pub(super) fn columns(&self, out: &mut Vec<String>) {
        fn add(out: &mut Vec<String>, name: &str) {
            if !out.iter().any(|c| c == name) {
                out.push(name.to_string());
            }
        }
        match self {
            Expr::Or(terms) | Expr::And(terms) => terms.iter().for_each(|e| e.columns(out)),
            Expr::Not(e) => e.columns(out),
            Expr::Truthy(name, _) => add(out, name),
            Expr::Cmp { left, right, .. } => {
                for side in [&left.0, &right.0] {
                    if let Operand::Column(name) = side {
                        add(out, name);
                    }
                }
            }
        }
    }
}

/// Parses a whole expression.
pub(super) fn parse(text: &str) -> Result<Expr, FilterError> {
    let toks = lex(text)?;
    let end = text.chars().count() + 1;
    if toks.is_empty() {
        return Err(FilterError::new(1, "empty expression"));
    }
    let mut p = Parser { toks, at: 0, end, depth: 0 };
    let e = p.or()?;
    match p.toks.get(p.at) {
        None => Ok(e),
        Some((Tok::Close, pos)) => Err(FilterError::new(*pos, "unmatched ')'")),
        Some((t, pos)) => {
            Err(FilterError::new(*pos, format!("expected 'and', 'or' or the end, found {}", show(t))))
        }
    }
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    end: usize,
    /// Parentheses and `not` open around the current token.
    depth: usize,
}

/// How a token reads in a message.
fn show(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Num(v) => format!("the number {v}"),
        // Debug formatting escapes control characters and quotes: the message stays one printable line.
        Tok::Str(s) => format!("the string {s:?}"),
        Tok::Op(_) => "a comparison operator".into(),
        Tok::And => "'and'".into(),
        Tok::Or => "'or'".into(),
        Tok::Not => "'not'".into(),
        Tok::True => "'true'".into(),
        Tok::False => "'false'".into(),
        Tok::Null => "'null'".into(),
        Tok::Open => "'('".into(),
        Tok::Close => "')'".into(),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }

    /// Position of the current token, or just past the end.
    fn pos(&self) -> usize {
        self.toks.get(self.at).map_or(self.end, |(_, p)| *p)
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut terms = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::Or(terms) })
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut terms = vec![self.not()?];
        while self.peek() == Some(&Tok::And) {
            self.at += 1;
            terms.push(self.not()?);
        }
        Ok(if terms.len() == 1 { terms.remove(0) } else { Expr::And(terms) })
    }

    fn not(&mut self) -> Result<Expr, FilterError> {
        if self.peek() == Some(&Tok::Not) {
            self.nest()?;
            self.at += 1;
            let e = Expr::Not(Box::new(self.not()?));
            self.depth -= 1;
            return Ok(e);
        }
        self.primary()
    }

    /// One more level of nesting at the current token, refused past [`MAX_DEPTH`].
    fn nest(&mut self) -> Result<(), FilterError> {
        if self.depth >= MAX_DEPTH {
            return Err(FilterError::new(
                self.pos(),
                format!("the expression nests parentheses and 'not' more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        if self.peek() == Some(&Tok::Open) {
            let open = self.pos();
            self.nest()?;
            self.at += 1;
            let e = self.or()?;
            if self.peek() != Some(&Tok::Close) {
                let found = self.peek().map_or("the end".to_string(), show);
                return Err(FilterError::new(
                    self.pos(),
                    format!("expected ')' to close the '(' at position {open}, found {found}"),
                ));
            }
            self.at += 1;
            self.depth -= 1;
            return Ok(e);
        }
        let left = self.operand()?;
        let op = match self.peek() {
            Some(Tok::Op(op)) => *op,
            other => {
                if let (Operand::Column(name), _) = &left {
                    if !matches!(other, Some(Tok::Ident(_) | Tok::Num(_) | Tok::Str(_))) {
                        return Ok(Expr::Truthy(name.clone(), left.1));
                    }
                }
                let found = other.map_or("the end".to_string(), show);
                return Err(FilterError::new(
                    self.pos(),
                    format!("expected a comparison (< <= > >= == != contains), found {found}"),
                ));
            }
        };
        self.at += 1;
        let right = self.operand()?;
        Ok(Expr::Cmp { left, op, right })
    }

    fn operand(&mut self) -> Result<(Operand, usize), FilterError> {
        let pos = self.pos();
        let Some(tok) = self.peek().cloned() else {
            return Err(FilterError::new(pos, "expected a column, number or string, found the end"));
        };
        let operand = match tok {
            Tok::Ident(name) => Operand::Column(name),
            Tok::Num(v) => Operand::Num(v),
            Tok::Str(s) => Operand::Str(s),
            Tok::True => Operand::Num(1.0),
            Tok::False => Operand::Num(0.0),
            Tok::Null => Operand::Null,
            other => {
                return Err(FilterError::new(
                    pos,
                    format!("expected a column, number or string, found {}", show(&other)),
                ))
            }
        };
        self.at += 1;
        Ok((operand, pos))
    }
}
