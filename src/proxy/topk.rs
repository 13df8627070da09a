//! The k smallest (distance, index) pairs seen so far, kept sorted in a small inline buffer.

/// The k nearest candidates of one example (k is small, e.g. 10: insertion beats a binary heap).
#[derive(Debug, Clone)]
pub struct TopK {
    k: usize,
    dist: Vec<f32>,
    idx: Vec<u32>,
}

impl TopK {
    /// Empty, keeping at most `k`.
    pub fn new(k: usize) -> Self {
        TopK { k, dist: Vec::with_capacity(k + 1), idx: Vec::with_capacity(k + 1) }
    }

    /// The distance a candidate must beat to enter (−∞ when k = 0, +∞ until k are kept).
    #[inline]
    pub fn worst(&self) -> f32 {
        if self.k == 0 {
            f32::NEG_INFINITY
        } else if self.dist.len() < self.k {
            f32::INFINITY
        } else {
            self.dist[self.k - 1]
        }
    }

    /// Offers a candidate; kept if it beats the current k-th (earlier candidates win ties).
    #[inline]
    pub fn push(&mut self, d: f32, i: u32) {
        if d.is_nan() || d >= self.worst() {
            return;
        }
        let pos = self.dist.partition_point(|&x| x <= d);
        self.dist.insert(pos, d);
        self.idx.insert(pos, i);
        if self.dist.len() > self.k {
            self.dist.pop();
            self.idx.pop();
        }
    }

    /// (distances, indices), nearest first.
    pub fn into_sorted(self) -> (Vec<f32>, Vec<u32>) {
        (self.dist, self.idx)
    }
}

#[cfg(test)]
mod tests {
    use super::TopK;

    #[test]
    fn keeps_the_k_smallest_in_order() {
        let mut t = TopK::new(3);
        for (d, i) in [(5.0, 0), (1.0, 1), (4.0, 2), (1.0, 3), (9.0, 4), (0.5, 5)] {
            t.push(d, i);
        }
        assert_eq!(t.into_sorted(), (vec![0.5, 1.0, 1.0], vec![5, 1, 3]));
        let mut none = TopK::new(0);
        none.push(0.0, 0);
        assert!(none.into_sorted().0.is_empty());
    }
}
