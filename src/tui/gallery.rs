//! The gallery's contents: per class, the lowest and the highest C-score examples, and its cursor.

use super::app::{App, View};
use super::command::Command;
use super::views::gallery::per_side;

/// Most thumbnails per side of a class row.
pub const PER_SIDE_MAX: usize = 8;

/// One class of the gallery.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GalleryRow {
    /// The given label.
    pub class: u32,
    /// Lowest C-scores first.
    pub lowest: Vec<u32>,
    /// Highest C-scores first.
    pub highest: Vec<u32>,
}

/// Every class row and the cursor (row, slot: lowest side first, then highest side).
#[derive(Debug, Clone, Default)]
pub struct GalleryRows {
    /// One row per class with estimated examples.
    pub rows: Vec<GalleryRow>,
    /// Selected row.
    pub row: usize,
    /// Selected thumbnail.
    pub slot: usize,
}

impl GalleryRows {
    /// Installs freshly computed rows, keeping the cursor in range.
    pub fn set_rows(&mut self, rows: Vec<GalleryRow>) {
        self.rows = rows;
        self.row = self.row.min(self.rows.len().saturating_sub(1));
    }

    /// The example under the cursor, given `k` thumbnails shown per side.
    pub fn selected(&self, k: usize) -> Option<u32> {
        let row = self.rows.get(self.row)?;
        let k = k.max(1);
        if self.slot < k {
            row.lowest.get(self.slot).copied()
        } else {
            row.highest.get(self.slot - k).copied()
        }
    }
}

/// One row per class with estimated examples: its [`PER_SIDE_MAX`] lowest and highest C-scores, examples of
/// one C-score by `tie_rank` (the fused estimate's rank from the irregular end, 0 where missing: last),
/// then by index.
pub fn gallery_rows(
    labels: &[u32],
    cscore: &[f32],
    tie_rank: Option<&[u32]>,
    classes: usize,
) -> Vec<GalleryRow> {
    let tie =
        |i: u32| tie_rank.and_then(|r| r.get(i as usize).copied()).filter(|&r| r > 0).unwrap_or(u32::MAX);
    let mut per_class: Vec<Vec<u32>> = vec![Vec::new(); classes];
    for (i, (&l, &c)) in labels.iter().zip(cscore).enumerate() {
        if !c.is_nan() {
            if let Some(v) = per_class.get_mut(l as usize) {
                v.push(i as u32);
            }
        }
    }
    use rayon::prelude::*;
    per_class
        .into_par_iter()
        .enumerate()
        .filter(|(_, v)| !v.is_empty())
        .map(|(class, mut v)| {
            // indices are distinct, so the unstable sort gives the one order
            v.sort_unstable_by(|&a, &b| {
                cscore[a as usize].total_cmp(&cscore[b as usize]).then(tie(a).cmp(&tie(b))).then(a.cmp(&b))
            });
            let k = PER_SIDE_MAX.min(v.len() / 2).max(1);
            let lowest = v[..k.min(v.len())].to_vec();
            let highest = v.iter().rev().take(k).copied().collect();
            GalleryRow { class: class as u32, lowest, highest }
        })
        .collect()
}

impl App {
    /// Thumbnails per side at the current size (the view draws exactly this many).
    pub fn gallery_per_side(&self) -> usize {
        let ds = &self.data.dataset;
        per_side(self.size, ds.width, ds.height, self.gallery.rows.len())
    }

    /// Gallery navigation; `false` when the command is not a gallery one.
    pub(super) fn gallery_command(&mut self, c: Command) -> bool {
        let rows = self.gallery.rows.len();
        let k = self.gallery_per_side();
        let g = &mut self.gallery;
        match c {
            Command::Down => g.row = (g.row + 1).min(rows.saturating_sub(1)),
            Command::Up => g.row = g.row.saturating_sub(1),
            Command::Top => g.row = 0,
            Command::Bottom => g.row = rows.saturating_sub(1),
            Command::Left => g.slot = g.slot.saturating_sub(1),
            Command::Right => g.slot = (g.slot + 1).min((2 * k).saturating_sub(1)),
            Command::Open => {
                let Some(example) = g.selected(k) else { return true };
                if !self.list.jump_to(example as usize) {
                    self.list.filter = Default::default();
                    self.reorder();
                    self.list.jump_to(example as usize);
                    self.info("filters cleared to show the example");
                }
                self.view = View::List;
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::gallery_rows;

    #[test]
    fn examples_of_one_cscore_come_by_the_tie_rank_then_by_index() {
        // one class, eight examples: 0–5 tie at 0; rank (fused, from the irregular end) 0 = missing
        let labels = [0u32; 8];
        let cscore = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.0];
        let rank = [0, 4, 1, 3, 2, 5, 6, 7];
        let rows = gallery_rows(&labels, &cscore, Some(&rank), 1);
        assert_eq!(rows[0].lowest, [2, 4, 3, 1]);
        assert_eq!(rows[0].highest[..2], [7, 6]);
        assert_eq!(gallery_rows(&labels, &cscore, None, 1)[0].lowest, [0, 1, 2, 3]);
    }
}
