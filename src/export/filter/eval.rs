//! Checking an expression against a table's columns and evaluating it row by row.

use std::cmp::Ordering;

use super::lex::Op;
use super::parse::{Expr, Operand};
use super::FilterError;
use crate::export::table::{Cells, Table, Value};

/// One side of a checked comparison.
#[derive(Debug)]
pub(super) enum Side {
    Column(usize),
    Num(f64),
    Str(String),
    Null,
}

/// An expression whose columns exist and whose comparisons have matching types.
#[derive(Debug)]
pub(super) enum Compiled {
    Or(Vec<Compiled>),
    And(Vec<Compiled>),
    Not(Box<Compiled>),
    Cmp(Side, Op, Side),
    Truthy(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Number,
    Text,
    Null,
}

/// Resolves columns and checks types.
pub(super) fn compile(e: &Expr, t: &Table) -> Result<Compiled, FilterError> {
    Ok(match e {
        Expr::Or(terms) => Compiled::Or(terms.iter().map(|e| compile(e, t)).collect::<Result<_, _>>()?),
        Expr::And(terms) => Compiled::And(terms.iter().map(|e| compile(e, t)).collect::<Result<_, _>>()?),
        Expr::Not(a) => Compiled::Not(Box::new(compile(a, t)?)),
        Expr::Truthy(name, pos) => {
            let col = column(t, name, *pos)?;
            let cells = &t.columns()[col].cells;
            if cells.is_text() {
                return Err(FilterError::new(
                    *pos,
                    format!("column '{name}' holds text; compare it, e.g. {name} == \"…\""),
                ));
            }
            // Alone, only a yes/no column reads as a condition: `cscore` alone would keep every non-zero
            // score, which nobody means.
            let flag = match cells {
                Cells::Bool(_) => true,
                Cells::Int(v) => v.iter().flatten().all(|&x| x == 0 || x == 1),
                _ => false,
            };
            if !flag {
                return Err(FilterError::new(
                    *pos,
                    format!("column '{name}' holds numbers, not yes/no; compare it, e.g. {name} < 0.5"),
                ));
            }
            Compiled::Truthy(col)
        }
        Expr::Cmp { left, op, right } => {
            // A word compared with a text column is most likely a value left unquoted.
            for (col, other) in [(left, right), (right, left)] {
                if let (Operand::Column(known), Operand::Column(word)) = (&col.0, &other.0) {
                    if t.column(known).is_some_and(|c| c.cells.is_text()) && t.position(word).is_none() {
                        return Err(FilterError::new(
                            other.1,
                            format!("unknown column '{word}'; a text value is quoted: {known} == \"{word}\""),
                        ));
                    }
                }
            }
            let (l, lk) = side(t, left)?;
            let (r, rk) = side(t, right)?;
            if (lk == Kind::Null || rk == Kind::Null) && !matches!(op, Op::Eq | Op::Ne) {
                let pos = if lk == Kind::Null { left.1 } else { right.1 };
                return Err(FilterError::new(pos, "null can only be compared with == or !="));
            }
            if *op == Op::Contains && (lk != Kind::Text || rk != Kind::Text) {
                let pos = if lk != Kind::Text { left.1 } else { right.1 };
                return Err(FilterError::new(
                    pos,
                    "contains takes text on both sides, e.g. path contains \"2019/\" or tag contains \"mis\"",
                ));
            }
            if lk != rk && lk != Kind::Null && rk != Kind::Null {
                // Name the column and point at what it is compared with.
                let right_is_column = matches!(right.0, Operand::Column(_));
                let (col, other) = if right_is_column && !matches!(left.0, Operand::Column(_)) {
                    (right, left)
                } else {
                    (left, right)
                };
                let message = match &col.0 {
                    Operand::Column(name) if t.column(name).is_some_and(|c| c.cells.is_text()) => {
                        format!("column '{name}' holds text; compare it with a string in double quotes")
                    }
                    Operand::Column(name)
                        if t.column(name).is_some_and(|c| matches!(c.cells, Cells::Bool(_))) =>
                    {
                        format!("column '{name}' is yes/no: use it alone ({name}, or not {name}) or compare it with true or false")
                    }
                    Operand::Column(name) => {
                        format!("column '{name}' holds numbers; compare it with a number")
                    }
                    _ => "a number cannot be compared with a string".to_string(),
                };
                return Err(FilterError::new(other.1, message));
            }
            Compiled::Cmp(l, *op, r)
        }
    })
}

fn side(t: &Table, (op, pos): &(Operand, usize)) -> Result<(Side, Kind), FilterError> {
    Ok(match op {
        Operand::Column(name) => {
            let col = column(t, name, *pos)?;
            let kind = if t.columns()[col].cells.is_text() { Kind::Text } else { Kind::Number };
            (Side::Column(col), kind)
        }
        Operand::Num(v) => (Side::Num(*v), Kind::Number),
        Operand::Str(s) => (Side::Str(s.clone()), Kind::Text),
        Operand::Null => (Side::Null, Kind::Null),
    })
}

/// The position of column `name`, or an error suggesting the closest name.
fn column(t: &Table, name: &str, pos: usize) -> Result<usize, FilterError> {
    if let Some(col) = t.position(name) {
        return Ok(col);
    }
    // A class name or tag left unquoted: the column that holds it as a value.
    let holding = t.columns().iter().find(|c| match &c.cells {
        Cells::Text(v) => v.iter().flatten().any(|x| x == name),
        _ => false,
    });
    if let Some(c) = holding {
        return Err(FilterError::new(
            pos,
            format!(
                "unknown column '{name}'; a text value is quoted, and {} holds it: {} == \"{name}\"",
                c.name, c.name
            ),
        ));
    }
    let closest = t.names().into_iter().min_by_key(|c| edit_distance(c, name));
    let hint = match closest {
        Some(c) if edit_distance(c, name) <= 2.max(name.len() / 3) => format!(" (did you mean '{c}'?)"),
        _ => format!(" (columns: {})", t.names().join(", ")),
    };
    Err(FilterError::new(pos, format!("unknown column '{name}'{hint}")))
}

/// Levenshtein distance, for suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl Compiled {
    /// Evaluates the expression on `row`.
    pub(super) fn matches(&self, t: &Table, row: usize) -> bool {
        match self {
            Compiled::Or(terms) => terms.iter().any(|e| e.matches(t, row)),
            Compiled::And(terms) => terms.iter().all(|e| e.matches(t, row)),
            Compiled::Not(a) => !a.matches(t, row),
            Compiled::Truthy(col) => matches!(t.columns()[*col].cells.value(row), Value::Num(v) if v != 0.0),
            Compiled::Cmp(l, op, r) => {
                let (lv, rv) = (value(t, l, row), value(t, r, row));
                match (l, r) {
                    (Side::Null, _) => null_test(*op, rv),
                    (_, Side::Null) => null_test(*op, lv),
                    _ if *op == Op::Contains => match (lv, rv) {
                        (Value::Text(x), Value::Text(y)) => x.contains(y),
                        _ => false,
                    },
                    _ => compare(lv, rv).is_some_and(|ord| holds(*op, ord)),
                }
            }
        }
    }
}

fn value<'a>(t: &'a Table, s: &'a Side, row: usize) -> Value<'a> {
    match s {
        Side::Column(c) => t.columns()[*c].cells.value(row),
        Side::Num(v) => Value::Num(*v),
        Side::Str(s) => Value::Text(s),
        Side::Null => Value::Missing,
    }
}

/// `x == null` / `x != null`.
fn null_test(op: Op, v: Value<'_>) -> bool {
    let missing = v == Value::Missing;
    if op == Op::Eq {
        missing
    } else {
        !missing
    }
}

/// Order of two present values of the same kind; `None` when either is missing.
fn compare(a: Value<'_>, b: Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(&y),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn holds(op: Op, ord: Ordering) -> bool {
    match op {
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Contains => false,
    }
}
