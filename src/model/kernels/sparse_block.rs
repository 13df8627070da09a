//! The non-zero entries of a block of inputs, by row (for the forward product) and by column (for the
//! weight gradient). MNIST pixels are ~80% zeros, so the first layer multiplies only these.

/// Minor indices per tile: the kernels walk one tile of the dense operand at a time (64 rows of a
/// 128-column panel are 32 KiB, about what the L1 cache holds).
pub const TILE: usize = 64;

/// Compressed sparse rows (or columns): entries `start[r]..start[r + 1]` of `index`/`value` belong to
/// major index r; within it, minor indices increase. `tile_start` cuts each major's entries by tiles of
/// [`TILE`] minor indices: tile t of major r is `tile_start[r·(tiles + 1) + t]..[… + t + 1]`.
#[derive(Debug, Default, Clone)]
pub struct Compressed {
    /// Offsets, one more than the number of major indices.
    pub start: Vec<usize>,
    /// Minor index of each entry.
    pub index: Vec<u32>,
    /// Value of each entry.
    pub value: Vec<f32>,
    /// Tiles of minor indices (at least 1).
    pub tiles: usize,
    /// Per major index, where each tile's entries start (and where the last ends).
    pub tile_start: Vec<usize>,
}

impl Compressed {
    /// Number of major indices (rows of a CSR, columns of a CSC).
    pub fn majors(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// Entries of major index r in tile t.
    #[inline(always)]
    pub fn tile_range(&self, r: usize, t: usize) -> (usize, usize) {
        let at = r * (self.tiles + 1) + t;
        (self.tile_start[at], self.tile_start[at + 1])
    }

    /// True when every stored index is below `minor_len` and the offsets (tiles included) are consistent,
    /// which is what the unchecked kernels rely on.
    pub fn is_valid_for(&self, minor_len: usize) -> bool {
        let nnz = self.start.last().copied().unwrap_or(0);
        let per = self.tiles + 1;
        self.start.first().is_none_or(|&s| s == 0)
            && self.start.windows(2).all(|w| w[0] <= w[1])
            && nnz <= self.index.len()
            && nnz <= self.value.len()
            && self.index[..nnz].iter().all(|&i| (i as usize) < minor_len)
            && self.tiles >= 1
            && self.tile_start.len() == self.majors() * per
            && (0..self.majors()).all(|r| {
                let t = &self.tile_start[r * per..(r + 1) * per];
                t[0] == self.start[r] && t[per - 1] == self.start[r + 1] && t.windows(2).all(|w| w[0] <= w[1])
            })
    }

    /// Recomputes `tile_start` for tiles of [`TILE`] minor indices out of `minor_len`.
    fn cut_tiles(&mut self, minor_len: usize) {
        self.tiles = minor_len.div_ceil(TILE).max(1);
        self.tile_start.clear();
        for r in 0..self.majors() {
            let mut e = self.start[r];
            self.tile_start.push(e);
            for t in 1..self.tiles {
                while e < self.start[r + 1] && (self.index[e] as usize) < t * TILE {
                    e += 1;
                }
                self.tile_start.push(e);
            }
            self.tile_start.push(self.start[r + 1]);
        }
    }
}

/// One model's input block of B rows and D columns, by row and (when built) by column. Buffers are
/// reused from step to step.
#[derive(Debug, Default, Clone)]
pub struct SparseBlock {
    /// Rows × columns of the block.
    pub shape: (usize, usize),
    /// By row: for each example, its non-zero pixels.
    pub rows: Compressed,
    /// By column: for each pixel, the examples where it is non-zero (only for a training step).
    pub cols: Compressed,
    /// Scratch for the gradient of a training step, laid out in panels.
    pub grad_panels: Vec<f32>,
}

impl SparseBlock {
    /// Refills the block from a dense row-major (B, D) slice; `by_column` also builds the columns.
    pub fn fill(&mut self, x: &[f32], b: usize, d: usize, by_column: bool) {
        self.shape = (b, d);
        fill_rows(&mut self.rows, x, b, d);
        self.rows.cut_tiles(d);
        if by_column {
            transpose(&self.rows, d, &mut self.cols);
            self.cols.cut_tiles(b);
        } else {
            self.cols.start.clear();
            self.cols.tile_start.clear();
        }
    }
}

/// Branch-free: every entry is written, and the write position advances only past non-zeros.
fn fill_rows(out: &mut Compressed, x: &[f32], b: usize, d: usize) {
    let cap = b * d;
    if out.index.len() < cap {
        out.index.resize(cap, 0);
        out.value.resize(cap, 0.0);
    }
    out.start.clear();
    out.start.push(0);
    let mut p = 0;
    for row in x.chunks_exact(d.max(1)).take(b) {
        p += compress_row(row, &mut out.index[p..p + d], &mut out.value[p..p + d]);
        out.start.push(p);
    }
}

/// Writes the non-zeros of `row` (and their positions) to the front of `index` and `value` (each as
/// long as the row); returns how many there are.
fn compress_row(row: &[f32], index: &mut [u32], value: &mut [f32]) -> usize {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") && index.len() >= row.len() && value.len() >= row.len()
    {
        // SAFETY: the CPU has AVX-512F, and both outputs hold at least a row.
        return unsafe { compress_row_avx512(row, index, value) };
    }
    compress_row_portable(row, index, value, 0, 0)
}

/// Entries `from..` of `row`, written from position `q`; returns the final count.
#[inline(always)]
fn compress_row_portable(
    row: &[f32],
    index: &mut [u32],
    value: &mut [f32],
    from: usize,
    mut q: usize,
) -> usize {
    // Before column j at most j entries were kept, so every write lands inside the outputs.
    for (j, &v) in row.iter().enumerate().skip(from) {
        index[q] = j as u32;
        value[q] = v;
        q += usize::from(v != 0.0);
    }
    q
}

/// 16 entries at a time, compressed in registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn compress_row_avx512(row: &[f32], index: &mut [u32], value: &mut [f32]) -> usize {
    use std::arch::x86_64::*;
    let full = row.len() / 16 * 16;
    let mut q = 0usize;
    let mut cols = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    let sixteen = _mm512_set1_epi32(16);
    for j in (0..full).step_by(16) {
        let v = _mm512_loadu_ps(row.as_ptr().add(j));
        let keep = _mm512_cmp_ps_mask::<_CMP_NEQ_UQ>(v, _mm512_setzero_ps());
        // At most j entries were kept before, so the 16 slots from q stay inside the outputs. Compress
        // in registers, then store whole vectors: compressing stores to memory are slow on AMD Zen 4.
        _mm512_storeu_ps(value.as_mut_ptr().add(q), _mm512_maskz_compress_ps(keep, v));
        _mm512_storeu_si512(index.as_mut_ptr().add(q).cast(), _mm512_maskz_compress_epi32(keep, cols));
        q += keep.count_ones() as usize;
        cols = _mm512_add_epi32(cols, sixteen);
    }
    compress_row_portable(row, index, value, full, q)
}

/// The same entries grouped by the other index (a counting sort; minor indices stay increasing).
fn transpose(src: &Compressed, minor_len: usize, out: &mut Compressed) {
    let nnz = src.start.last().copied().unwrap_or(0);
    out.start.clear();
    out.start.resize(minor_len + 1, 0);
    for &j in &src.index[..nnz] {
        out.start[j as usize + 1] += 1;
    }
    for j in 0..minor_len {
        out.start[j + 1] += out.start[j];
    }
    if out.index.len() < nnz {
        out.index.resize(nnz, 0);
        out.value.resize(nnz, 0.0);
    }
    let mut next: Vec<usize> = out.start[..minor_len].to_vec();
    for r in 0..src.majors() {
        for e in src.start[r]..src.start[r + 1] {
            let j = src.index[e] as usize;
            out.index[next[j]] = r as u32;
            out.value[next[j]] = src.value[e];
            next[j] += 1;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_columns_of_a_block() {
        // 3 × 4, with an all-zero row and a full row.
        let x = [0.0, 1.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 3.0, 4.0, 5.0, 6.0];
        let mut blk = SparseBlock::default();
        blk.fill(&x, 3, 4, true);
        assert_eq!(blk.rows.start, vec![0, 2, 2, 6]);
        assert_eq!(&blk.rows.index[..6], &[1, 3, 0, 1, 2, 3]);
        assert_eq!(&blk.rows.value[..6], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(blk.cols.start, vec![0, 1, 3, 4, 6]);
        assert_eq!(&blk.cols.index[..6], &[2, 0, 2, 2, 0, 2]);
        assert_eq!(&blk.cols.value[..6], &[3.0, 1.0, 4.0, 5.0, 2.0, 6.0]);
        assert!(blk.rows.is_valid_for(4) && blk.cols.is_valid_for(3));
        assert_eq!((blk.rows.tiles, blk.rows.tile_range(2, 0)), (1, (2, 6)));
        // Refilling with a smaller, denser block reuses the buffers.
        blk.fill(&[7.0, 8.0], 1, 2, false);
        assert_eq!(blk.rows.start, vec![0, 2]);
        assert_eq!(&blk.rows.value[..2], &[7.0, 8.0]);
        assert_eq!(blk.cols.majors(), 0);
    }

    /// Tiles of 64 columns over a 150-column row with entries at 0, 63, 64, 140 and 149.
    #[test]
    fn tiles_cut_each_row() {
        let mut x = vec![0f32; 150];
        for j in [0, 63, 64, 140, 149] {
            x[j] = 1.0;
        }
        let mut blk = SparseBlock::default();
        blk.fill(&x, 1, 150, true);
        assert_eq!(blk.rows.tiles, 3);
        assert_eq!(blk.rows.tile_start, vec![0, 2, 3, 5]);
        assert!(blk.rows.is_valid_for(150) && blk.cols.is_valid_for(1));
        blk.rows.tile_start[1] = 4; // a tile that overlaps the next one
        assert!(!blk.rows.is_valid_for(150));
    }

    /// Rows longer than one vector, with NaN (kept: it is not zero) and negative zero (dropped).
    #[test]
    fn long_rows_compress_like_the_portable_code() {
        let row: Vec<f32> = (0..50)
            .map(|j| match j % 7 {
                0 => 1.5,
                3 => -0.0,
                5 => f32::NAN,
                _ => 0.0,
            })
            .collect();
        let (mut i1, mut v1) = (vec![0u32; 50], vec![0f32; 50]);
        let (mut i2, mut v2) = (vec![0u32; 50], vec![0f32; 50]);
        let n1 = compress_row(&row, &mut i1, &mut v1);
        let n2 = compress_row_portable(&row, &mut i2, &mut v2, 0, 0);
        assert_eq!(n1, n2);
        assert_eq!(n1, 8 + 7);
        assert_eq!(i1[..n1], i2[..n2]);
        assert!(v1[..n1].iter().zip(&v2[..n2]).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
