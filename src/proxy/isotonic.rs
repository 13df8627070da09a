//! Weighted isotonic (non-decreasing) regression by pool-adjacent-violators, used to calibrate a proxy
//! into an expected C-score.

/// A fitted non-decreasing step function on the distinct training inputs, interpolated linearly between
/// them and held constant beyond them.
#[derive(Debug, Clone, PartialEq)]
pub struct Isotonic {
    xs: Vec<f64>,
    ys: Vec<f64>,
}

impl Isotonic {
    /// Fits y ≈ f(x), f non-decreasing, minimising Σ w (y − f(x))²; points with a non-finite value or a
    /// non-positive weight are left out. `None` when nothing is left.
    pub fn fit(x: &[f64], y: &[f64], w: &[f64]) -> Option<Isotonic> {
        let mut pts: Vec<(f64, f64, f64)> = x
            .iter()
            .zip(y)
            .zip(w)
            .filter(|((a, b), c)| a.is_finite() && b.is_finite() && c.is_finite() && **c > 0.0)
            .map(|((&a, &b), &c)| (a, b, c))
            .collect();
        if pts.is_empty() {
            return None;
        }
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Pool equal inputs first: one knot per distinct x, carrying (Σwy, Σw).
        let mut knots: Vec<(f64, f64, f64)> = Vec::new();
        for (a, b, c) in pts {
            match knots.last_mut() {
                Some(last) if last.0 == a => {
                    last.1 += b * c;
                    last.2 += c;
                }
                _ => knots.push((a, b * c, c)),
            }
        }
        // Blocks of consecutive knots: (Σwy, Σw, knots in block); merge while the means decrease.
        let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(knots.len());
        for &(_, wy, w) in &knots {
            blocks.push((wy, w, 1));
            while blocks.len() > 1 {
                let (b2, b1) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
                if b1.0 / b1.1 <= b2.0 / b2.1 {
                    break;
                }
                blocks.pop();
                if let Some(last) = blocks.last_mut() {
                    *last = (b1.0 + b2.0, b1.1 + b2.1, b1.2 + b2.2);
                }
            }
        }
        let xs: Vec<f64> = knots.iter().map(|k| k.0).collect();
        let ys: Vec<f64> = blocks.iter().flat_map(|&(wy, w, len)| std::iter::repeat_n(wy / w, len)).collect();
        Some(Isotonic { xs, ys })
    }

    /// The fitted value at `x` (NaN for NaN).
    pub fn predict(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let i = self.xs.partition_point(|&k| k < x);
        if i == 0 {
            return self.ys[0];
        }
        if i == self.xs.len() {
            return self.ys[i - 1];
        }
        if self.xs[i] == x {
            return self.ys[i];
        }
        let (x0, x1, y0, y1) = (self.xs[i - 1], self.xs[i], self.ys[i - 1], self.ys[i]);
        y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Isotonic;

    #[test]
    fn pools_adjacent_violators() {
        // y = 1, 3, 2, 4 with unit weights: 3 and 2 pool to 2.5.
        let f = Isotonic::fit(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0], &[1.0; 4]).unwrap();
        assert_eq!(f.ys, vec![1.0, 2.5, 2.5, 4.0]);
        assert_eq!(f.predict(0.0), 1.0);
        assert_eq!(f.predict(1.5), 1.75);
        assert_eq!(f.predict(9.0), 4.0);
        // weights: 3 with weight 3 against 2 with weight 1 → 2.75
        let f = Isotonic::fit(&[1.0, 2.0], &[3.0, 2.0], &[3.0, 1.0]).unwrap();
        assert_eq!(f.ys, vec![2.75, 2.75]);
    }

    #[test]
    fn ties_in_x_are_one_knot_and_bad_points_are_skipped() {
        let f =
            Isotonic::fit(&[1.0, 1.0, 2.0, f64::NAN], &[0.0, 1.0, 1.0, 5.0], &[1.0, 1.0, 1.0, 1.0]).unwrap();
        assert_eq!(f.xs, vec![1.0, 2.0]);
        assert_eq!(f.ys, vec![0.5, 1.0]);
        assert!(Isotonic::fit(&[1.0], &[1.0], &[0.0]).is_none());
    }
}
