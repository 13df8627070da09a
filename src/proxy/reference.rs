//! Kernel sums against a bounded reference sample instead of all examples: a seeded sample stratified by
//! class (so that small classes keep members), each class's partial sum rescaled by (class size) /
//! (members sampled). The example itself is left out of the sample's sum and counted exactly (K(x, x) = 1),
//! so the estimate is unbiased, and exact when the sample holds every example.

use super::block::exp_neg;
use super::sample::partial_shuffle;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Lanes of the vectorised kernel sums.
const LANES: usize = 8;

/// One class's members in the reference sample.
#[derive(Debug, Clone)]
struct ClassRange {
    label: u32,
    start: usize,
    len: usize,
    size: usize,
}

/// A class-stratified sample of example indices.
#[derive(Debug, Clone)]
pub(super) struct Reference {
    /// The sampled examples, grouped by class (ascending label), ascending within a class.
    pub indices: Vec<u32>,
    classes: Vec<ClassRange>,
}

impl Reference {
    /// About `size` examples (at least `min_per_class` of each class, or all its members), drawn with `seed`.
    pub fn select(labels: &[u32], size: usize, min_per_class: usize, seed: u64) -> Self {
        let mut members: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (i, &y) in labels.iter().enumerate() {
            members.entry(y).or_default().push(i as u32);
        }
        let n = labels.len().max(1);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_0F2E);
        let (mut indices, mut classes) = (Vec::new(), Vec::new());
        for (label, mut all) in members {
            let size_c = all.len();
            let share = (size * size_c).div_ceil(n);
            let m = size_c.min(share.max(min_per_class));
            partial_shuffle(&mut all, m, &mut rng);
            let mut chosen = all[..m].to_vec();
            chosen.sort_unstable();
            classes.push(ClassRange { label, start: indices.len(), len: m, size: size_c });
            indices.extend(chosen);
        }
        Reference { indices, classes }
    }

    /// (Σ over all examples, Σ over those of its class) of K(x, xᵢ) for the query rows `i0..` of one block,
    /// from their dot products with the sample (`dots`, rows × sample), their squared norms `query_norms`
    /// and the sample's `sample_norms`. With `near`, each row's nearest neighbours are summed one by one
    /// (exactly when one is in the sample, else with its estimated kernel) and only the class members
    /// beyond them are estimated from the sample.
    #[allow(clippy::too_many_arguments)]
    pub fn sums(
        &self,
        dots: &[f32],
        i0: usize,
        query_norms: &[f32],
        sample_norms: &[f32],
        labels: &[u32],
        inv_h2: f32,
        near: &Near<'_>,
    ) -> Vec<(f64, f64)> {
        use rayon::prelude::*;
        let m = self.indices.len();
        if m == 0 {
            return vec![(1.0, 1.0); query_norms.len()];
        }
        dots.par_chunks(m)
            .zip(query_norms.par_iter())
            .enumerate()
            .map(|(r, (row, &nq))| {
                let (i, y) = (i0 + r, labels[i0 + r]);
                // The row's neighbours by class (ascending, as the classes are).
                let mut mine: Vec<(u32, u32, f32)> =
                    near.of(r, i, inv_h2).map(|(j, k)| (labels[j as usize], j, k)).collect();
                mine.sort_unstable_by_key(|&(label, j, _)| (label, j));
                let mut next = mine.as_slice();
                let (mut total, mut same) = (1.0, 1.0);
                for c in &self.classes {
                    let span = c.start..c.start + c.len;
                    let members = &self.indices[span.clone()];
                    let mut s = kernel_sum(&row[span.clone()], &sample_norms[span], nq, inv_h2);
                    let mut sampled = c.len;
                    let mut others = c.size;
                    // Terms taken out of the sample: the example itself, and its neighbours in it.
                    let mut take_out = |j: u32| match members.binary_search(&j) {
                        Ok(p) => {
                            let q = c.start + p;
                            let exact = f64::from(kernel(row[q], nq + sample_norms[q], inv_h2));
                            s -= exact;
                            sampled -= 1;
                            Some(exact)
                        }
                        Err(_) => None,
                    };
                    if c.label == y {
                        others -= 1;
                        take_out(i as u32);
                    }
                    let skip = next.iter().take_while(|t| t.0 < c.label).count();
                    next = &next[skip..];
                    let of_class = next.iter().take_while(|t| t.0 == c.label).count();
                    let mut near_sum = 0.0;
                    for &(_, j, estimated) in &next[..of_class] {
                        others -= 1;
                        near_sum += take_out(j).unwrap_or(f64::from(estimated));
                    }
                    next = &next[of_class..];
                    let rest = if sampled == 0 { 0.0 } else { s.max(0.0) * others as f64 / sampled as f64 };
                    total += near_sum + rest;
                    if c.label == y {
                        same += near_sum + rest;
                    }
                }
                (total, same)
            })
            .collect()
    }
}

/// Each query row's nearest neighbours, for [`Reference::sums`]: their kernel terms are estimated from the
/// projection's distances and the rows' residuals, ‖a − b‖² ≈ ‖pa − pb‖² + ra + rb.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Near<'a> {
    /// Neighbours stored per row.
    pub stride: usize,
    /// The first k of them are summed (0: none).
    pub k: usize,
    /// Rows × stride example indices, nearest first.
    pub neighbours: &'a [u32],
    /// Rows × stride distances in the projection.
    pub dist: &'a [f32],
    /// Every example's squared distance from the projection's subspace.
    pub residual: &'a [f32],
}

impl Near<'_> {
    /// Row `r` (example `i`)'s summed neighbours with their estimated kernel terms at 1/h² = `inv_h2`.
    fn of(&self, r: usize, i: usize, inv_h2: f32) -> impl Iterator<Item = (u32, f32)> + '_ {
        let span = r * self.stride..r * self.stride + self.k;
        let nb = self.neighbours.get(span.clone()).unwrap_or(&[]);
        let dist = self.dist.get(span).unwrap_or(&[]);
        let own = self.residual.get(i).copied().unwrap_or(0.0);
        nb.iter().zip(dist).map(move |(&j, &d)| {
            let theirs = self.residual.get(j as usize).copied().unwrap_or(0.0);
            (j, exp_neg((d * d + own + theirs) * inv_h2))
        })
    }
}

/// K = exp(−‖a − b‖²/h²) from a dot product and ‖a‖² + ‖b‖².
#[inline(always)]
fn kernel(dot: f32, norms: f32, inv_h2: f32) -> f32 {
    let v = norms - 2.0 * dot;
    let v = if v > 0.0 { v } else { 0.0 };
    exp_neg(v * inv_h2)
}

/// Σ K over one class's sample columns, in lanes so that the loop vectorises.
fn kernel_sum(dots: &[f32], norms: &[f32], nq: f32, inv_h2: f32) -> f64 {
    let mut acc = [0f32; LANES];
    let (ds, ns) = (dots.chunks_exact(LANES), norms.chunks_exact(LANES));
    let rest: f32 =
        ds.remainder().iter().zip(ns.remainder()).map(|(&d, &nb)| kernel(d, nq + nb, inv_h2)).sum();
    for (d, nb) in ds.zip(ns) {
        for t in 0..LANES {
            acc[t] += kernel(d[t], nq + nb[t], inv_h2);
        }
    }
    acc.iter().map(|&v| f64::from(v)).sum::<f64>() + f64::from(rest)
}

#[cfg(test)]
mod tests {
    use super::Reference;

    #[test]
    fn stratified_sample_keeps_small_classes_and_is_seeded() {
        let labels: Vec<u32> = (0..1000).map(|i| if i < 990 { 0 } else { 1 }).collect();
        let r = Reference::select(&labels, 100, 20, 7);
        let small = r.indices.iter().filter(|&&i| labels[i as usize] == 1).count();
        assert_eq!(small, 10, "every member of a class smaller than the minimum");
        assert!(r.indices.len() >= 100 && r.indices.len() <= 110);
        assert_eq!(r.indices, Reference::select(&labels, 100, 20, 7).indices);
        assert_ne!(r.indices, Reference::select(&labels, 100, 20, 8).indices);
    }
}
