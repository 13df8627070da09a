//! Filter expressions over the export table: `cscore < 0.3 and label == 7`, `tag == "mislabeled"`,
//! `not (proxy_knn_agreement >= 0.5 or injected == 1)`, `cscore == null`.
//!
//! Comparisons (`< <= > >= == !=`, `=` for `==`, and `contains` for text: `path contains "2019/"`) take a column, a number, a double- or single-quoted string,
//! `true`/`false` (1/0) or `null`; they join with `and`/`or`/`not` (also `&&`, `||`, `!`) and parentheses.
//! A bare yes/no column (`is_label_issue`, or a 0/1 column such as `injected`) is a condition; any other
//! bare column is an error. A missing value compares false
//! with everything, except that `x == null` is true exactly where `x` is missing (and `x != null` where not).
//! Parentheses and `not` nest at most 64 levels deep; chains of `and`/`or` may be of any length.
//!
//! The explorer's filters are expressions of this language too (`cscore export --filter` and the explorer
//! show the same rows): it asks [`Filter::columns`] to build only the columns an expression reads, and
//! [`quote`] to write a tag into one.

mod eval;
mod lex;
mod parse;

pub use lex::Op;

use super::table::Table;
use parse::{Expr, Operand};
use rayon::prelude::*;

/// A malformed expression, or one that does not fit the table; `position` is the 1-based character.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at position {position}")]
pub struct FilterError {
    /// 1-based character position of the problem.
    pub position: usize,
    /// What is wrong there.
    pub message: String,
}

impl FilterError {
    pub(crate) fn new(position: usize, message: impl Into<String>) -> Self {
        FilterError { position, message: message.into() }
    }
}

/// A parsed filter, not yet checked against a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    expr: Expr,
}

impl Filter {
    /// Parses `text`; errors carry the position of the problem.
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        parse::parse(text).map(|expr| Filter { expr })
    }

    /// The filter `tag == "<tag>"`.
    pub fn tag_equals(tag: &str) -> Filter {
        Filter {
            expr: Expr::Cmp {
                left: (Operand::Column("tag".into()), 0),
                op: Op::Eq,
                right: (Operand::Str(tag.to_string()), 0),
            },
        }
    }

    /// Both this filter and `other`.
    pub fn and(self, other: Filter) -> Filter {
        Filter { expr: Expr::And(vec![self.expr, other.expr]) }
    }

    /// The names of the columns the expression reads, each once, in order of appearance.
    pub fn columns(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.expr.columns(&mut out);
        out
    }

    /// What the expression compares with `==` that no row of `table` holds (a misspelt class name or
    /// tag, which would silently match nothing), one line each, with the column's values where few.
    pub fn absent_values(&self, table: &Table) -> Vec<String> {
        let mut pairs = Vec::new();
        self.expr.text_equalities(&mut pairs);
        let mut out = Vec::new();
        for (name, value) in pairs {
            let Some(super::table::Cells::Text(cells)) = table.column(name).map(|c| &c.cells) else {
                continue;
            };
            let values: std::collections::BTreeSet<&str> =
                cells.iter().flatten().map(String::as_str).collect();
            if values.contains(value) {
                continue;
            }
            let listed = match values.len() {
                0 => format!(" (no example has any {name})"),
                n if n <= 12 => format!(
                    " ({name} is one of {})",
                    values.into_iter().map(quote).collect::<Vec<_>>().join(", ")
                ),
                _ => String::new(),
            };
            out.push(format!("no example has {name} {}{listed}", quote(value)));
        }
        out
    }

    /// The rows of `table` that match, in order; fails on unknown columns and mismatched types.
    pub fn select(&self, table: &Table) -> Result<Vec<usize>, FilterError> {
        let compiled = eval::compile(&self.expr, table)?;
        // In parallel, in row order (the explorer filters a million rows on a key press).
        Ok((0..table.rows()).into_par_iter().filter(|&row| compiled.matches(table, row)).collect())
    }
}

/// `text` as a string literal of the language (double quotes; `\` and `"` escaped).
pub fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The rows of `table` matching every given filter (all rows when there is none).
pub fn select_rows(table: &Table, filter: Option<&Filter>) -> Result<Vec<usize>, FilterError> {
    match filter {
        Some(f) => f.select(table),
        None => Ok((0..table.rows()).collect()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
