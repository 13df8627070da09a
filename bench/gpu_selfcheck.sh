#!/usr/bin/env bash
# Checks the GPU machine's script where there is no GPU: packs a bundle with bench/gpu_pack.sh (the real CPU
# and CUDA builds, sample_data/mnist-10k as its MNIST), runs bench/gpu_check.sh on it with DEVICE=cpu and
# small sizes, and fails unless every stage measured what it measures on the CPU. A GPU session has a few
# minutes of device time: this keeps a renamed flag or column from costing it (called by .ci/run).
#   bench/gpu_selfcheck.sh      (after `cargo build --release` and .ci/cuda_build.sh)
# Needs python3 with numpy (installed with pip when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import numpy' 2>/dev/null ||
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore numpy
work=$(mktemp -d /tmp/cscore-gpu-selfcheck.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== bench/gpu_pack.sh sample_data/mnist-10k"
bash bench/gpu_pack.sh sample_data/mnist-10k
echo "== bench/gpu_check.sh with DEVICE=cpu, small sizes"
# 2,000 colored digits keep the CPU's CNN stage within its limit; one epoch everywhere.
DEVICE=cpu BUDGET=300 KS="1 2" CNN_KS="2" EPOCHS=1 CMP_EPOCHS=1 PROTOCOL_RUNS=1 COLORED_N=2000 \
  MNIST=target/gpu-bundle/mnist OUT="$work/out" bash bench/gpu_check.sh target/gpu-bundle

echo "== every stage measured"
python3 - "$work/out/table.tsv" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
by_stage = {}
for stage, what, value in rows:
    by_stage.setdefault(stage, []).append((what, value))
expect = {  # stage: (rows, what each value must contain)
    "setup": (1, "cscore "),
    "w": (2, "ok in"),
    "a": (2, "PASS"),
    "b": (2, "models/h"),
    "e": (1, "not run: the memory check is for GPUs"),
    "d": (1, "models/h"),
    "f": (2, "models/h"),
    "c": (1, "all 9 models"),
}
bad = [f"stage {s}: {len(by_stage.get(s, []))} row(s), expected {n}" for s, (n, _) in expect.items()
       if len(by_stage.get(s, [])) != n]
bad += [f"stage {s}, {what}: {value!r} lacks {expect[s][1]!r}" for s, got in by_stage.items() if s in expect
        for what, value in got if expect[s][1] not in value]
bad += [f"unexpected stage {s}" for s in by_stage if s not in expect]
if bad:
    sys.exit("bench/gpu_check.sh did not measure everything:\n  " + "\n  ".join(bad))
print(f"ok: {len(rows)} rows, each stage measured")
PY
