//! The list's order: filter (an export filter expression, see [`super::filter`]), then sort by a column
//! (missing values last in either direction).

use super::data::{ExplorerData, ProxyScores};
use super::filter::Filter;
use super::filter_table::TableInputs;
use super::scores::Scores;
use super::tags::Tags;
use crate::estimate::Aggregate;
use rayon::prelude::*;
use std::cmp::Ordering;

/// A column the list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    /// C-score.
    CScore,
    /// Example index.
    Index,
    /// Given label.
    Label,
    /// Held-out majority prediction.
    Prediction,
    /// The chosen proxy, from its irregular end.
    Proxy,
    /// Tag name.
    Tag,
    /// Number of held-out evaluations.
    Evals,
}

impl SortColumn {
    /// Cycle order of `sort_next`.
    pub const ALL: [SortColumn; 7] = [
        SortColumn::CScore,
        SortColumn::Index,
        SortColumn::Label,
        SortColumn::Prediction,
        SortColumn::Proxy,
        SortColumn::Tag,
        SortColumn::Evals,
    ];

    /// Column title.
    pub fn name(self) -> &'static str {
        match self {
            SortColumn::CScore => "C-score",
            SortColumn::Index => "index",
            SortColumn::Label => "label",
            SortColumn::Prediction => "held-out",
            SortColumn::Proxy => "proxy",
            SortColumn::Tag => "tag",
            SortColumn::Evals => "evals",
        }
    }

    /// The next column in the cycle.
    pub fn next(self) -> SortColumn {
        let i = SortColumn::ALL.iter().position(|&c| c == self).unwrap_or(0);
        SortColumn::ALL[(i + 1) % SortColumn::ALL.len()]
    }
}

/// Sort column and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec {
    /// The column.
    pub column: SortColumn,
    /// Largest first.
    pub descending: bool,
}

impl Default for SortSpec {
    /// Lowest C-score first: the examples worth a look.
    fn default() -> Self {
        SortSpec { column: SortColumn::CScore, descending: false }
    }
}

/// Everything the order depends on.
pub struct OrderInputs<'a> {
    /// Held-out hits and trials (what the filter's C-score columns come from, as in the export).
    pub agg: &'a Aggregate,
    /// Dataset side.
    pub data: &'a ExplorerData,
    /// Estimate figures.
    pub scores: &'a Scores,
    /// Tags.
    pub tags: &'a Tags,
    /// The chosen proxy.
    pub proxy: Option<&'a ProxyScores>,
}

/// The indices the list shows, in order (none when the filter no longer fits the columns, e.g. a proxy
/// it reads was removed).
pub fn visible_order(spec: SortSpec, filter: &Filter, inp: &OrderInputs<'_>) -> Vec<u32> {
    let table = TableInputs { agg: inp.agg, data: inp.data, tags: inp.tags };
    let mut rows = filter.select(&table).unwrap_or_default();
    let labels = &inp.data.dataset.labels;
    let f32_key = |v: &[f32], i: u32| v.get(i as usize).copied().filter(|x| !x.is_nan());
    let cmp = |a: u32, b: u32| -> Ordering {
        let (ia, ib) = (a as usize, b as usize);
        let key = match spec.column {
            SortColumn::Index => Some(a.cmp(&b)),
            SortColumn::Label => Some(labels[ia].cmp(&labels[ib])),
            SortColumn::Evals => Some(inp.scores.evals[ia].cmp(&inp.scores.evals[ib])),
            SortColumn::CScore => {
                option_cmp(f32_key(&inp.scores.cscore, a), f32_key(&inp.scores.cscore, b), spec)
            }
            SortColumn::Prediction => option_cmp(inp.scores.prediction(ia), inp.scores.prediction(ib), spec),
            SortColumn::Proxy => match inp.proxy {
                Some(p) => {
                    let r = |i: usize| p.rank.get(i).copied().filter(|&r| r > 0);
                    option_cmp(r(ia), r(ib), spec)
                }
                None => Some(Ordering::Equal),
            },
            SortColumn::Tag => option_cmp(inp.tags.tag(ia), inp.tags.tag(ib), spec),
        };
        match key {
            Some(o) => (if spec.descending { o.reverse() } else { o }).then(a.cmp(&b)),
            // missing on one side: decided without the direction (missing last)
            None => missing_last(a, b, spec, inp),
        }
    };
    if matches!(spec.column, SortColumn::Tag) {
        rows.par_sort_by(|&a, &b| cmp(a, b));
        return rows;
    }
    // Numeric columns: the same order as `cmp` (missing last in either direction, ties by index; C-score
    // ties by the fused estimate first), sorted on extracted keys in parallel (at a million rows a
    // comparator sort took a fifth of a second).
    let numeric = |i: usize| -> Option<f64> {
        match spec.column {
            SortColumn::Index => Some(i as f64),
            SortColumn::Label => Some(f64::from(labels[i])),
            SortColumn::Evals => Some(inp.scores.evals[i] as f64),
            SortColumn::CScore => f32_key(&inp.scores.cscore, i as u32).map(f64::from),
            SortColumn::Prediction => inp.scores.prediction(i).map(f64::from),
            SortColumn::Proxy => match inp.proxy {
                Some(p) => p.rank.get(i).copied().filter(|&r| r > 0).map(|r| r as f64),
                None => Some(0.0),
            },
            SortColumn::Tag => None,
        }
    };
    // Examples of one C-score (on a few runs, many tie at 0) in the fused estimate's order, in the sort's
    // direction (most irregular first when ascending; those without it last), then by index.
    let fused = match spec.column {
        SortColumn::CScore => inp.data.fused_rank(),
        _ => None,
    };
    let tie = |i: usize| -> f64 {
        match fused.and_then(|r| r.get(i).copied().filter(|&r| r > 0)) {
            Some(r) if spec.descending => -f64::from(r),
            Some(r) => f64::from(r),
            None => f64::INFINITY,
        }
    };
    let mut keyed: Vec<(bool, f64, f64, u32)> = rows
        .par_iter()
        .map(|&a| match numeric(a as usize) {
            // + 0.0: −0 and 0 compare equal, as with partial_cmp
            Some(v) => (false, if spec.descending { -v } else { v } + 0.0, tie(a as usize), a),
            None => (true, 0.0, 0.0, a),
        })
        .collect();
    keyed.par_sort_unstable_by(|x, y| {
        x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)).then(x.2.total_cmp(&y.2)).then(x.3.cmp(&y.3))
    });
    keyed.into_iter().map(|(_, _, _, a)| a).collect()
}

/// Compares two optional keys; `None` when exactly one is missing (it goes last in either direction).
fn option_cmp<T: PartialOrd>(a: Option<T>, b: Option<T>, _spec: SortSpec) -> Option<Ordering> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.partial_cmp(&y).unwrap_or(Ordering::Equal)),
        (None, None) => Some(Ordering::Equal),
        _ => None,
    }
}

fn missing_last(a: u32, b: u32, spec: SortSpec, inp: &OrderInputs<'_>) -> Ordering {
    let missing = |i: u32| {
        let i = i as usize;
        match spec.column {
            SortColumn::CScore => inp.scores.cscore[i].is_nan(),
            SortColumn::Prediction => inp.scores.prediction(i).is_none(),
            SortColumn::Proxy => inp.proxy.is_none_or(|p| p.rank.get(i).is_none_or(|&r| r == 0)),
            SortColumn::Tag => inp.tags.tag(i).is_none(),
            _ => false,
        }
    };
    missing(a).cmp(&missing(b)).then(a.cmp(&b))
}
