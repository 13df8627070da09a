//! The ranked list's own state: the examples it shows in order, the cursor, the range selection, sort,
//! filter, whether the selection follows the top row, and the last search. Its methods keep the
//! invariants: the cursor is always a position in the order (0 when the order is empty), and a range
//! selection's anchor is always a position in the order.

use super::filter::Filter;
use super::order::SortSpec;

/// The list's state (owned by `App`; the order itself is computed from the app's data).
#[derive(Debug, Clone)]
pub struct ListState {
    order: Vec<u32>,
    cursor: usize,
    visual: Option<usize>,
    follow_top: bool,
    /// Sort column and direction (the order follows once the app reorders).
    pub sort: SortSpec,
    /// Active filters (the order follows once the app reorders).
    pub filter: Filter,
    /// The last search.
    pub last_search: String,
}

impl Default for ListState {
    fn default() -> Self {
        ListState {
            order: Vec::new(),
            cursor: 0,
            visual: None,
            follow_top: true,
            sort: SortSpec::default(),
            filter: Filter::default(),
            last_search: String::new(),
        }
    }
}

impl ListState {
    /// Example indices shown, in order.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// Number of rows shown.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when no row is shown.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Position of the selected row in the order (0 when the list is empty).
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Anchor of the range selection (a position in the order), if one is open.
    pub fn visual(&self) -> Option<usize> {
        self.visual
    }

    /// The selected range as first and last position, if a range selection is open.
    pub fn visual_range(&self) -> Option<(usize, usize)> {
        self.visual.map(|a| (a.min(self.cursor), a.max(self.cursor)))
    }

    /// The selected example, if the list is not empty.
    pub fn selected(&self) -> Option<usize> {
        self.order.get(self.cursor).map(|&i| i as usize)
    }

    /// Every shown example, in order.
    pub fn shown(&self) -> Vec<usize> {
        self.order.iter().map(|&i| i as usize).collect()
    }

    /// The rows a tag applies to: the range selection, else the selected row.
    pub fn targets(&self) -> Vec<usize> {
        match self.visual_range() {
            Some((a, b)) => {
                self.order.get(a..=b).map_or_else(Vec::new, |s| s.iter().map(|&i| i as usize).collect())
            }
            None => self.selected().into_iter().collect(),
        }
    }

    /// Whether the selection stays on the top row while the ranking sharpens (until the user moves).
    pub fn follows_top(&self) -> bool {
        self.follow_top
    }

    /// The user moved or changed something: the selection stops following the top row.
    pub fn stop_following(&mut self) {
        self.follow_top = false;
    }

    /// Shows `order`, keeping the selected example selected when it is still shown (unless the selection
    /// follows the top row); otherwise the cursor keeps its position, clamped. A range selection whose
    /// anchor is no longer a position of the order is dropped.
    pub fn set_order(&mut self, order: Vec<u32>) {
        let keep = if self.follow_top { None } else { self.selected() };
        self.order = order;
        self.cursor = match keep.and_then(|k| self.position_of(k)) {
            Some(pos) => pos,
            None => self.cursor.min(self.last()),
        };
        if self.visual.is_some_and(|v| v >= self.order.len()) {
            self.visual = None;
        }
    }

    /// Moves the cursor by `delta` rows, stopping at either end.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.last() as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, last) as usize;
    }

    /// Puts the cursor at position `pos` (clamped to the order).
    pub fn set_cursor(&mut self, pos: usize) {
        self.cursor = pos.min(self.last());
    }

    /// Moves the cursor to example `index` if the list shows it.
    pub fn jump_to(&mut self, index: usize) -> bool {
        match self.position_of(index) {
            Some(pos) => {
                self.cursor = pos;
                true
            }
            None => false,
        }
    }

    /// Opens a range selection at the cursor (none on an empty list), or closes the open one.
    pub fn toggle_visual(&mut self) {
        self.visual = match self.visual {
            Some(_) => None,
            None => (!self.order.is_empty()).then_some(self.cursor),
        };
    }

    /// Closes the range selection.
    pub fn clear_visual(&mut self) {
        self.visual = None;
    }

    fn position_of(&self, index: usize) -> Option<usize> {
        self.order.iter().position(|&i| i as usize == index)
    }

    fn last(&self) -> usize {
        self.order.len().saturating_sub(1)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn list(order: &[u32]) -> ListState {
        let mut l = ListState::default();
        l.set_order(order.to_vec());
        l
    }

    #[test]
    fn the_cursor_stays_within_the_order() {
        let mut l = list(&[5, 3, 9, 1]);
        l.move_by(10);
        assert_eq!((l.cursor(), l.selected()), (3, Some(1)));
        l.move_by(-10);
        assert_eq!(l.cursor(), 0);
        l.set_cursor(99);
        assert_eq!(l.cursor(), 3);
        l.set_order(vec![7, 8]);
        assert_eq!((l.cursor(), l.selected()), (1, Some(8)), "clamped when the order shrinks");
        l.set_order(Vec::new());
        assert_eq!((l.cursor(), l.selected()), (0, None));
        l.move_by(1);
        l.set_cursor(3);
        assert_eq!(l.cursor(), 0, "an empty list keeps the cursor at 0");
        assert!(l.targets().is_empty());
    }

    #[test]
    fn the_selected_example_survives_a_reorder_once_the_user_moved() {
        let mut l = list(&[5, 3, 9, 1]);
        l.move_by(2);
        l.set_order(vec![9, 1, 5, 3]);
        assert_eq!(l.selected(), Some(5), "following the top row: the position is kept");
        l.stop_following();
        l.set_order(vec![1, 3, 5, 9]);
        assert_eq!(l.selected(), Some(5), "after a move: the example is kept");
        l.set_order(vec![1, 3]);
        assert_eq!(l.selected(), Some(3), "filtered out: the position is kept, clamped");
        assert!(l.jump_to(1));
        assert_eq!(l.cursor(), 0);
        assert!(!l.jump_to(5));
    }

    #[test]
    fn the_range_selection_stays_valid_after_a_reorder_or_filter() {
        let mut l = list(&[0, 1, 2, 3, 4, 5]);
        l.stop_following();
        l.move_by(1);
        l.toggle_visual();
        l.move_by(2);
        assert_eq!(l.visual_range(), Some((1, 3)));
        assert_eq!(l.targets(), [1, 2, 3]);
        l.set_order(vec![3, 2, 1, 0]);
        assert_eq!(l.visual(), Some(1));
        assert!(l.visual_range().is_some_and(|(a, b)| a <= b && b < l.len()));
        l.set_order(vec![9]);
        assert_eq!(l.visual(), None, "an anchor past the end is dropped");
        assert_eq!(l.targets(), [9]);
        l.set_order(Vec::new());
        l.toggle_visual();
        assert_eq!(l.visual(), None, "no range on an empty list");
        l.set_order(vec![4, 5]);
        l.toggle_visual();
        assert!(l.visual().is_some());
        l.clear_visual();
        assert_eq!(l.visual(), None);
    }
}
