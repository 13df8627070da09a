//! A bounds-checked front door to the `gemm` crate for the CNN's dense products: matrices are row-major
//! slices, read as themselves or as their transposes (free: only the strides change).

/// A row-major `rows × cols` matrix in a slice, possibly read transposed.
#[derive(Clone, Copy)]
pub struct View<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: isize,
    col_stride: isize,
}

impl<'a> View<'a> {
    /// The first `rows × cols` values of `data` as a row-major matrix.
    pub fn new(data: &'a [f32], rows: usize, cols: usize) -> Self {
        View { data, rows, cols, row_stride: cols as isize, col_stride: 1 }
    }

    /// The same values read as the transposed matrix.
    pub fn t(self) -> Self {
        View {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }

    /// Whether every element the strides reach lies inside the slice.
    fn fits(&self) -> bool {
        if self.rows == 0 || self.cols == 0 {
            return true;
        }
        let last = (self.rows - 1) as isize * self.row_stride + (self.cols - 1) as isize * self.col_stride;
        self.row_stride >= 0 && self.col_stride >= 0 && (last as usize) < self.data.len()
    }
}

/// dst (m × n, row-major) ← a·b when `accumulate` is false, dst + a·b when it is true.
///
/// Panics when the shapes do not chain or a view reaches outside its slice: callers size every buffer
/// from the same geometry, so a mismatch is a bug, never bad input.
pub fn matmul(dst: &mut [f32], a: View<'_>, b: View<'_>, accumulate: bool) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert!(b.rows == k && a.fits() && b.fits() && dst.len() >= m * n, "matmul: shapes do not chain");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst[..m * n].fill(0.0);
        }
        return;
    }
    let threads = candle_core::utils::get_num_threads();
    let parallelism = if threads > 1 { gemm::Parallelism::Rayon(threads) } else { gemm::Parallelism::None };
    // SAFETY: dst holds at least m·n values (row stride n, column stride 1) and the asserts above
    // checked that every element a and b address lies inside their slices; none of them alias dst,
    // which is borrowed mutably.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.data.as_ptr(),
            a.col_stride,
            a.row_stride,
            b.data.as_ptr(),
            b.col_stride,
            b.row_stride,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut out = vec![0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                out[i * n + j] = (0..k).map(|l| a[i * k + l] * b[l * n + j]).sum();
            }
        }
        out
    }

    fn transpose(x: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        (0..cols).flat_map(|c| (0..rows).map(move |r| x[r * cols + c])).collect()
    }

    #[test]
    fn products_and_transposes_match_a_naive_product() {
        let (m, k, n) = (7, 13, 5);
        let a: Vec<f32> = (0..m * k).map(|i| ((i * 31) % 17) as f32 / 7.0 - 1.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| ((i * 13) % 11) as f32 / 5.0 - 1.0).collect();
        let want = naive(&a, &b, m, k, n);
        let mut got = vec![9f32; m * n];
        matmul(&mut got, View::new(&a, m, k), View::new(&b, k, n), false);
        let at = transpose(&a, m, k);
        let bt = transpose(&b, k, n);
        let mut got_t = vec![0f32; m * n];
        matmul(&mut got_t, View::new(&at, k, m).t(), View::new(&bt, n, k).t(), false);
        let mut acc = vec![1f32; m * n];
        matmul(&mut acc, View::new(&a, m, k), View::new(&b, k, n), true);
        for i in 0..m * n {
            assert!((got[i] - want[i]).abs() < 1e-5);
            assert!((got_t[i] - want[i]).abs() < 1e-5);
            assert!((acc[i] - want[i] - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    #[should_panic(expected = "shapes do not chain")]
    fn mismatched_shapes_are_refused() {
        let a = vec![0f32; 6];
        let mut d = vec![0f32; 4];
        matmul(&mut d, View::new(&a, 2, 3), View::new(&a, 2, 3), false);
    }
}
