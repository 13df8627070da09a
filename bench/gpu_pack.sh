#!/usr/bin/env bash
# Packs what bench/gpu_check.sh needs on a GPU machine without Rust or network into target/gpu-bundle:
# the CPU build and the CUDA build (stripped, gzipped), full MNIST and the colored-MNIST generator.
#   bench/gpu_pack.sh [MNIST_DIR=../shared/data/mnist]
# (The t10k files are optional: without them the colored dataset has an empty test batch, which cscore
# does not read. bench/gpu_selfcheck.sh packs sample_data/mnist-10k that way.)
# Builds first: `cargo build --release` and .ci/cuda_build.sh (which leaves target/cuda/release/cscore).
# Then, with the device tool: run `bash bench/gpu_check.sh` with carry ["target/gpu-bundle"].
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-../shared/data/mnist}
bundle=target/gpu-bundle
for bin in target/release/cscore target/cuda/release/cscore; do
  [[ -x $bin ]] || { echo "missing $bin: build it first (cargo build --release; .ci/cuda_build.sh)" >&2; exit 1; }
done
rm -rf "$bundle" && mkdir -p "$bundle/mnist"
strip -o "$bundle/cscore" target/release/cscore
strip -o "$bundle/cscore-cuda" target/cuda/release/cscore
gzip -9 "$bundle/cscore" "$bundle/cscore-cuda"
cp "$mnist"/train-{images-idx3,labels-idx1}-ubyte.gz "$bundle/mnist/"
for f in "$mnist"/t10k-{images-idx3,labels-idx1}-ubyte.gz; do [[ ! -f $f ]] || cp "$f" "$bundle/mnist/"; done
cp bench/make_colored_mnist.py "$bundle/"
size=$(du -sm "$bundle" | cut -f1)
echo "$bundle: ${size} MiB"
ls -l "$bundle" "$bundle/mnist"
((size < 60)) || { echo "the bundle is over 60 MiB: the device tool carries 64 MiB in all" >&2; exit 1; }
