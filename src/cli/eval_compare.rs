//! `cscore eval WS --compare`: the proxies against the current C-score and against each other (Spearman
//! ρ, Kendall τ-b), their AUROC/AP for injected examples where the workspace has them, and per proxy the
//! examples on which it disagrees most with the C-score; `--json` prints the same as one JSON object.

use super::stdout::{out, outln};
use cscore::pipeline::compare_workspace;
use cscore::proxy::Comparison;
use cscore::store::Workspace;

/// Prints the comparison of every score in `ws`, with `top` examples per disagreement ranking.
pub fn run(ws: &Workspace, top: usize, json: bool) -> anyhow::Result<()> {
    let cmp = compare_workspace(ws, top)?;
    if json {
        outln!("{}", serde_json::to_string(&cmp)?);
        return Ok(());
    }
    if cmp.names.len() < 2 {
        anyhow::bail!("{}: nothing to compare yet (no proxies or no C-score)", ws.path().display());
    }
    let models = cscore::estimate::aggregate_workspace(ws)?.holdout_accuracy();
    outln!("trained models: mean held-out accuracy {} over {} runs", models, models.runs);
    print_against(&cmp, &cmp.names[0]);
    print_matrix(&cmp);
    if !cmp.detection.is_empty() {
        outln!("\nfinding the injected examples (low = irregular predicts injected; examples not yet scored left out):");
        outln!("{:<28} {:>8} {:>8} {:>9}", "score", "AUROC", "AP", "examples");
        for d in &cmp.detection {
            outln!("{:<28} {:>8} {:>8} {:>9}", d.name, num(d.auroc), num(d.average_precision), d.used);
        }
    }
    for d in &cmp.disagreements {
        outln!(
            "\n{}: largest disagreements with the C-score (normalised ranks, 0 = most irregular; {})",
            d.proxy,
            cscore::proxy::compare::DISAGREEMENT_ORDER
        );
        if d.examples.is_empty() {
            outln!("  none: the two orders agree wherever ties allow");
        }
        for e in &d.examples {
            outln!(
                "  #{:<8} gap {:.3}: rank {} by the proxy, {} by the C-score",
                e.index,
                e.gap,
                span(e.proxy_ranks),
                span(e.cscore_ranks)
            );
        }
    }
    Ok(())
}

/// A rank, or the range a tie group spans.
fn span((lo, hi): (f64, f64)) -> String {
    if hi > lo {
        format!("{lo:.3}–{hi:.3} (tied)")
    } else {
        format!("{lo:.3}")
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.4}"))
}

fn print_against(cmp: &Comparison, first: &str) {
    outln!("against {first} (each score oriented so that high = regular):");
    outln!("{:<28} {:>8} {:>9} {:>9}", "score", "pairs", "spearman", "kendall");
    let mut fused = false;
    for c in cmp.correlations.iter().filter(|c| c.a == first) {
        fused |= c.b.trim_start_matches("proxy_") == cscore::proxy::FUSED;
        outln!("{:<28} {:>8} {:>9} {:>9}", c.b, c.pairs, num(c.spearman), num(c.kendall));
    }
    if fused && first == "cscore" {
        outln!(
            "(fused is made from this C-score's held-out evidence and the proxies, so its agreement with it is \
             partly by construction; against an independent estimate use eval --reference-scores)"
        );
    }
}

/// Spearman's ρ between every pair, as a lower-triangular matrix; columns are numbered as the rows are
/// (names cut to a column's width would read alike: `hidden_…` three times).
fn print_matrix(cmp: &Comparison) {
    outln!("\nSpearman ρ between every pair (column k is row k):");
    out!("{:<32}", "");
    for k in 1..cmp.names.len() {
        out!(" {:>7}", format!("({k})"));
    }
    outln!();
    for (i, a) in cmp.names.iter().enumerate() {
        out!("{:<32}", format!("({}) {a}", i + 1));
        for b in &cmp.names[..i] {
            let c = cmp.correlations.iter().find(|c| (&c.a == b && &c.b == a) || (&c.a == a && &c.b == b));
            out!(" {:>7}", c.and_then(|c| c.spearman).map_or_else(|| "—".into(), |v| format!("{v:.3}")));
        }
        outln!();
    }
}
