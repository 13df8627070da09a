//! Storing finished and failed runs with their per-epoch statistics.

use rusqlite::params;

use super::blob::{f32s_to_bytes, label_width, labels_to_bytes};
use super::records::{bitset_len, RunKey, RunKind, RunRecord, RunStatus};
use super::{AtPath, StoreError, Workspace};

/// `RunKey.kind_is_proxy` as stored in the `kind` column.
pub(super) fn kind_name(key: RunKey) -> &'static str {
    if key.kind_is_proxy {
        RunKind::Proxy.name()
    } else {
        RunKind::Holdout.name()
    }
}

impl Workspace {
    /// Stores a finished or failed run with its epoch statistics in one transaction.
    ///
    /// Returns `false`, writing nothing, when a run with the same key is already stored.
    pub fn insert_run(&self, rec: &RunRecord) -> Result<bool, StoreError> {
        self.check_run(rec)?;
        let width = label_width(self.num_classes);
        let failure = match &rec.status {
            RunStatus::Done => None,
            RunStatus::Failed(reason) => Some(reason.as_str()),
        };
        let tx = self.write()?;
        let inserted = tx
            .execute(
                "INSERT INTO runs (kind, ratio_index, run_index, subset_ratio, seed, status, failure,
                     train_seconds, eval_seconds, final_loss,
                     heldout_mask, heldout_correct, heldout_predictions)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (kind, ratio_index, run_index) DO NOTHING",
                params![
                    kind_name(rec.key),
                    rec.key.ratio_index,
                    rec.key.run_index,
                    rec.subset_ratio,
                    rec.seed as i64, // bit-cast: SQLite integers are signed
                    if failure.is_some() { "failed" } else { "done" },
                    failure,
                    rec.train_seconds,
                    rec.eval_seconds,
                    rec.final_loss,
                    rec.heldout_mask,
                    rec.heldout_correct,
                    labels_to_bytes(&rec.heldout_predictions, width),
                ],
            )
            .at(&self.path)?;
        if inserted == 0 {
            return Ok(false);
        }
        let run_id = tx.last_insert_rowid();
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO epoch_stats (run_id, epoch, given_prob, predicted, margin)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .at(&self.path)?;
            for e in &rec.epochs {
                stmt.execute(params![
                    run_id,
                    e.epoch,
                    f32s_to_bytes(&e.given_prob),
                    labels_to_bytes(&e.predicted, width),
                    f32s_to_bytes(&e.margin),
                ])
                .at(&self.path)?;
            }
        }
        if matches!(rec.status, RunStatus::Done) {
            self.add_prob_sums(&tx, rec)?;
        }
        tx.commit().at(&self.path)?;
        Ok(true)
    }

    /// Checks a run against the dataset before anything is written.
    fn check_run(&self, rec: &RunRecord) -> Result<(), StoreError> {
        let n = self.num_examples;
        let bad = |problem: String| {
            let k = rec.key;
            let kind = kind_name(k);
            self.invalid(format!("{kind} run (ratio {}, run {}): {problem}", k.ratio_index, k.run_index))
        };
        if rec.num_examples != n {
            return Err(bad(format!("it covers {} examples but the dataset has {n}", rec.num_examples)));
        }
        let bytes = bitset_len(n);
        for (name, bits) in [("held-out mask", &rec.heldout_mask), ("correct set", &rec.heldout_correct)] {
            if !bits.is_empty() && bits.len() != bytes {
                return Err(bad(format!("the {name} has {} bytes, not {bytes}", bits.len())));
            }
            if !n.is_multiple_of(8) && bits.last().is_some_and(|b| b >> (n % 8) != 0) {
                return Err(bad(format!("the {name} has bits past example {n}")));
            }
        }
        if rec.heldout_correct.len() > rec.heldout_mask.len()
            || rec.heldout_correct.iter().zip(&rec.heldout_mask).any(|(c, m)| c & !m != 0)
        {
            return Err(bad("an example is correct but not held out".into()));
        }
        let held_out: usize = rec.heldout_mask.iter().map(|b| b.count_ones() as usize).sum();
        if rec.heldout_predictions.len() != held_out {
            return Err(bad(format!(
                "{} predictions for {held_out} held-out examples",
                rec.heldout_predictions.len()
            )));
        }
        self.check_probs(rec, held_out).map_err(bad)?;
        if let Some(&p) = rec.heldout_predictions.iter().find(|&&p| p as usize >= self.num_classes) {
            return Err(bad(format!("predicted label {p} is out of range ({} classes)", self.num_classes)));
        }
        for e in &rec.epochs {
            if e.given_prob.len() != n || e.predicted.len() != n || e.margin.len() != n {
                return Err(bad(format!("epoch {} does not cover all {n} examples", e.epoch)));
            }
            if let Some(&p) = e.predicted.iter().find(|&&p| p as usize >= self.num_classes) {
                return Err(bad(format!("epoch {}: predicted label {p} is out of range", e.epoch)));
            }
        }
        let mut epochs: Vec<u32> = rec.epochs.iter().map(|e| e.epoch).collect();
        epochs.sort_unstable();
        if epochs.windows(2).any(|w| w[0] == w[1]) {
            return Err(bad("an epoch appears twice".into()));
        }
        Ok(())
    }
}
