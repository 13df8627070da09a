#!/usr/bin/env bash
# Throughput of cscore beside the JAX/XLA reference, measured in one run on this machine.
#   bench/compare.sh [MNIST_DIR] [RUNS=8]   (8: the held-out accuracy of a few models varies by a few tenths)
# Needs: a release build (cargo build --release) and `pip install "jax[cpu]"` for the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/mnist}
runs=${2:-8}
ref=${REFERENCE:-../shared/bench/jax_reference.py}
cargo build --release --quiet
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== JAX/XLA reference: ratio 0.5, $runs models"
python3 "$ref" "$data" /tmp/cscore-jax-ref.npz --ratios 0.5 --runs "$runs" | tee /tmp/cscore-jax.log
jax=$(awk '/^STEADY/ {print $2}' /tmp/cscore-jax.log)
python3 -c "import numpy as np; r=np.load('/tmp/cscore-jax-ref.npz'); h=r['held']; c=r['correct']; each=' '.join(f'{a:.2f}' for a in 100*(c&h).sum(1)/h.sum(1)); print(f'JAX held-out accuracy {100*(c&h).sum()/h.sum():.2f}% (by model: {each})')"
echo "== cscore bench: ratio 0.5, $runs models"
# An even number of models keeps every worker busy to the end (one model per core).
./target/release/cscore bench --data "$data" --ratio 0.5 --runs "$((runs + runs % 2))" | tee /tmp/cscore-bench.log
ours=$(awk '/seconds per model/ {print $4}' /tmp/cscore-bench.log)
python3 - "$jax" "$ours" <<'PY'
import sys
jax, ours = map(float, sys.argv[1:])
print(f"== models per hour: cscore {3600/ours:.0f}, JAX {3600/jax:.0f}; cscore/JAX = {jax/ours:.2f}x")
PY
