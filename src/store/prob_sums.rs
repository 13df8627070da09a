//! Held-out predicted probabilities, kept as running sums: per ratio and per example, the sum of the
//! softmax vectors of the runs that held the example out. A run's vectors are added in the transaction that
//! stores the run and not kept per run, so the space is `examples × classes × 4` bytes per ratio however
//! many runs there are (MNIST: 2.4 MB per ratio).
//!
//! Sums are kept per *source*, the workspace that trained the runs (an id made once per workspace), and
//! every run records the source its vectors were added under. Merging copies a shard's sums of a source
//! whole when the target holds no more runs of that source than the shard, which keeps merges idempotent
//! and exact (a shard merged again, or merged again after it grew, counts each run once).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, RandomState};

use rusqlite::{params, Connection, OptionalExtension};

use super::blob::{bytes_to_f32s, f32s_to_bytes};
use super::records::{RunKey, RunRecord};
use super::runs::kind_name;
use super::{AtPath, StoreError, Workspace};

/// Examples per stored row of sums (a row holds `CHUNK × classes` f32s).
const CHUNK: usize = 1024;

/// `meta` key of this workspace's source id.
const SOURCE_KEY: &str = "prob_source";

/// The mean held-out probabilities' ingredients, summed over the chosen ratios.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOutProbSums {
    /// Number of classes (the row length).
    pub num_classes: usize,
    /// Per example, the sum of its held-out softmax vectors (`examples × classes`, row-major). A row's
    /// total is the number of runs that held the example out and kept their probabilities.
    pub sums: Vec<f64>,
    /// Finished holdout runs (of the chosen ratios) whose probabilities are in the sums.
    pub runs_with: usize,
    /// Finished holdout runs (of the chosen ratios) stored without probabilities (by a cscore from before
    /// they were kept).
    pub runs_without: usize,
}

impl HeldOutProbSums {
    /// Per example, the mean held-out probability vector (f32, rows summing to 1), NaN rows for examples no
    /// run with probabilities held out; and how many such rows there are.
    pub fn mean(&self) -> (Vec<f32>, usize) {
        let c = self.num_classes.max(1);
        let mut never = 0;
        let mut out = Vec::with_capacity(self.sums.len());
        for row in self.sums.chunks(c) {
            let total: f64 = row.iter().sum();
            if total > 0.0 {
                out.extend(row.iter().map(|&v| (v / total) as f32));
            } else {
                never += 1;
                out.extend(std::iter::repeat_n(f32::NAN, row.len()));
            }
        }
        (out, never)
    }
}

/// This workspace's source id, made on first use.
fn own_source(conn: &Connection) -> rusqlite::Result<String> {
    let id =
        format!("{:016x}", RandomState::new().hash_one((std::process::id(), std::time::SystemTime::now())));
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)", params![SOURCE_KEY, id])?;
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [SOURCE_KEY], |r| r.get(0))
}

/// Adds `values` (for `examples`, ascending, `c` per example) to the sums of `(source, ratio)`.
fn add_rows(
    conn: &Connection,
    source: &str,
    ratio_index: u32,
    c: usize,
    examples: &[u32],
    values: &[f32],
) -> rusqlite::Result<()> {
    let mut read = conn.prepare_cached(
        "SELECT sums FROM heldout_prob_sums WHERE source = ?1 AND ratio_index = ?2 AND chunk = ?3",
    )?;
    let mut write = conn.prepare_cached(
        "INSERT OR REPLACE INTO heldout_prob_sums (source, ratio_index, chunk, sums) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut i = 0;
    while i < examples.len() {
        let chunk = examples[i] as usize / CHUNK;
        let blob: Option<Vec<u8>> =
            read.query_row(params![source, ratio_index, chunk], |r| r.get(0)).optional()?;
        let mut sums = blob.and_then(|b| bytes_to_f32s(&b)).unwrap_or_default();
        sums.resize(CHUNK * c, 0.0);
        while i < examples.len() && examples[i] as usize / CHUNK == chunk {
            let at = (examples[i] as usize % CHUNK) * c;
            for (s, v) in sums[at..at + c].iter_mut().zip(&values[i * c..(i + 1) * c]) {
                *s += v;
            }
            i += 1;
        }
        write.execute(params![source, ratio_index, chunk, f32s_to_bytes(&sums)])?;
    }
    Ok(())
}

impl Workspace {
    /// Adds a just-inserted run's held-out probabilities to the sums, in the caller's transaction.
    pub(super) fn add_prob_sums(&self, conn: &Connection, rec: &RunRecord) -> Result<(), StoreError> {
        if rec.heldout_probs.is_empty() || rec.key.kind_is_proxy {
            return Ok(());
        }
        let examples: Vec<u32> = (0..rec.num_examples as u32)
            .filter(|&i| rec.heldout_mask[i as usize / 8] >> (i % 8) & 1 == 1)
            .collect();
        let source = own_source(conn).at(&self.path)?;
        add_rows(conn, &source, rec.key.ratio_index, self.num_classes, &examples, &rec.heldout_probs)
            .at(&self.path)?;
        conn.execute(
            "UPDATE runs SET prob_source = ?1 WHERE kind = ?2 AND ratio_index = ?3 AND run_index = ?4",
            params![source, kind_name(rec.key), rec.key.ratio_index, rec.key.run_index],
        )
        .at(&self.path)?;
        Ok(())
    }

    /// Checks a run's probabilities (none, or one finite, non-negative row per held-out example).
    pub(super) fn check_probs(&self, rec: &RunRecord, held_out: usize) -> Result<(), String> {
        if rec.heldout_probs.is_empty() {
            return Ok(());
        }
        if rec.heldout_probs.len() != held_out * self.num_classes {
            return Err(format!(
                "{} probabilities for {held_out} held-out examples of {} classes",
                rec.heldout_probs.len(),
                self.num_classes
            ));
        }
        if rec.heldout_probs.iter().any(|p| !p.is_finite() || *p < 0.0) {
            return Err("a held-out probability is negative or not finite".into());
        }
        Ok(())
    }

    /// The summed held-out probabilities of the ratios `ratio_indices` (all when `None`).
    pub fn heldout_prob_sums(&self, ratio_indices: Option<&[u32]>) -> Result<HeldOutProbSums, StoreError> {
        let (n, c) = (self.num_examples, self.num_classes);
        let wanted = |r: u32| ratio_indices.is_none_or(|set| set.contains(&r));
        let mut sums = vec![0f64; n * c];
        let mut stmt = self
            .conn
            .prepare_cached("SELECT ratio_index, chunk, sums FROM heldout_prob_sums")
            .at(&self.path)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, usize>(1)?, r.get(2)?)))
            .at(&self.path)?;
        for row in rows {
            let (ratio, chunk, blob): (u32, usize, Vec<u8>) = row.at(&self.path)?;
            if !wanted(ratio) {
                continue;
            }
            let values = bytes_to_f32s(&blob).filter(|v| v.len() == CHUNK * c).ok_or_else(|| {
                self.corrupt(format!("held-out probability sums of chunk {chunk} are ragged"))
            })?;
            let start = (chunk * CHUNK * c).min(sums.len());
            for (s, v) in sums[start..].iter_mut().zip(values) {
                *s += f64::from(v);
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT ratio_index, prob_source IS NOT NULL, count(*) FROM runs
                 WHERE kind = 'holdout' AND status = 'done' GROUP BY 1, 2",
            )
            .at(&self.path)?;
        let counts = stmt
            .query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, bool>(1)?, r.get::<_, usize>(2)?)))
            .at(&self.path)?;
        let (mut runs_with, mut runs_without) = (0, 0);
        for row in counts {
            let (ratio, with, count) = row.at(&self.path)?;
            match (wanted(ratio), with) {
                (true, true) => runs_with += count,
                (true, false) => runs_without += count,
                _ => {}
            }
        }
        Ok(HeldOutProbSums { num_classes: c, sums, runs_with, runs_without })
    }

    /// Run keys by the source their probabilities were summed under.
    fn runs_by_source(&self) -> Result<HashMap<RunKey, String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT kind, ratio_index, run_index, prob_source FROM runs WHERE prob_source IS NOT NULL",
            )
            .at(&self.path)?;
        let rows = stmt
            .query_map([], |r| Ok(((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?), r.get::<_, String>(3)?)))
            .at(&self.path)?;
        let mut out = HashMap::new();
        for row in rows {
            let (key, source) = row.at(&self.path)?;
            out.insert(self.key(key)?, source);
        }
        Ok(out)
    }

    /// Copies the probability sums of `shard` into this workspace (whose runs already include the shard's);
    /// see the module documentation. Returns warnings for sums that could not be merged exactly.
    pub fn merge_prob_sums(&self, shard: &Workspace) -> Result<Vec<String>, StoreError> {
        let theirs = shard.runs_by_source()?;
        let mut by_source: BTreeMap<&str, BTreeSet<RunKey>> = BTreeMap::new();
        for (key, source) in &theirs {
            by_source.entry(source.as_str()).or_default().insert(*key);
        }
        let tx = self.write()?;
        let mine = self.runs_by_source()?;
        let mut warnings = Vec::new();
        for (source, keys) in by_source {
            let held: BTreeSet<RunKey> =
                mine.iter().filter(|(_, s)| s.as_str() == source).map(|(k, _)| *k).collect();
            let elsewhere = keys.iter().filter(|k| mine.get(k).is_some_and(|s| s != source)).count();
            if elsewhere > 0 || !held.is_subset(&keys) {
                let left_out = keys.iter().filter(|k| !mine.contains_key(k)).count();
                if left_out > 0 {
                    warnings.push(format!(
                        "{}: the held-out probabilities of {left_out} run(s) were not merged: the shard also holds runs this workspace counts from another workspace (a plan split again with other --runs?), so its sums cannot be added exactly; `export --pred-probs` uses the other runs",
                        shard.path.display()
                    ));
                }
                continue;
            }
            if held == keys {
                continue; // already merged: the same runs, the same sums
            }
            tx.execute("DELETE FROM heldout_prob_sums WHERE source = ?1", [source]).at(&self.path)?;
            let mut read = shard
                .conn
                .prepare_cached("SELECT ratio_index, chunk, sums FROM heldout_prob_sums WHERE source = ?1")
                .at(&shard.path)?;
            let rows = read
                .query_map([source], |r| {
                    Ok((r.get::<_, u32>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?))
                })
                .at(&shard.path)?;
            for row in rows {
                let (ratio, chunk, blob) = row.at(&shard.path)?;
                tx.execute(
                    "INSERT INTO heldout_prob_sums (source, ratio_index, chunk, sums) VALUES (?1, ?2, ?3, ?4)",
                    params![source, ratio, chunk, blob],
                )
                .at(&self.path)?;
            }
            for key in keys.difference(&held) {
                tx.execute(
                    "UPDATE runs SET prob_source = ?1 WHERE kind = ?2 AND ratio_index = ?3 AND run_index = ?4",
                    params![source, kind_name(*key), key.ratio_index, key.run_index],
                )
                .at(&self.path)?;
            }
        }
        tx.commit().at(&self.path)?;
        Ok(warnings)
    }
}
