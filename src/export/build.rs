//! The export table of a workspace: the command-line contract's columns, in its order.

use std::path::PathBuf;

use super::table::{Cells, Table};
use super::ExportError;
use crate::estimate::aggregate_workspace;
use crate::store::Workspace;

/// Builds the table of `ws` for a dataset whose given labels (as estimated) are `labels`.
///
/// Columns, in the command-line contract's order (its columns first, extra ones after them): `index,
/// label, cscore, cscore_low, cscore_high, holdout_evals, heldout_prediction, tag`, one `proxy_<name>` per
/// stored proxy, `injected, injected_kind, injected_original_label` when the workspace has injected ground
/// truth, then `relabel, note, label_name, relabel_name`, one `ref_<name>` per imported reference, the cleanlab-style
/// `given_label, predicted_label, label_score, is_label_issue`, and last `path` (each example's file, made
/// absolute) when the dataset has `paths` (image folders).
pub fn build_table(ws: &Workspace, labels: &[u32], paths: Option<&[PathBuf]>) -> Result<Table, ExportError> {
    let n = ws.num_examples();
    if labels.len() != n {
        return Err(ExportError::Usage(format!(
            "{}: the dataset has {} labels but the workspace {n} examples",
            ws.path().display(),
            labels.len()
        )));
    }
    let info = ws.dataset_info()?;
    let agg = aggregate_workspace(ws)?;
    let cscore: Vec<Option<f64>> = (0..n).map(|i| agg.cscore(i)).collect();
    let interval: Vec<Option<(f64, f64)>> =
        cscore.iter().enumerate().map(|(i, c)| c.map(|_| agg.interval(i))).collect();
    let prediction: Vec<Option<u32>> = (0..n).map(|i| agg.heldout_prediction(i)).collect();
    let (mut tag, mut relabel, mut note) = (vec![None; n], vec![None; n], vec![None; n]);
    for row in ws.tags()? {
        if row.example < n {
            tag[row.example] = row.tag;
            relabel[row.example] = row.relabel.map(i64::from);
            note[row.example] = row.note;
        }
    }
    let label: Vec<Option<i64>> = labels.iter().map(|&l| Some(i64::from(l))).collect();
    let floats =
        |f: &dyn Fn(usize) -> Option<f64>| Cells::F64((0..n).map(|i| f(i).unwrap_or(f64::NAN)).collect());
    let ints = |v: &[Option<u32>]| Cells::Int(v.iter().map(|p| p.map(i64::from)).collect());
    let mut cols: Vec<(String, Cells)> = vec![
        ("index".into(), Cells::Int((0..n).map(|i| i64::try_from(i).ok()).collect())),
        ("label".into(), Cells::Int(label.clone())),
        ("cscore".into(), floats(&|i| cscore[i])),
        ("cscore_low".into(), floats(&|i| interval[i].map(|v| v.0))),
        ("cscore_high".into(), floats(&|i| interval[i].map(|v| v.1))),
        ("holdout_evals".into(), Cells::Int((0..n).map(|i| Some(i64::from(agg.holdout_evals(i)))).collect())),
        ("heldout_prediction".into(), ints(&prediction)),
        ("tag".into(), Cells::Text(tag)),
    ];
    for name in ws.proxy_names()? {
        if let Some(scores) = ws.proxy_scores(&name)? {
            cols.push((format!("proxy_{name}"), Cells::F32(scores)));
        }
    }
    let injected = ws.injected()?;
    if !injected.is_empty() {
        let (mut flag, mut kind, mut original) = (vec![Some(0); n], vec![None; n], vec![None; n]);
        for row in injected.into_iter().filter(|r| r.example < n) {
            flag[row.example] = Some(1);
            kind[row.example] = Some(row.kind);
            original[row.example] = Some(i64::from(row.original_label));
        }
        cols.push(("injected".into(), Cells::Int(flag)));
        cols.push(("injected_kind".into(), Cells::Text(kind)));
        cols.push(("injected_original_label".into(), Cells::Int(original)));
    }
    cols.push(("relabel".into(), Cells::Int(relabel.clone())));
    cols.push(("note".into(), Cells::Text(note)));
    let name_of = |l: i64| usize::try_from(l).ok().and_then(|l| info.class_names.get(l).cloned());
    let names = labels.iter().map(|&l| name_of(i64::from(l))).collect();
    cols.push(("label_name".into(), Cells::Text(names)));
    let relabel_names = relabel.iter().map(|r| r.and_then(name_of)).collect();
    cols.push(("relabel_name".into(), Cells::Text(relabel_names)));
    for name in ws.reference_names()? {
        if let Some(scores) = ws.reference_scores(&name)? {
            cols.push((format!("ref_{name}"), Cells::F32(scores)));
        }
    }
    // Confident learning on the held-out votes (`estimate::label_issues`).
    let issue = crate::estimate::label_issues(&agg, labels);
    cols.push(("given_label".into(), Cells::Int(label)));
    cols.push(("predicted_label".into(), ints(&prediction)));
    cols.push(("label_score".into(), floats(&|i| cscore[i])));
    cols.push(("is_label_issue".into(), Cells::Bool(issue)));
    if let Some(paths) = paths.filter(|p| p.len() == n) {
        let shown =
            |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone()).to_string_lossy().into_owned();
        cols.push(("path".into(), Cells::Text(paths.iter().map(|p| Some(shown(p))).collect())));
    }
    let mut table = Table::new();
    for (name, cells) in cols {
        table.push(name, cells).map_err(ExportError::Usage)?;
    }
    Ok(table)
}
