//! A shard's share of the input-space neighbour statistics: for a block of examples, their kernel sums
//! over the whole dataset and their k nearest neighbours in it. In a sharded estimate every shard stores
//! the block of its own examples; `cscore merge` joins the blocks and computes the input-space proxies of
//! the whole dataset from them, so no single shard does the whole pass.

use rusqlite::params;

use super::blob::{bytes_to_f32s, bytes_to_f64s, bytes_to_u32s, f32s_to_bytes, f64s_to_bytes, u32s_to_bytes};
use super::{AtPath, StoreError, Workspace};

/// The neighbour statistics of the examples `start..start + kernel_sum.len()`.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredNeighbours {
    /// First example of the block.
    pub start: usize,
    /// Neighbours kept per example.
    pub k: usize,
    /// Kernel bandwidth the sums were computed with.
    pub bandwidth: f64,
    /// The proxies the block was computed for (names).
    pub proxies: Vec<String>,
    /// Per example, the kernel sum over all examples.
    pub kernel_sum: Vec<f64>,
    /// Per example, the kernel sum over the examples of its class.
    pub same_class_kernel_sum: Vec<f64>,
    /// Per example, its k nearest other examples (indices into the whole dataset), nearest first.
    pub neighbours: Vec<u32>,
    /// Their distances.
    pub neighbour_dist: Vec<f32>,
    /// Per example, the fraction of those neighbours sharing its label (the labels are not in the
    /// workspace, so the shard that had them computes it).
    pub knn_agreement: Vec<f32>,
}

impl StoredNeighbours {
    /// Examples in the block.
    pub fn len(&self) -> usize {
        self.kernel_sum.len()
    }

    /// True for a block of no examples.
    pub fn is_empty(&self) -> bool {
        self.kernel_sum.is_empty()
    }
}

impl Workspace {
    /// Stores (or replaces) the block starting at `part.start`.
    pub fn set_neighbour_part(&self, part: &StoredNeighbours) -> Result<(), StoreError> {
        let n = part.len();
        let consistent = part.same_class_kernel_sum.len() == n
            && part.knn_agreement.len() == n
            && part.neighbours.len() == n * part.k
            && part.neighbour_dist.len() == n * part.k
            && part.start + n <= self.num_examples
            && part.neighbours.iter().all(|&j| (j as usize) < self.num_examples);
        if !consistent {
            return Err(self.invalid(format!(
                "neighbour statistics of examples {}..{} do not fit a dataset of {} examples",
                part.start,
                part.start + n,
                self.num_examples
            )));
        }
        let tx = self.write()?;
        tx.execute(
            "INSERT OR REPLACE INTO neighbour_parts (start, len, k, bandwidth, proxies, kernel_sum,
                 same_class_kernel_sum, neighbours, neighbour_dist, knn_agreement)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                part.start as i64,
                n as i64,
                part.k as i64,
                part.bandwidth,
                part.proxies.join(","),
                f64s_to_bytes(&part.kernel_sum),
                f64s_to_bytes(&part.same_class_kernel_sum),
                u32s_to_bytes(&part.neighbours),
                f32s_to_bytes(&part.neighbour_dist),
                f32s_to_bytes(&part.knn_agreement),
            ],
        )
        .at(&self.path)?;
        tx.commit().at(&self.path)
    }

    /// How many blocks are stored (without reading them).
    pub fn neighbour_part_count(&self) -> Result<usize, StoreError> {
        let n: i64 =
            self.conn.query_row("SELECT count(*) FROM neighbour_parts", [], |r| r.get(0)).at(&self.path)?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Removes every stored block; returns how many there were.
    pub fn remove_neighbour_parts(&self) -> Result<usize, StoreError> {
        let tx = self.write()?;
        let removed = tx.execute("DELETE FROM neighbour_parts", []).at(&self.path)?;
        tx.commit().at(&self.path)?;
        Ok(removed)
    }

    /// The stored blocks, by first example.
    pub fn neighbour_parts(&self) -> Result<Vec<StoredNeighbours>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT start, len, k, bandwidth, proxies, kernel_sum, same_class_kernel_sum, neighbours,
                     neighbour_dist, knn_agreement FROM neighbour_parts ORDER BY start",
            )
            .at(&self.path)?;
        type Raw = (i64, i64, i64, f64, String, [Vec<u8>; 5]);
        let rows = stmt
            .query_map([], |r| {
                let blobs = [r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?];
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, blobs))
            })
            .at(&self.path)?
            .collect::<rusqlite::Result<Vec<Raw>>>()
            .at(&self.path)?;
        rows.into_iter()
            .map(|(start, len, k, bandwidth, proxies, [total, same, nb, dist, agreement])| {
                let part = StoredNeighbours {
                    start: usize::try_from(start).unwrap_or(usize::MAX),
                    k: usize::try_from(k).unwrap_or(usize::MAX),
                    bandwidth,
                    proxies: proxies.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                    kernel_sum: bytes_to_f64s(&total).unwrap_or_default(),
                    same_class_kernel_sum: bytes_to_f64s(&same).unwrap_or_default(),
                    neighbours: bytes_to_u32s(&nb).unwrap_or_default(),
                    neighbour_dist: bytes_to_f32s(&dist).unwrap_or_default(),
                    knn_agreement: bytes_to_f32s(&agreement).unwrap_or_default(),
                };
                let fits = usize::try_from(len).is_ok_and(|l| l == part.len())
                    && part.same_class_kernel_sum.len() == part.len()
                    && part.knn_agreement.len() == part.len()
                    && part.neighbours.len() == part.len().saturating_mul(part.k)
                    && part.neighbour_dist.len() == part.neighbours.len()
                    && part.start.saturating_add(part.len()) <= self.num_examples;
                if fits {
                    Ok(part)
                } else {
                    Err(self
                        .corrupt(format!("the neighbour statistics of examples from {start} are damaged")))
                }
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::StoredNeighbours;
    use crate::store::{DatasetInfo, Workspace};

    #[test]
    fn blocks_round_trip_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::create(&dir.path().join("w.cscore"), &DatasetInfo::toy(5)).unwrap();
        let part = StoredNeighbours {
            start: 2,
            k: 1,
            bandwidth: 0.5,
            proxies: vec!["density".into(), "lof".into()],
            kernel_sum: vec![1.5, 2.5],
            same_class_kernel_sum: vec![1.0, 2.0],
            neighbours: vec![0, 4],
            neighbour_dist: vec![0.25, 0.75],
            knn_agreement: vec![1.0, 0.0],
        };
        ws.set_neighbour_part(&part).unwrap();
        assert_eq!(ws.neighbour_parts().unwrap(), vec![part.clone()]);
        let past_the_end = StoredNeighbours { start: 4, ..part.clone() };
        assert!(ws.set_neighbour_part(&past_the_end).is_err());
        let bad_index = StoredNeighbours { neighbours: vec![0, 5], ..part };
        assert!(ws.set_neighbour_part(&bad_index).is_err());
    }
}
