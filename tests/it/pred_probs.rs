//! Held-out predicted probabilities: every held-out evaluation adds exactly one softmax vector, in the
//! run's transaction; resumed, sharded and merged estimates hold the sums a single estimate holds (merging
//! again adds nothing); `export --pred-probs` writes float32 N × C rows summing to 1, NaN where never held
//! out, and refuses csv/jsonl.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::shard_support;

use cscore::estimate::aggregate_workspace;
use cscore::store::Workspace;
use shard_support::{cscore, ok, refused, setup, stderr, worker_args, PLAN};
use std::path::Path;

/// (shape, values) of a little-endian float32 `.npy`.
fn read_f32_npy(path: &Path) -> (Vec<usize>, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + len]).unwrap();
    assert!(header.contains("'descr': '<f4'") && header.contains("'fortran_order': False"), "{header}");
    let shape = header.split('(').nth(1).unwrap().split(')').next().unwrap();
    let shape: Vec<usize> = shape.split(',').filter_map(|s| s.trim().parse().ok()).collect();
    let data =
        bytes[10 + len..].chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    (shape, data)
}

/// Per example, the total of its summed probabilities must be its number of held-out evaluations.
fn assert_one_vector_per_evaluation(ws: &Path) -> Vec<f64> {
    let w = Workspace::open(ws).unwrap();
    let sums = w.heldout_prob_sums(None).unwrap();
    let agg = aggregate_workspace(&w).unwrap();
    for (i, row) in sums.sums.chunks(3).enumerate() {
        let total: f64 = row.iter().sum();
        let evals = f64::from(agg.holdout_evals(i));
        assert!(
            (total - evals).abs() < 1e-3,
            "example {i}: probability mass {total} for {evals} evaluations"
        );
    }
    assert_eq!(sums.runs_without, 0);
    sums.sums
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-4)
}

#[test]
fn probabilities_are_summed_per_evaluation_resumed_sharded_and_merged_exactly_once() {
    let dir = setup();
    let p = dir.path();
    ok(&cscore(&[&["estimate", "d", "-w", "single.cscore"], PLAN].concat(), p));
    let single = assert_one_vector_per_evaluation(&p.join("single.cscore"));
    // Two shards, merged one at a time and then both again: every run counted once.
    ok(&cscore(&worker_args("d", "m.cscore", "0/2", &[]), p));
    ok(&cscore(&["merge", "m.cscore", "m.cscore.shard-0-of-2"], p));
    assert_one_vector_per_evaluation(&p.join("m.cscore"));
    ok(&cscore(&worker_args("d", "m.cscore", "1/2", &[]), p));
    ok(&cscore(&["merge", "m.cscore"], p));
    let merged = assert_one_vector_per_evaluation(&p.join("m.cscore"));
    assert!(close(&merged, &single), "the merged sums are the single estimate's");
    ok(&cscore(&["merge", "m.cscore"], p));
    assert_eq!(Workspace::open(&p.join("m.cscore")).unwrap().heldout_prob_sums(None).unwrap().sums, merged);
    // A workspace merged, then grown by a resumed estimate, then merged again: its newer sums replace the
    // older ones, nothing is counted twice.
    ok(&cscore(&["merge", "t.cscore", "single.cscore"], p));
    let more = shard_support::plan_with(&[("--runs", "4")]);
    ok(&cscore(&[&["estimate", "d", "-w", "single.cscore"], &more[..]].concat(), p));
    let grown = assert_one_vector_per_evaluation(&p.join("single.cscore"));
    let out = cscore(&["merge", "t.cscore", "single.cscore"], p);
    ok(&out);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    assert!(close(&assert_one_vector_per_evaluation(&p.join("t.cscore")), &grown));
    // A shard extended by a larger --runs keeps the runs it had and trains only new ones: its sums merge
    // exactly, without a warning.
    ok(&cscore(&[&["worker", "d", "-w", "m.cscore", "--shard", "1/2"], &more[..]].concat(), p));
    let out = cscore(&["merge", "m.cscore", "m.cscore.shard-1-of-2"], p);
    ok(&out);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let extended = assert_one_vector_per_evaluation(&p.join("m.cscore"));
    let before = Workspace::open(&p.join("m.cscore")).unwrap().heldout_prob_sums(None).unwrap();
    assert!(before.runs_with > 9, "{}", before.runs_with);
    // The plan split again another way (3 shards) trains runs that other shards gave: its sums cannot be
    // added exactly, so they are left out with a warning and its new runs count as runs without them.
    ok(&cscore(&[&["worker", "d", "-w", "m.cscore", "--shard", "1/3"], &more[..]].concat(), p));
    let out = cscore(&["merge", "m.cscore", "m.cscore.shard-1-of-3"], p);
    ok(&out);
    assert!(stderr(&out).contains("run(s) were not merged"), "{}", stderr(&out));
    let m = Workspace::open(&p.join("m.cscore")).unwrap().heldout_prob_sums(None).unwrap();
    assert_eq!(m.runs_with, before.runs_with);
    assert!(m.runs_without > 0, "{}", m.runs_without);
    assert_eq!(m.sums, extended, "the sums it had are kept as they were");
}

#[test]
fn export_writes_rows_that_sum_to_one_and_refuses_tables() {
    let dir = setup();
    let p = dir.path();
    // One run at ratio 0.9: most examples are trained on, never held out.
    let plan = shard_support::plan_with(&[("--ratios", "0.9"), ("--runs", "1")]);
    ok(&cscore(&[&["estimate", "d", "-w", "w.cscore"], &plan[..]].concat(), p));
    let out = cscore(&["export", "w.cscore", "--pred-probs", "-o", "pp.npy"], p);
    ok(&out);
    let (shape, probs) = read_f32_npy(&p.join("pp.npy"));
    assert_eq!(shape, [150, 3]);
    let agg = aggregate_workspace(&Workspace::open(&p.join("w.cscore")).unwrap()).unwrap();
    let never = (0..150).filter(|&i| agg.holdout_evals(i) == 0).count();
    assert!(never > 100 && never < 150, "{never}");
    for (i, row) in probs.chunks(3).enumerate() {
        if agg.holdout_evals(i) == 0 {
            assert!(row.iter().all(|v| v.is_nan()), "example {i} was never held out: {row:?}");
        } else {
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5 && row.iter().all(|&v| v >= 0.0), "{row:?}");
            let argmax = (0..3).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap() as u32;
            assert_eq!(
                Some(argmax),
                agg.heldout_prediction(i),
                "one run: its softmax argmax is its prediction"
            );
        }
    }
    assert!(
        stderr(&out).contains(&format!("{never} of 150 examples were never held out")),
        "{}",
        stderr(&out)
    );
    // The default name, and the refusals: nothing written.
    ok(&cscore(&["export", "w.cscore", "--pred-probs"], p));
    assert!(p.join("w.pred_probs.npy").is_file());
    for format in ["csv", "jsonl"] {
        let o = format!("x.{format}");
        refused(
            &cscore(&["export", "w.cscore", "--pred-probs", "--format", format, "-o", &o], p),
            &format!("it has no {format} form"),
        );
        assert!(!p.join(&o).exists());
    }
    refused(&cscore(&["export", "w.cscore", "--pred-probs", "--filter", "cscore < 1"], p), "do not apply");
    refused(&cscore(&["export", "w.cscore", "--pred-probs", "--ratios", "0.5"], p), "plan (0.9)");
}

#[test]
fn a_subset_of_ratios_uses_only_their_runs() {
    let dir = setup();
    let p = dir.path();
    let plan = shard_support::plan_with(&[("--runs", "1")]);
    ok(&cscore(&[&["estimate", "d", "-w", "w.cscore"], &plan[..]].concat(), p));
    let nan_rows = |extra: &[&str]| {
        ok(&cscore(&[&["export", "w.cscore", "--pred-probs", "-o", "r.npy"], extra].concat(), p));
        read_f32_npy(&p.join("r.npy")).1.chunks(3).filter(|r| r[0].is_nan()).count()
    };
    // One run per ratio (0.3, 0.6, 0.9): the 0.9 run alone holds out about 15 of 150 examples.
    let all = nan_rows(&[]);
    let high = nan_rows(&["--ratios", "0.9"]);
    assert!(high > 100 && high > all, "{high} vs {all}");
    assert!(nan_rows(&["--ratios", "0.3,0.9"]) < high);
}

/// `--pred-probs` writes `.npy`: a file named `.csv` or `.jsonl` is refused rather than filled with it.
#[test]
fn pred_probs_refuse_a_table_file_name() {
    let dir = setup();
    let p = dir.path();
    ok(&cscore(&[&["estimate", "d", "-w", "w.cscore"], PLAN].concat(), p));
    refused(&cscore(&["export", "w.cscore", "--pred-probs", "-o", "p.csv"], p), "name the file .npy");
    assert!(!p.join("p.csv").exists());
    ok(&cscore(&["export", "w.cscore", "--pred-probs", "-o", "p.npy"], p));
}
