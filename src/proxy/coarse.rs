//! Which list of the inverted-file index each point is stored in, found in two levels: the lists'
//! centroids are grouped by a small k-means (√lists groups), and a point is compared with the group
//! centres, then with the centroids of its [`GROUPS_SEARCHED`] nearest groups only. At a million points
//! that is about a tenth of the comparisons of a scan of every centroid, and it is what every shard of a
//! sharded estimate repeats for all points; the point nearly always lands in its nearest list, else in a
//! near one, which the searches' several probes absorb.

use super::ivf::{recentre, row, squared_distance};
use crate::{Error, Result};
use rayon::prelude::*;

/// Groups whose centroids a point is compared with.
pub(super) const GROUPS_SEARCHED: usize = 3;

/// Below this many lists every centroid is compared (grouping would save nothing).
const FEW_LISTS: usize = 64;

/// Lloyd iterations of the grouping.
const ITERATIONS: usize = 10;

/// Points between two looks at the stop flag.
const CHUNK: usize = 16_384;

/// The lists' centroids grouped: group centres (groups × d) and each group's lists.
struct Groups {
    centres: Vec<f32>,
    members: Vec<Vec<u32>>,
}

/// The list (index of the nearest centroid, by the two-level search) of each of the `points.len() / d`
/// rows of `points`. Deterministic; the same for a point whatever the other points are. Raised `stopped`
/// ends it between chunks with [`Error::Interrupted`].
pub(super) fn assign(
    points: &[f32],
    d: usize,
    centroids: &[f32],
    stopped: &dyn Fn() -> bool,
) -> Result<Vec<u32>> {
    let groups = group(centroids, d);
    let g = groups.members.len();
    let mut out = Vec::with_capacity(points.len() / d);
    for chunk in points.chunks(CHUNK * d) {
        if stopped() {
            return Err(Error::Interrupted);
        }
        let found: Vec<u32> = chunk
            .par_chunks(d)
            .map(|p| {
                let mut near: Vec<(f32, usize)> =
                    (0..g).map(|j| (squared_distance(p, row(&groups.centres, d, j)), j)).collect();
                let searched = GROUPS_SEARCHED.min(g);
                if searched < g {
                    near.select_nth_unstable_by(searched - 1, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                }
                let mut best = (f32::INFINITY, u32::MAX);
                for &(_, j) in &near[..searched] {
                    for &l in &groups.members[j] {
                        let dist = squared_distance(p, row(centroids, d, l as usize));
                        if dist < best.0 || (dist == best.0 && l < best.1) {
                            best = (dist, l);
                        }
                    }
                }
                if best.1 == u32::MAX {
                    0
                } else {
                    best.1
                }
            })
            .collect();
        out.extend(found);
    }
    Ok(out)
}

/// √lists groups of the centroids by k-means, started at evenly spaced centroids; one group of all of
/// them when there are few.
fn group(centroids: &[f32], d: usize) -> Groups {
    let lists = centroids.len() / d;
    if lists < FEW_LISTS {
        let mut centres = vec![0f32; d];
        recentre(centroids, d, &vec![0; lists], &mut centres);
        return Groups { centres, members: vec![(0..lists as u32).collect()] };
    }
    let g = (lists as f64).sqrt().round() as usize;
    let mut centres: Vec<f32> = (0..g).flat_map(|j| row(centroids, d, j * lists / g).to_vec()).collect();
    let mut of = vec![0u32; lists];
    for _ in 0..ITERATIONS {
        of = (0..lists)
            .into_par_iter()
            .map(|l| {
                let c = row(centroids, d, l);
                (0..g as u32)
                    .map(|j| (squared_distance(c, row(&centres, d, j as usize)), j))
                    .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                    .map_or(0, |(_, j)| j)
            })
            .collect();
        recentre(centroids, d, &of, &mut centres);
    }
    let mut members = vec![Vec::new(); g];
    for (l, &j) in of.iter().enumerate() {
        members[j as usize].push(l as u32);
    }
    Groups { centres, members }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn exact(points: &[f32], d: usize, centroids: &[f32]) -> Vec<u32> {
        points
            .chunks(d)
            .map(|p| {
                let lists = centroids.len() / d;
                (0..lists)
                    .map(|l| (squared_distance(p, row(centroids, d, l)), l as u32))
                    .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                    .unwrap()
                    .1
            })
            .collect()
    }

    #[test]
    fn points_land_in_their_nearest_list_nearly_always_and_in_a_near_one_otherwise() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let d = 16;
        // clustered points, as the projected examples are (on uniform noise, the worst case, 75% land in
        // their nearest list)
        let clusters: Vec<f32> = (0..40 * d).map(|_| rng.random::<f32>()).collect();
        for lists in [10, 400] {
            let points: Vec<f32> = (0..20_000)
                .flat_map(|i| {
                    row(&clusters, d, i % 40)
                        .iter()
                        .map(|&c| c + 0.1 * rng.random::<f32>())
                        .collect::<Vec<_>>()
                })
                .collect();
            let centroids: Vec<f32> = points[..lists * d].to_vec();
            let got = assign(&points, d, &centroids, &|| false).unwrap();
            let want = exact(&points, d, &centroids);
            let same = got.iter().zip(&want).filter(|(a, b)| a == b).count();
            if lists < FEW_LISTS {
                assert_eq!(got, want, "few lists: every centroid compared");
            } else {
                assert!(
                    same as f64 > 0.9 * got.len() as f64,
                    "{same} of {} in their nearest list",
                    got.len()
                );
            }
            // a point elsewhere is in a list nearly as near as its nearest
            for ((p, &a), &b) in points.chunks(d).zip(&got).zip(&want) {
                let (da, db) = (
                    squared_distance(p, row(&centroids, d, a as usize)),
                    squared_distance(p, row(&centroids, d, b as usize)),
                );
                assert!(da <= db * 1.5 + 1e-6, "{da} vs nearest {db}");
            }
        }
        assert!(matches!(assign(&[0.0; 32], 16, &[0.0; 16], &|| true), Err(Error::Interrupted)));
    }
}
