//! The training kernels on real MNIST batches (`sample_data/mnist-10k`), each beside its baseline in the
//! same run: the fused CPU kernels against the plain Candle ops they replace (`CSCORE_DENSE=1` path).
//!
//! The CNN's patch kernels against Candle's conv2d with autograd, and the MLP's dense first layer against
//! the sparse one on dense RGB inputs.
//!
//! `cargo bench --bench kernels`; the figures that matter are the ratios within one run.

use candle_core::{Device, Tensor};
use criterion::{criterion_group, criterion_main, Criterion};
use cscore::data::{load, LoadOptions};
use cscore::model::kernels::sparse_block::SparseBlock;
use cscore::model::kernels::spmm::{forward_rows, momentum_cols, to_panels, Step};
use cscore::model::{build_network, DeviceData, ModelSpec, TrainConfig};
use std::hint::black_box;
use std::path::Path;

const B: usize = 128;
const H: usize = 512;

fn batch() -> (DeviceData, Tensor, Tensor) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/mnist-10k");
    let ds = load(&dir, &LoadOptions::default()).expect("sample data");
    let data = DeviceData::new(&ds, &Device::Cpu).expect("device data");
    let (x, y) = data.gather(1, (0..B as u32).collect()).expect("batch");
    (data, x, y)
}

fn sparse_layer(c: &mut Criterion) {
    let (data, x, _) = batch();
    let d = data.example_len();
    let xs: Vec<f32> = x.flatten_all().and_then(|t| t.to_vec1()).expect("pixels");
    let mut blk = SparseBlock::default();
    blk.fill(&xs, B, d, true);
    let w = to_panels(&vec![0.01f32; d * H], d, H);
    let bias = vec![0f32; H];
    let mut out = vec![0f32; B * H];
    let mut group = c.benchmark_group("first layer, 128 MNIST digits × 784 → 512");
    group.bench_function("sparse forward (fused kernel)", |b| {
        b.iter(|| forward_rows(black_box(&blk.rows), &w, &bias, &mut out, H))
    });
    let wt = Tensor::from_vec(vec![0.01f32; d * H], (1, d, H), &Device::Cpu).expect("weights");
    let bt = Tensor::zeros((1, 1, H), candle_core::DType::F32, &Device::Cpu).expect("bias");
    group.bench_function("dense forward (Candle matmul + bias + relu)", |b| {
        b.iter(|| x.matmul(&wt).and_then(|z| z.broadcast_add(&bt)).and_then(|z| z.relu()).expect("forward"))
    });
    let g: Vec<f32> = (0..B * H).map(|i| ((i % 13) as f32 - 6.0) * 1e-3).collect();
    let (mut v, mut wm) = (vec![0f32; d * H], w.clone());
    let step = Step { momentum: 0.9, lr: 1e-6, weight_decay: 0.0 };
    group.bench_function("sparse momentum step (fused kernel)", |b| {
        b.iter(|| momentum_cols(black_box(&blk.cols), &g, H, &mut v, &mut wm, step))
    });
    let gt = Tensor::from_vec(g.clone(), (1, B, H), &Device::Cpu).expect("gradient");
    let vt = Tensor::zeros((1, d, H), candle_core::DType::F32, &Device::Cpu).expect("velocity");
    group.bench_function("dense momentum step (Candle xᵀg, v·μ + g, w − lr·v)", |b| {
        b.iter(|| {
            let dw = x.transpose(1, 2)?.matmul(&gt)?;
            let v2 = (vt.affine(0.9, 0.0)? + dw)?;
            &wt - v2.affine(1e-6, 0.0)?
        })
    });
    group.finish();
}

fn train_step(c: &mut Criterion) {
    let (data, x, y) = batch();
    let cfg = TrainConfig::default();
    let spec = ModelSpec::default();
    let mut group = c.benchmark_group("train step, 784-512-256-10, batch 128");
    let mut fused =
        build_network(&spec, &[1], data.shape, data.num_classes, data.sparse_inputs, &Device::Cpu)
            .expect("net");
    group.bench_function("fused CPU kernels", |b| b.iter(|| fused.train_step(&x, &y, &cfg).expect("step")));
    std::env::set_var("CSCORE_DENSE", "1");
    let mut plain =
        build_network(&spec, &[1], data.shape, data.num_classes, data.sparse_inputs, &Device::Cpu)
            .expect("net");
    std::env::remove_var("CSCORE_DENSE");
    group.bench_function("plain Candle ops", |b| b.iter(|| plain.train_step(&x, &y, &cfg).expect("step")));
    group.finish();
}

/// A batch of 128 dense 32×32 RGB inputs in [0, 1] (colored-MNIST-like: every value non-zero) and targets.
fn rgb_batch() -> (Tensor, Tensor) {
    let d = 3 * 32 * 32;
    let x: Vec<f32> =
        (0..B * d).map(|i| ((i.wrapping_mul(2_654_435_761) % 251) + 1) as f32 / 252.0).collect();
    let y: Vec<f32> = (0..B).flat_map(|i| (0..10).map(move |c| f32::from(u8::from(c == i % 10)))).collect();
    let x = Tensor::from_vec(x, (1, B, d), &Device::Cpu).expect("inputs");
    (x, Tensor::from_vec(y, (1, B, 10), &Device::Cpu).expect("targets"))
}

fn cnn_step(c: &mut Criterion) {
    let (x, y) = rgb_batch();
    let cfg = TrainConfig { lr: 0.01, ..TrainConfig::default() };
    let mut group = c.benchmark_group("CNN train step, 32×32 RGB, batch 128");
    group.sample_size(20);
    let mut fast = build_network(&ModelSpec::Cnn, &[1], (3, 32, 32), 10, false, &Device::Cpu).expect("net");
    group.bench_function("patch kernels (im2col + gemm, fused)", |b| {
        b.iter(|| fast.train_step(&x, &y, &cfg).expect("step"))
    });
    std::env::set_var("CSCORE_DENSE", "1");
    let mut plain = build_network(&ModelSpec::Cnn, &[1], (3, 32, 32), 10, false, &Device::Cpu).expect("net");
    std::env::remove_var("CSCORE_DENSE");
    group.bench_function("Candle conv2d + autograd", |b| {
        b.iter(|| plain.train_step(&x, &y, &cfg).expect("step"))
    });
    group.finish();
}

fn dense_mlp_step(c: &mut Criterion) {
    let (x, y) = rgb_batch();
    let cfg = TrainConfig { lr: 0.01, ..TrainConfig::default() };
    let spec = ModelSpec::default();
    let mut group = c.benchmark_group("MLP train step, 3072-512-256-10 on dense inputs, batch 128");
    let mut dense = build_network(&spec, &[1], (3, 32, 32), 10, false, &Device::Cpu).expect("net");
    group.bench_function("dense first layer", |b| b.iter(|| dense.train_step(&x, &y, &cfg).expect("step")));
    let mut sparse = build_network(&spec, &[1], (3, 32, 32), 10, true, &Device::Cpu).expect("net");
    group.bench_function("sparse first layer", |b| b.iter(|| sparse.train_step(&x, &y, &cfg).expect("step")));
    group.finish();
}

criterion_group!(benches, sparse_layer, train_step, cnn_step, dense_mlp_step);
criterion_main!(benches);
