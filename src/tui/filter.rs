//! Which examples the list shows. The active filter is one `cscore export --filter` expression (the
//! language of [`crate::export::filter`]), evaluated by it over the explorer's copy of the export table:
//! a free-form expression typed at the filter prompt, and the quick filters (class, tag, C-score range,
//! label ≠ held-out prediction, injected), each of which composes its own clause of the same text.

use super::filter_table::{explorer_table, TableInputs};
use crate::export::filter::{quote, Filter as Expression, FilterError};
/// A filter on tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagFilter {
    /// Any tag.
    Any,
    /// No tag.
    Untagged,
    /// This tag.
    Is(String),
}

impl TagFilter {
    /// Parses `any`, `none` or a tag name.
    pub fn parse(text: &str) -> Option<TagFilter> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" => None,
            "any" | "*" => Some(TagFilter::Any),
            "none" | "untagged" | "-" => Some(TagFilter::Untagged),
            t => Some(TagFilter::Is(t.to_string())),
        }
    }
}

/// A closed C-score range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    /// Lowest C-score shown.
    pub lo: f32,
    /// Highest C-score shown.
    pub hi: f32,
}

impl ScoreRange {
    /// Parses `0-0.3`, `0.2..0.5`, `<0.3`, `>0.8` or a single upper bound `0.3`.
    pub fn parse(text: &str) -> Result<ScoreRange, String> {
        let t = text.trim();
        let num = |s: &str| {
            s.trim()
                .parse::<f32>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("{:?} is not a number", s.trim()))
        };
        let (lo, hi) = if let Some(v) = t.strip_prefix("<=").or_else(|| t.strip_prefix('<')) {
            (0.0, num(v)?)
        } else if let Some(v) = t.strip_prefix(">=").or_else(|| t.strip_prefix('>')) {
            (num(v)?, 1.0)
        } else if let Some((a, b)) =
            t.split_once("..").or_else(|| t.split_once('-')).or_else(|| t.split_once(','))
        {
            (num(a)?, num(b)?)
        } else {
            (0.0, num(t)?)
        };
        if lo > hi {
            return Err(format!("the range {lo}–{hi} is empty"));
        }
        Ok(ScoreRange { lo, hi })
    }
}

/// Every active filter; all must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// A free-form expression (as `cscore export --filter` takes it).
    pub expr: Option<String>,
    /// Only this given label.
    pub class: Option<u32>,
    /// Only these tags.
    pub tag: Option<TagFilter>,
    /// Only C-scores in this range (examples not yet estimated are hidden).
    pub score: Option<ScoreRange>,
    /// Only examples whose held-out majority prediction differs from their label.
    pub disagree: bool,
    /// Only examples corrupted on purpose (`--inject-*`).
    pub injected: bool,
}

impl Filter {
    /// True when nothing is filtered.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// The whole filter as one expression of the export filter language (`None`: nothing filtered). The
    /// free-form expression comes first (in parentheses when it has quick filters beside it), then one
    /// clause per quick filter, joined with `and`.
    pub fn expression(&self) -> Option<String> {
        let mut clauses = Vec::new();
        if let Some(c) = self.class {
            clauses.push(format!("label == {c}"));
        }
        match &self.tag {
            Some(TagFilter::Any) => clauses.push("tag != null".into()),
            Some(TagFilter::Untagged) => clauses.push("tag == null".into()),
            Some(TagFilter::Is(t)) => clauses.push(format!("tag == {}", quote(t))),
            None => {}
        }
        if let Some(r) = self.score {
            clauses.push(format!("cscore >= {} and cscore <= {}", r.lo, r.hi));
        }
        if self.disagree {
            clauses.push("heldout_prediction != label".into());
        }
        if self.injected {
            clauses.push("injected == 1".into());
        }
        match (&self.expr, clauses.is_empty()) {
            (None, true) => None,
            (Some(e), true) => Some(e.clone()),
            (Some(e), false) => Some(format!("({e}) and {}", clauses.join(" and "))),
            (None, false) => Some(clauses.join(" and ")),
        }
    }

    /// The examples that pass, in dataset order (every example when nothing is filtered). Only the
    /// columns the expression reads are built.
    pub fn select(&self, inp: &TableInputs<'_>) -> Result<Vec<u32>, FilterError> {
        let Some(text) = self.expression() else { return Ok((0..inp.data.len() as u32).collect()) };
        let expression = Expression::parse(&text)?;
        let table = explorer_table(inp, Some(&expression.columns()), inp.data.len());
        Ok(expression.select(&table)?.into_iter().map(|i| i as u32).collect())
    }

    /// Checks a free-form expression against every column the explorer has: the error is the one
    /// `cscore export --filter` would give.
    pub fn check(text: &str, inp: &TableInputs<'_>) -> Result<(), FilterError> {
        // one row of every column: the export's messages (and its "did you mean") at no cost
        Expression::parse(text)?.select(&explorer_table(inp, None, 1)).map(|_| ())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn score_ranges_parse() {
        let r = |t: &str| ScoreRange::parse(t).map(|r| (r.lo, r.hi));
        assert_eq!(r("0-0.3"), Ok((0.0, 0.3)));
        assert_eq!(r("0.2..0.5"), Ok((0.2, 0.5)));
        assert_eq!(r("<0.4"), Ok((0.0, 0.4)));
        assert_eq!(r(">0.8"), Ok((0.8, 1.0)));
        assert_eq!(r("0.3"), Ok((0.0, 0.3)));
        assert!(r("0.5-0.1").is_err());
        assert!(r("abc").is_err());
    }

    #[test]
    fn quick_filters_compose_one_expression() {
        let mut f = Filter::default();
        assert_eq!(f.expression(), None);
        f.class = Some(3);
        f.tag = TagFilter::parse("say \"hi\"");
        f.score = Some(ScoreRange::parse("<0.25").unwrap());
        f.disagree = true;
        f.injected = true;
        let text = "label == 3 and tag == \"say \\\"hi\\\"\" and cscore >= 0 and cscore <= 0.25 \
                    and heldout_prediction != label and injected == 1";
        assert_eq!(f.expression().as_deref(), Some(text));
        assert!(Expression::parse(text).is_ok());
        let typed = Filter { expr: Some("cscore < 0.3 or label == 7".into()), ..Filter::default() };
        assert_eq!(typed.expression().as_deref(), Some("cscore < 0.3 or label == 7"));
        let both = Filter { class: Some(1), ..typed };
        assert_eq!(both.expression().as_deref(), Some("(cscore < 0.3 or label == 7) and label == 1"));
    }

    #[test]
    fn tag_filters_parse() {
        assert_eq!(TagFilter::parse("any"), Some(TagFilter::Any));
        assert_eq!(TagFilter::parse("none"), Some(TagFilter::Untagged));
        assert_eq!(TagFilter::parse("Mislabeled"), Some(TagFilter::Is("mislabeled".into())));
        assert_eq!(TagFilter::parse(" "), None);
    }
}
