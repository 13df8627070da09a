//! Reading runs back: keys, counts, whole records, failures and per-epoch statistics.

use rusqlite::{params, OptionalExtension, Row};

use super::blob::{bytes_to_f32s, bytes_to_labels, label_width};
use super::records::{EpochStats, RunKey, RunRecord, RunStatus};
use super::runs::kind_name;
use super::{AtPath, StoreError, Workspace};

/// How many runs the workspace holds, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Runs that trained and were evaluated.
    pub done: usize,
    /// Runs that failed.
    pub failed: usize,
}

/// Columns of `runs` in the order [`RawRun::read`] expects.
const RUN_COLUMNS: &str = "id, kind, ratio_index, run_index, subset_ratio, seed, status, failure,
     train_seconds, eval_seconds, final_loss, heldout_mask, heldout_correct, heldout_predictions";

/// A `runs` row as stored, decoded into a [`RunRecord`] outside the SQLite callback.
struct RawRun {
    id: i64,
    kind: String,
    ratio_index: u32,
    run_index: u32,
    subset_ratio: Option<f64>,
    seed: i64,
    status: String,
    failure: Option<String>,
    train_seconds: Option<f64>,
    eval_seconds: Option<f64>,
    final_loss: Option<f64>,
    mask: Vec<u8>,
    correct: Vec<u8>,
    predictions: Vec<u8>,
}

impl RawRun {
    fn read(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(RawRun {
            id: r.get(0)?,
            kind: r.get(1)?,
            ratio_index: r.get(2)?,
            run_index: r.get(3)?,
            subset_ratio: r.get(4)?,
            seed: r.get(5)?,
            status: r.get(6)?,
            failure: r.get(7)?,
            train_seconds: r.get(8)?,
            eval_seconds: r.get(9)?,
            final_loss: r.get(10)?,
            mask: r.get(11)?,
            correct: r.get(12)?,
            predictions: r.get(13)?,
        })
    }
}

fn read_key(r: &Row<'_>) -> rusqlite::Result<(String, u32, u32)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

impl Workspace {
    /// Every stored run key with whether it is done (`false`: failed), oldest first.
    pub fn run_keys(&self) -> Result<Vec<(RunKey, bool)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, ratio_index, run_index, status FROM runs ORDER BY id")
            .at(&self.path)?;
        let rows = stmt.query_map([], |r| Ok((read_key(r)?, r.get::<_, String>(3)?))).at(&self.path)?;
        let mut out = Vec::new();
        for row in rows {
            let (key, status) = row.at(&self.path)?;
            out.push((self.key(key)?, status == "done"));
        }
        Ok(out)
    }

    /// How many runs are done and how many failed.
    pub fn run_counts(&self) -> Result<RunCounts, StoreError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT status, count(*) FROM runs GROUP BY status").at(&self.path)?;
        let rows =
            stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, usize>(1)?))).at(&self.path)?;
        let mut counts = RunCounts::default();
        for row in rows {
            match row.at(&self.path)? {
                (s, n) if s == "done" => counts.done = n,
                (_, n) => counts.failed += n,
            }
        }
        Ok(counts)
    }

    /// Every stored run, oldest first; epoch statistics only when `with_epochs`.
    pub fn load_runs(&self, with_epochs: bool) -> Result<Vec<RunRecord>, StoreError> {
        Ok(self.runs_after(i64::MIN, with_epochs)?.into_iter().map(|(_, rec)| rec).collect())
    }

    /// Runs stored after row id `last_id`, with their ids, oldest first (for incremental followers).
    pub fn runs_after(&self, last_id: i64, with_epochs: bool) -> Result<Vec<(i64, RunRecord)>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id > ?1 ORDER BY id");
        let mut stmt = self.conn.prepare_cached(&sql).at(&self.path)?;
        let raws = stmt
            .query_map([last_id], RawRun::read)
            .at(&self.path)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .at(&self.path)?;
        let mut out = Vec::with_capacity(raws.len());
        for raw in raws {
            let id = raw.id;
            let mut rec = self.decode_run(raw)?;
            if with_epochs {
                rec.epochs = self.epochs_of(id)?;
            }
            out.push((id, rec));
        }
        Ok(out)
    }

    /// Calls `f` on every stored run in turn, oldest first, holding one run in memory at a time (epoch
    /// statistics only when `with_epochs`); stops at the first error `f` returns.
    pub fn for_each_run<E: From<StoreError>>(
        &self,
        with_epochs: bool,
        mut f: impl FnMut(RunRecord) -> Result<(), E>,
    ) -> Result<(), E> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id");
        let mut stmt = self.conn.prepare(&sql).at(&self.path)?;
        let mut rows = stmt.query([]).at(&self.path)?;
        while let Some(row) = rows.next().at(&self.path)? {
            let raw = RawRun::read(row).at(&self.path)?;
            let id = raw.id;
            let mut rec = self.decode_run(raw)?;
            if with_epochs {
                rec.epochs = self.epochs_of(id)?;
            }
            f(rec)?;
        }
        Ok(())
    }

    /// The stored run with this key, without epoch statistics, if there is one.
    pub fn run(&self, key: RunKey) -> Result<Option<RunRecord>, StoreError> {
        let sql =
            format!("SELECT {RUN_COLUMNS} FROM runs WHERE kind = ?1 AND ratio_index = ?2 AND run_index = ?3");
        let raw = self
            .conn
            .prepare_cached(&sql)
            .at(&self.path)?
            .query_row(params![kind_name(key), key.ratio_index, key.run_index], RawRun::read)
            .optional()
            .at(&self.path)?;
        raw.map(|raw| self.decode_run(raw)).transpose()
    }

    /// Every failed run with its reason, oldest first.
    pub fn failures(&self) -> Result<Vec<(RunKey, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT kind, ratio_index, run_index, failure FROM runs
                 WHERE status = 'failed' ORDER BY id",
            )
            .at(&self.path)?;
        let rows =
            stmt.query_map([], |r| Ok((read_key(r)?, r.get::<_, Option<String>>(3)?))).at(&self.path)?;
        let mut out = Vec::new();
        for row in rows {
            let (key, reason) = row.at(&self.path)?;
            out.push((self.key(key)?, reason.unwrap_or_default()));
        }
        Ok(out)
    }

    /// Per-epoch statistics of one run, by epoch (empty when the run is unknown or untracked).
    pub fn epoch_stats(&self, key: RunKey) -> Result<Vec<EpochStats>, StoreError> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM runs WHERE kind = ?1 AND ratio_index = ?2 AND run_index = ?3",
                params![kind_name(key), key.ratio_index, key.run_index],
                |r| r.get(0),
            )
            .optional()
            .at(&self.path)?;
        match id {
            Some(id) => self.epochs_of(id),
            None => Ok(Vec::new()),
        }
    }

    /// Runs that have per-epoch statistics, oldest first.
    pub fn tracked_runs(&self) -> Result<Vec<RunKey>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT kind, ratio_index, run_index FROM runs
                 WHERE EXISTS (SELECT 1 FROM epoch_stats e WHERE e.run_id = runs.id) ORDER BY id",
            )
            .at(&self.path)?;
        let rows = stmt.query_map([], read_key).at(&self.path)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(self.key(row.at(&self.path)?)?);
        }
        Ok(out)
    }

    fn epochs_of(&self, run_id: i64) -> Result<Vec<EpochStats>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT epoch, given_prob, predicted, margin FROM epoch_stats
                 WHERE run_id = ?1 ORDER BY epoch",
            )
            .at(&self.path)?;
        let rows = stmt
            .query_map([run_id], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })
            .at(&self.path)?;
        let width = label_width(self.num_classes);
        let mut out = Vec::new();
        for row in rows {
            let (epoch, prob, predicted, margin) = row.at(&self.path)?;
            let bad = || self.corrupt(format!("epoch {epoch} of run {run_id} has a ragged vector"));
            out.push(EpochStats {
                epoch,
                given_prob: bytes_to_f32s(&prob).ok_or_else(bad)?,
                predicted: bytes_to_labels(&predicted, width).ok_or_else(bad)?,
                margin: bytes_to_f32s(&margin).ok_or_else(bad)?,
            });
        }
        Ok(out)
    }

    pub(super) fn key(
        &self,
        (kind, ratio_index, run_index): (String, u32, u32),
    ) -> Result<RunKey, StoreError> {
        let kind_is_proxy = match kind.as_str() {
            "proxy" => true,
            "holdout" => false,
            other => return Err(self.corrupt(format!("unknown run kind {other:?}"))),
        };
        Ok(RunKey { kind_is_proxy, ratio_index, run_index })
    }

    fn decode_run(&self, raw: RawRun) -> Result<RunRecord, StoreError> {
        let key = self.key((raw.kind, raw.ratio_index, raw.run_index))?;
        let status = match raw.status.as_str() {
            "done" => RunStatus::Done,
            _ => RunStatus::Failed(raw.failure.unwrap_or_default()),
        };
        let heldout_predictions = bytes_to_labels(&raw.predictions, label_width(self.num_classes))
            .ok_or_else(|| self.corrupt(format!("run {} has ragged predictions", raw.id)))?;
        // SQLite stores NaN as NULL; give it back as NaN.
        let real = |v: Option<f64>| v.unwrap_or(f64::NAN);
        Ok(RunRecord {
            key,
            subset_ratio: real(raw.subset_ratio),
            seed: raw.seed as u64,
            status,
            train_seconds: real(raw.train_seconds),
            eval_seconds: real(raw.eval_seconds),
            num_examples: self.num_examples,
            heldout_mask: raw.mask,
            heldout_correct: raw.correct,
            heldout_predictions,
            heldout_probs: Vec::new(),
            final_loss: real(raw.final_loss),
            epochs: Vec::new(),
        })
    }
}
