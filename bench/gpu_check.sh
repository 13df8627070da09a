#!/usr/bin/env bash
# One check of cscore on an NVIDIA GPU, run with the bundle bench/gpu_pack.sh made; prints one table.
#   bash bench/gpu_check.sh [BUNDLE=target/gpu-bundle]
# Needs on the GPU machine: the NVIDIA driver, CUDA 13 libraries (cuBLAS, cuRAND, NVRTC, runtime; those of
# PyTorch's nvidia wheels are found by themselves), python3 with numpy. No Rust, no network.
# Stages, each with its own time limit inside a total budget (a stage that runs out says so and
# measures nothing):
#   w. first use of the GPU: a small MLP and a small CNN (the driver compiles the kernels for this GPU once);
#   a. CPU against GPU, same seeds: an MLP and a CNN (a few hundred steps each) on each device; per-epoch
#      probabilities, final losses and held-out predictions compared;
#   b. `cscore bench --ensemble K` on full MNIST for each K: models per hour, peak GPU memory, accuracy;
#   e. what a user meets: the CPU build handing --device cuda over (in a), a K that cannot fit;
#   d. `--model cnn` on colored MNIST (32×32 RGB) with ensembles: models per hour;
#   f. TF32 (CSCORE_TF32=1): the best MLP K of b and the last CNN K of d again, for speed and accuracy;
#   c. last, in what is left of the budget: the reference protocol (9 ratios × 200 runs) on MNIST with the
#      best K of b: its wall time, or how many of the 1,800 models it trained before its time ran out.
# Knobs (env): DEVICE (cuda; `cpu` runs every stage on the CPU, to check this script), BUDGET (seconds,
# 460), KS ("1 8 32 128 512"), CNN_KS ("8 32"), EPOCHS (10), CMP_EPOCHS (5), CMP_LR (0.02), PROTOCOL_RUNS (200),
# WORKERS (1), MNIST (BUNDLE/mnist), SMALL (sample_data/mnist-10k), COLORED (made from MNIST; COLORED_N
# training digits, 50,000), OUT (where logs go; the device tool's $OUT when set).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
bundle=${1:-target/gpu-bundle}
device=${DEVICE:-cuda}
budget=${BUDGET:-460}
ks=${KS:-1 8 32 128 512}
cnn_ks=${CNN_KS:-8 32}
epochs=${EPOCHS:-10}
cmp_epochs=${CMP_EPOCHS:-5}
cmp_lr=${CMP_LR:-0.02}
protocol_runs=${PROTOCOL_RUNS:-200}
workers=${WORKERS:-1}
mnist=${MNIST:-$bundle/mnist}
small=${SMALL:-sample_data/mnist-10k}
out=${OUT:-/tmp/cscore-gpu-check}
work=$(mktemp -d /tmp/cscore-gpu-check.XXXXXX)
mkdir -p "$out"
start=$SECONDS
rows=$out/table.tsv
: >"$rows"
trap 'rm -rf "$work"' EXIT

# The rows so far, aligned (`column` is not on every machine: tab-separated without it).
table() { column -t -s $'\t' "$rows" 2>/dev/null || cat "$rows"; }
row() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" | tee -a "$rows" >&2; }
# Seconds a stage may run: its own limit, cut to what is left of the budget; 0 when too little is left.
allow() {
  local left=$((budget - (SECONDS - start) - 5))
  local t=$(($1 < left ? $1 : left))
  echo $((t < 10 ? 0 : t))
}

echo "== setup" >&2
for f in cscore cscore-cuda; do
  if [[ -f $bundle/$f.gz ]]; then gzip -dc "$bundle/$f.gz" >"$work/$f" && chmod +x "$work/$f"; fi
done
cpu_bin=$work/cscore
gpu_bin=$work/cscore-cuda
if [[ $device == cpu && -x $cpu_bin ]]; then
  # Checking the script itself: the CPU build plays both parts (the CUDA build needs a driver to start).
  cp "$cpu_bin" "$gpu_bin"
fi
[[ -x $cpu_bin ]] || { echo "no $bundle/cscore.gz: run bench/gpu_pack.sh where cscore is built" >&2; exit 1; }
if [[ $device != cpu ]]; then
  # The CUDA libraries the binary links, from this machine's own CUDA 13 (PyTorch's wheels, or a toolkit).
  # Python's nvidia packages first, then system toolkits, then the whole root file system.
  roots=$(python3 -c 'import nvidia; print(" ".join(nvidia.__path__))' 2>/dev/null)
  for d in /usr/local/cuda*/ /usr/lib/x86_64-linux-gnu; do [[ -d $d ]] && roots="$roots $d"; done
  libdirs=()
  for lib in libcublas.so.13 libcublasLt.so.13 libcudart.so.13 libnvrtc.so.13 libcurand.so.10; do
    # shellcheck disable=SC2086 # roots is a list of folders
    found=$([[ -n ${roots// /} ]] && find $roots -name "$lib" -print -quit 2>/dev/null)
    [[ -n $found ]] || found=$(find / -xdev \( -path /proc -o -path /sys \) -prune -o -name "$lib" -print -quit 2>/dev/null)
    if [[ -z $found ]]; then
      row setup "CUDA libraries" "$lib not found on this machine: nothing measured"
      table
      exit 1
    fi
    libdirs+=("$(dirname "$found")")
  done
  LD_LIBRARY_PATH=$(printf '%s\n' "${libdirs[@]}" | sort -u | paste -sd:)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export LD_LIBRARY_PATH
  # The driver's cache of kernels compiled from PTX, in a folder surely writable and shared by every process
  # of this run (a home folder it cannot write would make each one compile them again).
  export CUDA_CACHE_PATH=${CUDA_CACHE_PATH:-$work/nv-cache}
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader >"$out/gpu.txt" 2>&1
  row setup "GPU" "$(head -n 1 "$out/gpu.txt")"
fi
row setup "binaries" "$("$cpu_bin" --version) / $("$gpu_bin" --version 2>&1 | head -n 1)"

# Peak GPU memory in use (MiB, all processes) while a command runs; "n/a" on the CPU.
gpu_peak() {
  local log=$1
  shift
  if [[ $device == cpu ]]; then
    "$@"
    local s=$?
    echo "n/a" >"$log.mem"
    return $s
  fi
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$log.smi" 2>/dev/null &
  local smi=$!
  "$@"
  local s=$?
  kill "$smi" 2>/dev/null
  wait "$smi" 2>/dev/null
  echo "$(sort -n "$log.smi" | tail -n 1) MiB" >"$log.mem"
  return $s
}

# Models per hour, held-out accuracy (%) and training examples per model from `cscore bench --json`.
bench_figures() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(round(r["models_per_hour"]), round(100*r["heldout_accuracy"], 2), r["train_examples"])' "$1"
}

# Runs `cscore bench ARGS… --json` for at most LIMIT seconds with the peak GPU memory watched, and adds its
# row; prints the models per hour measured (0 when none). Env for the bench: BENCH_ENV (e.g. CSCORE_TF32=1).
bench_row() { # STAGE WHAT LIMIT LOG EXAMPLES ARGS…
  local stage=$1 what=$2 t=$3 log=$4 examples=$5 s rate acc train
  shift 5
  gpu_peak "$log" timeout "$t" env ${BENCH_ENV:+"$BENCH_ENV"} "$gpu_bin" bench "$@" --json >"$log.json" 2>"$log.err"
  s=$?
  if ((s != 0)) || [[ ! -s $log.json ]]; then
    row "$stage" "$what" "not measured: $([[ $s == 124 ]] && echo "timed out after $t s" || echo "exit $s: $(tail -n 1 "$log.err")")"
    echo 0
    return
  fi
  read -r rate acc train < <(bench_figures "$log.json")
  row "$stage" "$what" "$rate models/h ($train $examples per model), peak GPU memory $(cat "$log.mem"), held-out accuracy $acc%"
  echo "$rate"
}

# Runs and compares two workspaces: held-out predictions, final losses, per-epoch probabilities.
compare_ws() {
  python3 - "$1" "$2" <<'PY'
import sqlite3, struct, sys
def load(path):
    db = sqlite3.connect(path)
    runs = {(k, r, i): (loss, preds) for k, r, i, loss, preds in db.execute(
        "SELECT kind, ratio_index, run_index, final_loss, heldout_predictions FROM runs WHERE status = 'done'")}
    probs = {(k, r, i, e): p for k, r, i, e, p in db.execute(
        "SELECT kind, ratio_index, run_index, epoch, given_prob FROM epoch_stats JOIN runs ON runs.id = run_id")}
    return runs, probs
(a, pa), (b, pb) = load(sys.argv[1]), load(sys.argv[2])
keys = sorted(set(a) & set(b))
if not keys:
    print("FAIL no common finished run"); sys.exit(0)
loss = max(abs(a[k][0] - b[k][0]) / max(abs(a[k][0]), 1e-12) for k in keys)
same = sum(x == y for k in keys for x, y in zip(a[k][1], b[k][1]))
total = sum(len(a[k][1]) for k in keys)
f32 = lambda blob: struct.unpack(f"<{len(blob) // 4}f", blob)
first = min(k[3] for k in pa) if pa else None
dp = max((abs(x - y) for k in pa if k in pb and k[3] == first for x, y in zip(f32(pa[k]), f32(pb[k]))), default=float("nan"))
agree = same / max(total, 1)
ok = loss <= 0.02 and agree >= 0.98 and (dp != dp or dp <= 1e-3)
print(f"{'PASS' if ok else 'FAIL'} {len(keys)} models: epoch-{first} max |dp| {dp:.1e}, final loss rel. diff "
      f"{loss:.1e}, held-out predictions agree {100 * agree:.2f}% of {total}")
PY
}

echo "== w. first use of $device: one small MLP and one small CNN" >&2
# The driver compiles the kernels' PTX for this GPU on first use (then caches it): paid here, with its time
# shown, so that it is in no measurement below. A failure here is the first thing to read.
for model in mlp cnn; do
  t=$(allow 45)
  if ((t == 0)); then row w "first $model on $device" "not run: out of time"; continue; fi
  begin=$SECONDS
  timeout "$t" "$gpu_bin" bench --data "$small" --model "$model" --ratio 0.1 --runs 1 --epochs 1 \
    --device "$device" >"$out/w-$model.log" 2>&1
  s=$?
  if ((s == 0)); then
    row w "first $model on $device" "ok in $((SECONDS - begin)) s (start-up, kernel compilation, 1 model)"
  else
    what=$([[ $s == 124 ]] && echo "timed out after $t s" || echo "exit $s: $(tail -n 1 "$out/w-$model.log")")
    row w "first $model on $device" "failed: $what"
  fi
done

echo "== a. CPU against $device, same seeds" >&2
for model in mlp cnn; do
  t=$(allow "$([[ $model == mlp ]] && echo 40 || echo 70)")
  if ((t == 0)); then row a "$model CPU vs $device" "not run: out of time"; continue; fi
  # A learning rate below the protocol's 0.1: with momentum 0.9 SGD amplifies float rounding until two
  # equally good models part ways after ~100 steps (README, Performance); at 0.02 they stay comparable.
  common=(estimate "$small" --ratios 0.5 --runs 2 --epochs "$cmp_epochs" --model "$model" --lr "$cmp_lr"
    --proxies none --proxy-runs 0 --track-runs 2 --seed 7 --no-progress)
  # CPU: one model per worker; GPU: both models in one batched step (K = 2), through the CPU build's
  # hand-over to the CUDA build.
  timeout "$((t * 2 / 3))" "$cpu_bin" "${common[@]}" -w "$work/a-$model-cpu.cscore" --device cpu >"$out/a-$model-cpu.log" 2>&1
  s1=$?
  timeout "$((t / 3))" env CSCORE_CUDA_BIN="$gpu_bin" "$cpu_bin" "${common[@]}" -w "$work/a-$model-gpu.cscore" \
    --device "$device" --ensemble 2 --workers 1 >"$out/a-$model-gpu.log" 2>&1
  s2=$?
  steps_per_epoch=$(((5000 + 127) / 128)) # mnist-10k at ratio 0.5, batch 128
  steps=$((steps_per_epoch * cmp_epochs))
  if ((s1 != 0 || s2 != 0)); then
    row a "$model CPU vs $device ($steps steps)" "not measured: exit $s1/$s2 ($(tail -n 1 "$out/a-$model-gpu.log"))"
  else
    row a "$model CPU vs $device ($steps steps)" "$(compare_ws "$work/a-$model-cpu.cscore" "$work/a-$model-gpu.cscore")"
  fi
done

echo "== b. cscore bench --ensemble K on full MNIST" >&2
best_k=1
best_rate=0
for k in $ks; do
  t=$(allow "$((k >= 512 ? 35 : 25))")
  if ((t == 0)); then row b "mlp K=$k" "not run: out of time"; continue; fi
  runs=$((k * workers > 2 ? k * workers : 2))
  rate=$(bench_row b "mlp K=$k, $runs models, $epochs epochs" "$t" "$out/b-k$k" examples --data "$mnist" \
    --ratio 0.5 --runs "$runs" --epochs "$epochs" --device "$device" --ensemble "$k" --workers "$workers")
  if ((rate > best_rate)); then best_rate=$rate best_k=$k; fi
done

echo "== e. what a user meets" >&2
t=$(allow 15)
if [[ $device == cpu ]]; then
  row e "K = 4096 CNNs" "not run: the memory check is for GPUs"
elif ((t > 0)); then
  # Refused before training (the estimate is ~100 MiB per model): one line naming the largest K that fits.
  err=$(timeout "$t" "$gpu_bin" bench --data "$small" --model cnn --runs 4096 --ensemble 4096 --device "$device" 2>&1 >/dev/null)
  row e "K = 4096 CNNs" "exit $?, $(printf '%s\n' "$err" | wc -l) line(s): $(printf '%s' "$err" | head -c 300)"
fi

echo "== d. --model cnn on colored MNIST" >&2
colored=${COLORED:-$work/colored}
if [[ -z ${COLORED:-} ]]; then
  t=$(allow 30)
  if ((t > 0)) && ! timeout "$t" python3 "$bundle/make_colored_mnist.py" "$mnist" "$colored" ${COLORED_N:+"$COLORED_N"} >"$out/d-make.log" 2>&1; then
    row d "colored MNIST" "not made: $(tail -n 1 "$out/d-make.log")"
  fi
fi
for k in $cnn_ks; do
  # K CNNs of 10 epochs on 25,000 RGB images finish together (one batched group): the limit must hold all
  # of them, or the stage measures nothing (the target, 2,000 models/h, is K = 32 in under a minute).
  t=$(allow 60)
  if ((t == 0)) || [[ ! -f $colored/test_batch.bin ]]; then row d "cnn K=$k" "not run: out of time or no data"; continue; fi
  bench_row d "cnn K=$k, $((k * workers)) models, $epochs epochs, colored MNIST" "$t" "$out/d-k$k" \
    "RGB 32×32 examples" --data "$colored" --model cnn --ratio 0.5 --runs "$((k * workers))" --epochs "$epochs" \
    --device "$device" --ensemble "$k" --workers "$workers" >/dev/null
  last_cnn_k=$k
done

echo "== f. TF32 (CSCORE_TF32=1: cuBLAS may use TF32 tensor cores for f32 products): b's best K, d's last K" >&2
t=$(allow 30)
if ((t == 0)); then
  row f "mlp K=$best_k, TF32" "not run: out of time"
else
  runs=$((best_k * workers > 2 ? best_k * workers : 2))
  BENCH_ENV=CSCORE_TF32=1 bench_row f "mlp K=$best_k, $runs models, $epochs epochs, TF32" "$t" "$out/f-mlp" examples \
    --data "$mnist" --ratio 0.5 --runs "$runs" --epochs "$epochs" --device "$device" --ensemble "$best_k" \
    --workers "$workers" >/dev/null
fi
t=$(allow 45)
if ((t == 0)) || [[ -z ${last_cnn_k:-} ]]; then
  row f "cnn TF32" "not run: out of time or no data"
else
  k=$last_cnn_k
  BENCH_ENV=CSCORE_TF32=1 bench_row f "cnn K=$k, $((k * workers)) models, $epochs epochs, colored MNIST, TF32" "$t" \
    "$out/f-cnn" "RGB 32×32 examples" --data "$colored" --model cnn --ratio 0.5 --runs "$((k * workers))" \
    --epochs "$epochs" --device "$device" --ensemble "$k" --workers "$workers" >/dev/null
fi

echo "== c. the reference protocol: 9 ratios × $protocol_runs runs, K = $best_k, in what is left" >&2
t=$(allow 300)
if ((t == 0)); then
  row c "protocol, K=$best_k" "not run: out of time"
else
  total=$((9 * protocol_runs))
  begin=$SECONDS
  "$gpu_bin" estimate "$mnist" -w "$work/c.cscore" --runs "$protocol_runs" --epochs "$epochs" --proxies none \
    --proxy-runs 0 --track-runs 0 --device "$device" --ensemble "$best_k" --workers "$workers" \
    --time-limit "${t}s" --no-progress >"$out/c.log" 2>&1
  s=$?
  wall=$((SECONDS - begin))
  done_runs=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM runs WHERE status = '"'done'"'").fetchone()[0])' "$work/c.cscore" 2>/dev/null || echo 0)
  if ((s != 0)); then
    row c "protocol, K=$best_k" "exit $s after $wall s, $done_runs of $total models: $(tail -n 1 "$out/c.log")"
  elif ((done_runs == total)); then
    row c "protocol, K=$best_k" "all $total models in $wall s ($((wall / 60)) min $((wall % 60)) s)"
  else
    row c "protocol, K=$best_k" "incomplete: $done_runs of $total models in $wall s (time limit ${t} s)"
  fi
fi

echo "== table (logs in $out; $((SECONDS - start)) s in all)" >&2
table
