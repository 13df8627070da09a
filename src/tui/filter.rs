//! Which examples the list shows: class, tag, C-score range, label ≠ held-out prediction, injected.

use super::data::ExplorerData;
use super::scores::Scores;
use super::tags::Tags;

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

    /// Whether example `i` passes.
    pub fn matches(&self, i: usize, data: &ExplorerData, scores: &Scores, tags: &Tags) -> bool {
        if self.class.is_some_and(|c| data.dataset.labels.get(i) != Some(&c)) {
            return false;
        }
        if let Some(tf) = &self.tag {
            let tag = tags.tag(i);
            let ok = match tf {
                TagFilter::Any => tag.is_some(),
                TagFilter::Untagged => tag.is_none(),
                TagFilter::Is(t) => tag == Some(t.as_str()),
            };
            if !ok {
                return false;
            }
        }
        if let Some(r) = self.score {
            let c = scores.cscore.get(i).copied().unwrap_or(f32::NAN);
            if !(c >= r.lo && c <= r.hi) {
                return false;
            }
        }
        if self.disagree {
            let label = data.dataset.labels.get(i).copied();
            if scores.prediction(i).is_none() || scores.prediction(i) == label {
                return false;
            }
        }
        !(self.injected && data.injected.get(i).is_none_or(Option::is_none))
    }

    /// A short description for the title bar ("" when empty).
    pub fn describe(&self, data: &ExplorerData) -> String {
        let mut parts = Vec::new();
        if let Some(c) = self.class {
            parts.push(format!("class {}", data.class_name(c)));
        }
        match &self.tag {
            Some(TagFilter::Any) => parts.push("tagged".into()),
            Some(TagFilter::Untagged) => parts.push("untagged".into()),
            Some(TagFilter::Is(t)) => parts.push(format!("tag {t}")),
            None => {}
        }
        if let Some(r) = self.score {
            parts.push(format!("C {}–{}", r.lo, r.hi));
        }
        if self.disagree {
            parts.push("label≠held-out".into());
        }
        if self.injected {
            parts.push("injected".into());
        }
        parts.join(" · ")
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
    fn tag_filters_parse() {
        assert_eq!(TagFilter::parse("any"), Some(TagFilter::Any));
        assert_eq!(TagFilter::parse("none"), Some(TagFilter::Untagged));
        assert_eq!(TagFilter::parse("Mislabeled"), Some(TagFilter::Is("mislabeled".into())));
        assert_eq!(TagFilter::parse(" "), None);
    }
}
