//! `cscore export WS --pred-probs`: the mean held-out softmax vector of every example as float32 N × C
//! `.npy`, the out-of-sample `pred_probs` that cleanlab and other label-noise tools take.

use super::export::{stem, to_stdout, ExportArgs, TableFormat};
use super::stderr::errln;
use cscore::estimate::stored_plan;
use cscore::export::{write_atomic, write_npy, NpyData};
use cscore::store::Workspace;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes the probabilities, or refuses with one line and writes nothing.
pub fn run(args: &ExportArgs) -> anyhow::Result<()> {
    if let Some(format) = args.format.filter(|f| *f != TableFormat::Npy) {
        let name = match format {
            TableFormat::Jsonl => "jsonl",
            _ => "csv",
        };
        anyhow::bail!(
            "--pred-probs writes a float32 N × C .npy (one row of class probabilities per example); it has no {name} form: drop --format {name}"
        );
    }
    if args.clean || args.filter.is_some() || args.tag.is_some() || args.proxies {
        anyhow::bail!("--pred-probs writes every example in dataset order; --clean, --filter, --tag and --proxies do not apply");
    }
    let ws = Workspace::open(&args.workspace)?;
    let chosen = ratio_indices(&ws, &args.ratios)?;
    let probs = ws.heldout_prob_sums(chosen.as_deref())?;
    let shown = args.workspace.display();
    if probs.runs_with == 0 {
        if probs.runs_without == 0 {
            // Failed runs keep no probabilities: say so rather than suggest an estimate that trains nothing.
            let failed = ws
                .failures()?
                .iter()
                .filter(|(k, _)| {
                    !k.kind_is_proxy && chosen.as_ref().is_none_or(|c| c.contains(&k.ratio_index))
                })
                .count();
            let at =
                if args.ratios.is_empty() { String::new() } else { " at the ratios asked for".to_string() };
            if failed > 0 {
                anyhow::bail!(
                    "{shown}: no holdout run{at} has probabilities: the {failed} run(s) there failed (`cscore show` \
                     and the estimate's log say why), and failed runs keep none (nothing was written)"
                );
            }
            anyhow::bail!(
                "{shown}: no holdout run{at} has finished yet; run `cscore estimate` first (nothing was written)"
            );
        }
        anyhow::bail!(
            "{shown}: no held-out probabilities stored: its {} holdout runs were made by a cscore from before they were kept; runs added now keep them (`cscore estimate DATA -w {shown} --runs N` with more runs than before), or estimate into a new workspace (nothing was written)",
            probs.runs_without
        );
    }
    if probs.runs_without > 0 {
        errln!(
            "note: probabilities from {} of {} holdout runs ({} have none: stored by an earlier cscore, or left out by `cscore merge` as it said)",
            probs.runs_with,
            probs.runs_with + probs.runs_without,
            probs.runs_without
        );
    }
    let (mean, never) = probs.mean();
    let (n, c) = (mean.len() / probs.num_classes.max(1), probs.num_classes);
    if never > 0 {
        errln!("{never} of {n} examples were never held out by a run with probabilities: their rows are NaN");
    }
    let path = match &args.output {
        Some(p)
            if p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("jsonl")) =>
        {
            anyhow::bail!(
                "{}: --pred-probs writes a float32 N × C .npy, not the table its name says; name the file .npy",
                p.display()
            )
        }
        Some(p) => p.clone(),
        None => PathBuf::from(format!("{}.pred_probs.npy", stem(&args.workspace))),
    };
    let shape = [n, c];
    if path == Path::new("-") {
        return to_stdout(|mut out| write_npy(&mut out, &shape, NpyData::F32(&mean)));
    }
    write_atomic(&path, |f| {
        let mut buf = io::BufWriter::new(f);
        write_npy(&mut buf, &shape, NpyData::F32(&mean))?;
        buf.flush()
    })?;
    errln!(
        "wrote held-out probabilities ({n} × {c}, mean of {} softmax) to {}",
        if probs.runs_with == 1 { "1 run's".to_string() } else { format!("{} runs'", probs.runs_with) },
        path.display()
    );
    Ok(())
}

/// The plan's indices of `ratios` (`None`: every ratio); refuses a ratio the plan does not have.
fn ratio_indices(ws: &Workspace, ratios: &[f64]) -> anyhow::Result<Option<Vec<u32>>> {
    if ratios.is_empty() {
        return Ok(None);
    }
    let plan = stored_plan(ws)?.map(|p| p.ratios).unwrap_or_default();
    let mut out = Vec::new();
    for &r in ratios {
        match plan.iter().position(|&p| (p - r).abs() < 1e-9) {
            Some(i) => out.push(i as u32),
            None => {
                let have: Vec<String> = plan.iter().map(f64::to_string).collect();
                anyhow::bail!(
                    "--ratios {r}: not a subset ratio of {}'s plan ({})",
                    ws.path().display(),
                    if have.is_empty() { "none yet".into() } else { have.join(", ") }
                );
            }
        }
    }
    Ok(Some(out))
}
