//! Square convolutions with stride 1 as matrix products over image patches (im2col), images in NHWC.
//!
//! A patch row holds, for one output pixel, the kernel window of every input channel in (ky, kx, c)
//! order, so that within one window row the kx·c values are contiguous in the NHWC input and copy as
//! one slice. Weights are (k·k·c_in) × c_out, row-major, in the same (ky, kx, c) order.

/// The shape of one convolution: input size, channels, kernel size and zero padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvGeometry {
    /// Input height.
    pub h: usize,
    /// Input width.
    pub w: usize,
    /// Input channels.
    pub c_in: usize,
    /// Output channels.
    pub c_out: usize,
    /// Kernel size (k × k).
    pub k: usize,
    /// Zero padding on every side.
    pub pad: usize,
}

impl ConvGeometry {
    /// Output height (stride 1).
    pub fn out_h(&self) -> usize {
        (self.h + 2 * self.pad + 1).saturating_sub(self.k)
    }

    /// Output width (stride 1).
    pub fn out_w(&self) -> usize {
        (self.w + 2 * self.pad + 1).saturating_sub(self.k)
    }

    /// Values in one patch row: k·k·c_in.
    pub fn patch_len(&self) -> usize {
        self.k * self.k * self.c_in
    }

    /// Values in one input image: h·w·c_in.
    pub fn in_len(&self) -> usize {
        self.h * self.w * self.c_in
    }

    /// Output pixels of one image.
    pub fn out_pixels(&self) -> usize {
        self.out_h() * self.out_w()
    }
}

/// Writes the patch rows of `images` NHWC images (`input`, images × in_len) into `cols`
/// ((images · out_pixels) × patch_len), zeros where the window leaves the image.
pub fn im2col(g: &ConvGeometry, input: &[f32], images: usize, cols: &mut [f32]) {
    assert!(
        input.len() >= images * g.in_len() && cols.len() >= images * g.out_pixels() * g.patch_len(),
        "im2col: buffers"
    );
    // A window row of the usual shapes is a copy of a constant length, which the compiler unrolls
    // into vector moves instead of calling memmove for a few dozen bytes.
    match g.k * g.c_in {
        5 => im2col_rows::<5>(g, input, images, cols),
        15 => im2col_rows::<15>(g, input, images, cols),
        80 => im2col_rows::<80>(g, input, images, cols),
        _ => im2col_rows::<0>(g, input, images, cols),
    }
}

/// [`im2col`] for window rows of `ROW` = k·c_in values (0: any length).
fn im2col_rows<const ROW: usize>(g: &ConvGeometry, input: &[f32], images: usize, cols: &mut [f32]) {
    let (oh, ow, pl, c) = (g.out_h(), g.out_w(), g.patch_len(), g.c_in);
    let row_len = g.k * c;
    let mut rows = cols.chunks_exact_mut(pl);
    for img in input.chunks_exact(g.in_len()).take(images) {
        for oy in 0..oh {
            for ox in 0..ow {
                let Some(row) = rows.next() else { return };
                let x0 = ox as isize - g.pad as isize;
                let lo = (-x0).clamp(0, g.k as isize) as usize;
                let hi = (g.w as isize - x0).clamp(0, g.k as isize) as usize;
                for (ky, dst) in row.chunks_exact_mut(row_len).enumerate() {
                    let iy = (oy + ky) as isize - g.pad as isize;
                    if iy < 0 || iy >= g.h as isize {
                        dst.fill(0.0);
                    } else if ROW != 0 && lo == 0 && hi == g.k {
                        let start = (iy as usize * g.w) as isize + x0;
                        let start = start as usize * c;
                        dst[..ROW].copy_from_slice(&img[start..start + ROW]);
                    } else {
                        // Window columns ox−pad … ox−pad+k−1, clipped to the image; zeros outside.
                        dst[..lo * c].fill(0.0);
                        if hi > lo {
                            let start = (iy as usize * g.w + (x0 + lo as isize) as usize) * c;
                            dst[lo * c..hi * c].copy_from_slice(&img[start..start + (hi - lo) * c]);
                        }
                        dst[hi.max(lo) * c..].fill(0.0);
                    }
                }
            }
        }
    }
}

/// The adjoint of [`im2col`]: adds every patch row's values back onto the input positions they were
/// read from. `grad_input` (images × in_len) is overwritten.
pub fn col2im(g: &ConvGeometry, cols: &[f32], images: usize, grad_input: &mut [f32]) {
    let (oh, ow, pl, c) = (g.out_h(), g.out_w(), g.patch_len(), g.c_in);
    assert!(
        grad_input.len() >= images * g.in_len() && cols.len() >= images * oh * ow * pl,
        "col2im: buffers"
    );
    grad_input[..images * g.in_len()].fill(0.0);
    let mut rows = cols.chunks_exact(pl);
    for img in grad_input.chunks_exact_mut(g.in_len()).take(images) {
        for oy in 0..oh {
            for ox in 0..ow {
                let Some(row) = rows.next() else { return };
                for (ky, src) in row.chunks_exact(g.k * c).enumerate() {
                    let iy = (oy + ky) as isize - g.pad as isize;
                    if iy < 0 || iy >= g.h as isize {
                        continue;
                    }
                    let x0 = ox as isize - g.pad as isize;
                    let lo = (-x0).clamp(0, g.k as isize) as usize;
                    let hi = (g.w as isize - x0).clamp(0, g.k as isize) as usize;
                    if hi > lo {
                        let start = (iy as usize * g.w + (x0 + lo as isize) as usize) * c;
                        for (d, s) in img[start..start + (hi - lo) * c].iter_mut().zip(&src[lo * c..hi * c]) {
                            *d += s;
                        }
                    }
                }
            }
        }
    }
}

/// NCHW (channel planes, as the datasets store images) to NHWC, for `images` images of c × h × w.
pub fn nchw_to_nhwc(input: &[f32], images: usize, c: usize, hw: usize, out: &mut [f32]) {
    for (src, dst) in input.chunks_exact(c * hw).zip(out.chunks_exact_mut(c * hw)).take(images) {
        for (ch, plane) in src.chunks_exact(hw).enumerate() {
            for (p, &v) in plane.iter().enumerate() {
                dst[p * c + ch] = v;
            }
        }
    }
}

/// Bias, ReLU, then 2 × 2 max-pooling (stride 2, a last odd row or column dropped) of `images` NHWC
/// maps h × w × c, into `pooled` (h/2 × w/2 × c each) and, per pooled value, which of the four inputs
/// won (`winner`, 0‥3 in row-major order). A channel's bias is the same for the four inputs and ReLU
/// before max equals ReLU after it, so both apply once per pooled value; the pooled value is 0 exactly
/// when no input was positive, and then no gradient flows back.
#[allow(clippy::too_many_arguments)]
pub fn relu_max_pool(
    z: &[f32],
    bias: &[f32],
    images: usize,
    h: usize,
    w: usize,
    c: usize,
    pooled: &mut [f32],
    winner: &mut [u8],
) {
    let (ph, pw) = (h / 2, w / 2);
    let out_len = ph * pw * c;
    assert!(
        z.len() >= images * h * w * c
            && bias.len() == c
            && pooled.len() >= images * out_len
            && winner.len() >= images * out_len,
        "relu_max_pool: buffers"
    );
    for i in 0..images {
        let zi = &z[i * h * w * c..(i + 1) * h * w * c];
        let po = &mut pooled[i * out_len..(i + 1) * out_len];
        let wi = &mut winner[i * out_len..(i + 1) * out_len];
        for py in 0..ph {
            let r0 = &zi[(2 * py * w) * c..(2 * py * w + w) * c];
            let r1 = &zi[((2 * py + 1) * w) * c..((2 * py + 1) * w + w) * c];
            for px in 0..pw {
                let o = (py * pw + px) * c;
                let (a0, a1) = r0[2 * px * c..(2 * px + 2) * c].split_at(c);
                let (b0, b1) = r1[2 * px * c..(2 * px + 2) * c].split_at(c);
                let (po, wi) = (&mut po[o..o + c], &mut wi[o..o + c]);
                // Selects, not branches, across the channels: the compiler vectorises this loop.
                for ch in 0..c {
                    let (mut best, mut at) = (a0[ch], 0u8);
                    at = if a1[ch] > best { 1 } else { at };
                    best = best.max(a1[ch]);
                    at = if b0[ch] > best { 2 } else { at };
                    best = best.max(b0[ch]);
                    at = if b1[ch] > best { 3 } else { at };
                    best = best.max(b1[ch]);
                    po[ch] = (best + bias[ch]).max(0.0);
                    wi[ch] = at;
                }
            }
        }
    }
}

/// The gradient of [`relu_max_pool`]: each pooled gradient goes to the input that won, when the
/// pooled value is positive; `grad_z` (images × h × w × c) is overwritten.
#[allow(clippy::too_many_arguments)]
pub fn relu_max_unpool(
    grad_pooled: &[f32],
    pooled: &[f32],
    winner: &[u8],
    images: usize,
    h: usize,
    w: usize,
    c: usize,
    grad_z: &mut [f32],
) {
    let (ph, pw) = (h / 2, w / 2);
    let out_len = ph * pw * c;
    assert!(grad_z.len() >= images * h * w * c && grad_pooled.len() >= images * out_len);
    grad_z[..images * h * w * c].fill(0.0);
    for i in 0..images {
        let gz = &mut grad_z[i * h * w * c..(i + 1) * h * w * c];
        let base = i * out_len;
        for py in 0..ph {
            for px in 0..pw {
                let o = (py * pw + px) * c;
                for ch in 0..c {
                    let at = base + o + ch;
                    if pooled[at] > 0.0 {
                        let j = winner[at] as usize;
                        let (y, x) = (2 * py + j / 2, 2 * px + j % 2);
                        gz[(y * w + x) * c + ch] = grad_pooled[at];
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::matmul::{matmul, View};
    use super::*;
    use candle_core::{Device, Tensor, Var};

    /// Values in (−1, 1) without ties (a tie in a pooling window would make the max's gradient ambiguous).
    fn random(n: usize, seed: usize) -> Vec<f32> {
        const P: usize = 1_000_003;
        (0..n).map(|i| ((i * 7_919 + seed * 104_729) * 65_537 % P) as f32 / P as f32 * 2.0 - 1.0).collect()
    }

    /// NHWC (images, h, w, c) → NCHW.
    fn to_nchw(x: &[f32], images: usize, h: usize, w: usize, c: usize) -> Vec<f32> {
        let mut out = vec![0f32; x.len()];
        for i in 0..images {
            for p in 0..h * w {
                for ch in 0..c {
                    out[(i * c + ch) * h * w + p] = x[(i * h * w + p) * c + ch];
                }
            }
        }
        out
    }

    fn close(a: &[f32], b: &[f32], what: &str) {
        assert_eq!(a.len(), b.len(), "{what}: lengths");
        let worst = a.iter().zip(b).map(|(p, q)| (p - q).abs() / q.abs().max(1.0)).fold(0.0, f32::max);
        assert!(worst < 1e-4, "{what}: differs by up to {worst}");
    }

    /// Convolution forward, weight gradient and input gradient through patches, against Candle's conv2d
    /// and its autograd, on odd sizes with and without padding.
    #[test]
    fn patch_convolution_matches_candle_forward_and_gradients() {
        for (images, h, w, c_in, c_out, k, pad) in
            [(2, 7, 9, 3, 4, 5, 2), (3, 11, 6, 2, 5, 5, 0), (1, 5, 5, 1, 3, 3, 1), (2, 6, 8, 4, 2, 3, 2)]
        {
            let g = ConvGeometry { h, w, c_in, c_out, k, pad };
            let (oh, ow) = (g.out_h(), g.out_w());
            let x = random(images * g.in_len(), 1);
            let wt = random(g.patch_len() * c_out, 2); // rows (ky, kx, c) × c_out
            let r = random(images * oh * ow * c_out, 3); // upstream gradient, NHWC
            let mut cols = vec![0f32; images * oh * ow * g.patch_len()];
            im2col(&g, &x, images, &mut cols);
            let rows = images * oh * ow;
            let mut y = vec![0f32; rows * c_out];
            matmul(
                &mut y,
                View::new(&cols, rows, g.patch_len()),
                View::new(&wt, g.patch_len(), c_out),
                false,
            );
            let mut dw = vec![0f32; wt.len()];
            matmul(&mut dw, View::new(&cols, rows, g.patch_len()).t(), View::new(&r, rows, c_out), false);
            let mut dcols = vec![0f32; cols.len()];
            matmul(&mut dcols, View::new(&r, rows, c_out), View::new(&wt, g.patch_len(), c_out).t(), false);
            let mut dx = vec![7f32; x.len()];
            col2im(&g, &dcols, images, &mut dx);

            let dev = Device::Cpu;
            let xv = Var::from_tensor(
                &Tensor::from_vec(to_nchw(&x, images, h, w, c_in), (images, c_in, h, w), &dev).unwrap(),
            )
            .unwrap();
            // Candle's kernel is (c_out, c_in, k, k).
            let mut kw = vec![0f32; wt.len()];
            for o in 0..c_out {
                for ci in 0..c_in {
                    for ky in 0..k {
                        for kx in 0..k {
                            kw[((o * c_in + ci) * k + ky) * k + kx] =
                                wt[((ky * k + kx) * c_in + ci) * c_out + o];
                        }
                    }
                }
            }
            let wv = Var::from_tensor(&Tensor::from_vec(kw, (c_out, c_in, k, k), &dev).unwrap()).unwrap();
            let yc = xv.as_tensor().conv2d(wv.as_tensor(), pad, 1, 1, 1).unwrap();
            let rt =
                Tensor::from_vec(to_nchw(&r, images, oh, ow, c_out), (images, c_out, oh, ow), &dev).unwrap();
            let grads = (&yc * &rt).unwrap().sum_all().unwrap().backward().unwrap();
            let yc: Vec<f32> = yc.flatten_all().unwrap().to_vec1().unwrap();
            close(&to_nchw(&y, images, oh, ow, c_out), &yc, "forward");
            let gx: Vec<f32> = grads.get(xv.as_tensor()).unwrap().flatten_all().unwrap().to_vec1().unwrap();
            close(&to_nchw(&dx, images, h, w, c_in), &gx, "input gradient");
            let gw: Vec<f32> = grads.get(wv.as_tensor()).unwrap().flatten_all().unwrap().to_vec1().unwrap();
            for o in 0..c_out {
                for ci in 0..c_in {
                    for ky in 0..k {
                        for kx in 0..k {
                            let mine = dw[((ky * k + kx) * c_in + ci) * c_out + o];
                            let theirs = gw[((o * c_in + ci) * k + ky) * k + kx];
                            assert!(
                                (mine - theirs).abs() < 1e-3 * theirs.abs().max(1.0),
                                "weight gradient {mine} vs {theirs}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// ReLU + 2×2 max-pooling and its gradient against Candle's relu() and max reductions, odd sizes
    /// included; the forward pass also against Candle's max_pool2d (whose gradient is a quarter of the
    /// true one for a unique maximum, see `cnn::max_pool2`).
    #[test]
    fn relu_max_pool_matches_candle() {
        for (images, h, w, c) in [(2, 6, 8, 3), (1, 7, 5, 2), (3, 9, 9, 1)] {
            let z = random(images * h * w * c, 4);
            let (ph, pw) = (h / 2, w / 2);
            let mut pooled = vec![0f32; images * ph * pw * c];
            let mut winner = vec![0u8; pooled.len()];
            let bias = random(c, 6);
            relu_max_pool(&z, &bias, images, h, w, c, &mut pooled, &mut winner);
            let r = random(pooled.len(), 5);
            let mut dz = vec![3f32; z.len()];
            relu_max_unpool(&r, &pooled, &winner, images, h, w, c, &mut dz);

            let dev = Device::Cpu;
            let zv = Var::from_tensor(
                &Tensor::from_vec(to_nchw(&z, images, h, w, c), (images, c, h, w), &dev).unwrap(),
            )
            .unwrap();
            let bt = Tensor::from_vec(bias, (1, c, 1, 1), &dev).unwrap();
            let relu = zv.as_tensor().broadcast_add(&bt).unwrap().relu().unwrap();
            let p = super::super::super::cnn::max_pool2(&relu).unwrap();
            let builtin: Vec<f32> = relu.max_pool2d(2).unwrap().flatten_all().unwrap().to_vec1().unwrap();
            close(&to_nchw(&pooled, images, ph, pw, c), &builtin, "pooled (max_pool2d)");
            let rt = Tensor::from_vec(to_nchw(&r, images, ph, pw, c), (images, c, ph, pw), &dev).unwrap();
            let grads = (&p * &rt).unwrap().sum_all().unwrap().backward().unwrap();
            let pc: Vec<f32> = p.flatten_all().unwrap().to_vec1().unwrap();
            close(&to_nchw(&pooled, images, ph, pw, c), &pc, "pooled");
            let gz: Vec<f32> = grads.get(zv.as_tensor()).unwrap().flatten_all().unwrap().to_vec1().unwrap();
            close(&to_nchw(&dz, images, h, w, c), &gz, "pool gradient");
        }
    }

    #[test]
    fn channel_planes_become_pixels() {
        let x = [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0, 40.0]; // 2 channels of 2 × 2
        let mut out = [0f32; 8];
        nchw_to_nhwc(&x, 1, 2, 4, &mut out);
        assert_eq!(out, [1.0, 10.0, 2.0, 20.0, 3.0, 30.0, 4.0, 40.0]);
    }
}
