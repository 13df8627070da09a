//! The training kernels on real MNIST batches (`sample_data/mnist-10k`), each beside its baseline in the
//! same run: the fused CPU kernels against the plain Candle ops they replace (`CSCORE_DENSE=1` path).
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
    let mut fused = build_network(&spec, &[1], data.shape, data.num_classes, &Device::Cpu).expect("net");
    group.bench_function("fused CPU kernels", |b| b.iter(|| fused.train_step(&x, &y, &cfg).expect("step")));
    std::env::set_var("CSCORE_DENSE", "1");
    let mut plain = build_network(&spec, &[1], data.shape, data.num_classes, &Device::Cpu).expect("net");
    std::env::remove_var("CSCORE_DENSE");
    group.bench_function("plain Candle ops", |b| b.iter(|| plain.train_step(&x, &y, &cfg).expect("step")));
    group.finish();
}

criterion_group!(benches, sparse_layer, train_step);
criterion_main!(benches);
