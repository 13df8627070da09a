//! The export table as the explorer holds it: the columns `cscore export` writes (same names, same types,
//! same values), built from the explorer's aggregate, tags, proxies and injected ground truth, so that a
//! filter expression selects here exactly the rows `cscore export --filter` writes. Only the columns an
//! expression reads are built.

use super::data::ExplorerData;
use super::tags::Tags;
use crate::estimate::Aggregate;
use crate::export::{Cells, Table};
use crate::proxy::REFERENCE_PREFIX;
use rayon::prelude::*;

/// What the table is built from.
pub struct TableInputs<'a> {
    /// Held-out hits and trials of every run so far.
    pub agg: &'a Aggregate,
    /// Dataset side.
    pub data: &'a ExplorerData,
    /// Tags, relabels and notes.
    pub tags: &'a Tags,
}

/// Export columns before the proxies and after them (the injected ones only with ground truth).
const HEAD: [&str; 8] =
    ["index", "label", "cscore", "cscore_low", "cscore_high", "holdout_evals", "heldout_prediction", "tag"];
const INJECTED: [&str; 3] = ["injected", "injected_kind", "injected_original_label"];
const TAIL: [&str; 8] = [
    "relabel",
    "note",
    "label_name",
    "relabel_name",
    "given_label",
    "predicted_label",
    "label_score",
    "is_label_issue",
];

/// The export column of a proxy (`proxy_<name>`) or an imported reference (`ref_<name>`).
fn proxy_column(name: &str) -> String {
    if name.starts_with(REFERENCE_PREFIX) {
        name.to_string()
    } else {
        format!("proxy_{name}")
    }
}

/// Every column name the explorer's table has, in the export's order.
pub fn column_names(data: &ExplorerData) -> Vec<String> {
    let mut names: Vec<String> = HEAD.iter().map(|s| s.to_string()).collect();
    let (refs, proxies): (Vec<_>, Vec<_>) =
        data.proxies.iter().map(|p| proxy_column(&p.name)).partition(|c| c.starts_with(REFERENCE_PREFIX));
    names.extend(proxies);
    if data.has_injected {
        names.extend(INJECTED.iter().map(|s| s.to_string()));
    }
    names.extend(TAIL[..4].iter().map(|s| s.to_string()));
    names.extend(refs);
    names.extend(TAIL[4..].iter().map(|s| s.to_string()));
    if data.dataset.paths.is_some() {
        names.push("path".to_string());
    }
    names
}

/// The first `rows` rows (at most every example) of the columns `wanted` names that exist (every column
/// when `None`), in the export's order. A few rows are enough to check an expression: types and names do
/// not depend on them.
pub fn explorer_table(inp: &TableInputs<'_>, wanted: Option<&[String]>, rows: usize) -> Table {
    let rows = rows.min(inp.data.len());
    let mut table = Table::new();
    for name in column_names(inp.data) {
        if wanted.is_some_and(|w| !w.contains(&name)) {
            continue;
        }
        if let Some(cells) = column(inp, &name, rows) {
            // Names are distinct and every column has one row per example: push cannot fail.
            let _ = table.push(name, cells);
        }
    }
    table
}

/// The cells of column `name` for the first `n` examples.
fn column(inp: &TableInputs<'_>, name: &str, n: usize) -> Option<Cells> {
    let (agg, data, tags) = (inp.agg, inp.data, inp.tags);
    let labels = &data.dataset.labels;
    // Each column in parallel over the examples (a million rows per key press of the filter prompt).
    let floats = |f: &(dyn Fn(usize) -> Option<f64> + Sync)| {
        Cells::F64((0..n).into_par_iter().map(|i| f(i).unwrap_or(f64::NAN)).collect())
    };
    let ints =
        |f: &(dyn Fn(usize) -> Option<i64> + Sync)| Cells::Int((0..n).into_par_iter().map(f).collect());
    let texts =
        |f: &(dyn Fn(usize) -> Option<String> + Sync)| Cells::Text((0..n).into_par_iter().map(f).collect());
    let injected = |i: usize| data.injected.get(i).and_then(Option::as_ref);
    Some(match name {
        "index" => ints(&|i| i64::try_from(i).ok()),
        "label" | "given_label" => ints(&|i| labels.get(i).map(|&l| i64::from(l))),
        "cscore" | "label_score" => floats(&|i| agg.cscore(i)),
        "cscore_low" => floats(&|i| agg.cscore(i).map(|_| agg.interval(i).0)),
        "cscore_high" => floats(&|i| agg.cscore(i).map(|_| agg.interval(i).1)),
        "holdout_evals" => ints(&|i| Some(i64::from(agg.holdout_evals(i)))),
        "heldout_prediction" | "predicted_label" => ints(&|i| agg.heldout_prediction(i).map(i64::from)),
        "tag" => texts(&|i| tags.tag(i).map(str::to_string)),
        "relabel" => ints(&|i| tags.get(i).and_then(|r| r.relabel).map(i64::from)),
        "note" => texts(&|i| tags.note(i)),
        "label_name" => {
            texts(&|i| labels.get(i).and_then(|&l| data.dataset.class_names.get(l as usize).cloned()))
        }
        "relabel_name" => texts(&|i| {
            let relabel = tags.get(i).and_then(|r| r.relabel)?;
            data.dataset.class_names.get(relabel as usize).cloned()
        }),
        "path" => {
            let paths = data.dataset.paths.as_ref()?;
            texts(&|i| paths.get(i).map(|p| p.display().to_string()))
        }
        "injected" => ints(&|i| Some(i64::from(injected(i).is_some()))),
        "injected_kind" => texts(&|i| injected(i).map(|r| r.kind.clone())),
        "injected_original_label" => ints(&|i| injected(i).map(|r| i64::from(r.original_label))),
        "is_label_issue" => {
            let mut issues = crate::estimate::label_issues(agg, labels);
            issues.resize(n, None);
            Cells::Bool(issues)
        }
        other => {
            let p = data.proxies.iter().find(|p| proxy_column(&p.name) == other)?;
            Cells::F32(p.scores.iter().take(n).copied().collect())
        }
    })
}
