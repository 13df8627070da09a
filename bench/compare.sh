#!/usr/bin/env bash
# Throughput of cscore beside the JAX/XLA reference, both measured in one run on this machine.
#
#   bench/compare.sh [mnist|dense-mlp|cnn|all] [RUNS]
#
#   mnist      MNIST MLP 784-512-256-10, lr 0.1 (the paper's protocol), full MNIST   RUNS default 8
#   dense-mlp  MLP 3072-512-256-10, lr 0.01, on colored MNIST (32×32 RGB, dense)     RUNS default 4
#   cnn        the LeNet-style CNN, lr 0.01, on colored MNIST                         RUNS default 2
#
# Every benchmark: ratio 0.5, 10 epochs (EPOCHS=…), batch 128, momentum 0.9, inputs in [0, 1]; cscore
# trains one model per core, JAX one model at a time on all cores. Environment: MNIST (default
# ../shared/data/mnist), COLORED (default /tmp/colored-mnist, made from MNIST when missing), EPOCHS.
# Needs a release build (`cargo build --release`) and `pip install "jax[cpu]" numpy` for the baselines.
# The older form `bench/compare.sh MNIST_DIR [RUNS]` still runs the MNIST benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d "${1:-}" ]; then MNIST=$1; set -- mnist "${2:-8}"; fi
which=${1:-mnist}
mnist=${MNIST:-../shared/data/mnist}
colored=${COLORED:-/tmp/colored-mnist}
epochs=${EPOCHS:-10}
shared=${SHARED_BENCH:-../shared/bench}
cargo build --release --quiet
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

# NAME JAX_SECONDS CSCORE_LOG: prints the models-per-hour line.
summary() {
  local name=$1 jax=$2 log=$3
  local ours
  ours=$(awk '/seconds per model/ {print $4}' "$log")
  python3 - "$name" "$jax" "$ours" <<'PY'
import sys
name, jax, ours = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
print(f"== {name}: models per hour: cscore {3600/ours:.0f}, JAX {3600/jax:.0f}; cscore/JAX = {jax/ours:.2f}x")
PY
}

mnist_mlp() {
  local runs=${1:-8}
  echo "== MNIST MLP: JAX/XLA reference, ratio 0.5, $runs models"
  python3 "$shared/jax_reference.py" "$mnist" /tmp/cscore-jax-ref.npz --ratios 0.5 --runs "$runs" | tee /tmp/cscore-jax.log
  local jax
  jax=$(awk '/^STEADY/ {print $2}' /tmp/cscore-jax.log)
  python3 -c "import numpy as np; r=np.load('/tmp/cscore-jax-ref.npz'); h=r['held']; c=r['correct']; each=' '.join(f'{a:.2f}' for a in 100*(c&h).sum(1)/h.sum(1)); print(f'JAX held-out accuracy {100*(c&h).sum()/h.sum():.2f}% (by model: {each})')"
  echo "== MNIST MLP: cscore bench, ratio 0.5, $runs models"
  # An even number of models keeps every worker busy to the end (one model per core).
  ./target/release/cscore bench --data "$mnist" --ratio 0.5 --runs "$((runs + runs % 2))" --epochs "$epochs" \
    | tee /tmp/cscore-bench.log
  summary "MNIST MLP" "$jax" /tmp/cscore-bench.log
}

colored_data() {
  if [ ! -f "$colored/data_batch_5.bin" ]; then
    echo "== making colored MNIST in $colored"
    python3 bench/make_colored_mnist.py "$mnist" "$colored"
  fi
}

# dense NAME MODEL JAX_MODEL RUNS
dense() {
  local name=$1 model=$2 jax_model=$3 runs=$4
  colored_data
  echo "== $name: JAX/XLA reference, ratio 0.5, $runs models, $epochs epochs, lr 0.01"
  python3 "$shared/jax_cnn_reference.py" "$colored" --model "$jax_model" --epochs "$epochs" --lr 0.01 --runs "$runs" \
    | tee "/tmp/cscore-jax-$jax_model.log"
  local jax
  jax=$(awk '/^STEADY/ {print $2}' "/tmp/cscore-jax-$jax_model.log")
  echo "== $name: cscore bench, ratio 0.5, $runs models"
  ./target/release/cscore bench --data "$colored" --model "$model" --ratio 0.5 --runs "$((runs + runs % 2))" \
    --epochs "$epochs" --lr 0.01 | tee "/tmp/cscore-bench-$jax_model.log"
  summary "$name" "$jax" "/tmp/cscore-bench-$jax_model.log"
}

case "$which" in
  mnist) mnist_mlp "${2:-8}" ;;
  dense-mlp) dense "dense MLP 3072-512-256-10" "mlp:512,256" mlp "${2:-4}" ;;
  cnn) dense "CNN" cnn cnn "${2:-2}" ;;
  all)
    mnist_mlp "${2:-8}"
    dense "dense MLP 3072-512-256-10" "mlp:512,256" mlp "${2:-4}"
    dense "CNN" cnn cnn "${2:-2}"
    ;;
  *) echo "usage: bench/compare.sh [mnist|dense-mlp|cnn|all] [RUNS]" >&2; exit 2 ;;
esac
