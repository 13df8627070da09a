#!/usr/bin/env bash
# The CUDA build (`--features cuda`) on a machine without a GPU or a system CUDA: the toolkit from PyPI
# (CUDA 13.0, the GPU machines' driver 580), a stub driver library to link against, then build, clippy and
# a check that the binary reports a failing driver in one clear line.
#   .ci/cuda_build.sh            (called by .ci/run; also by hand)
# Outputs: target/cuda/release/cscore (the CUDA build); the toolkit in target/cuda-toolkit, the link folder
# (unversioned names + stub libcuda) in target/cuda-link. Env: CUDA_COMPUTE_CAP (default 90: H100/H200),
# CSCORE_NICE (default 19: the build yields the cores to everything else).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tk=$root/target/cuda-toolkit
link=$root/target/cuda-link
nice_level=${CSCORE_NICE:-19}
# Every part pinned to CUDA 13.0: a newer nvcc's PTX may not load on driver 580, and pip would otherwise pull
# a newer nvvm beside nvcc 13.0. cuRAND numbers its own releases: 10.4.0 is CUDA 13.0's.
pins=("nvidia-cuda-nvcc==13.0.*" "nvidia-cuda-runtime==13.0.*" "nvidia-cuda-nvrtc==13.0.*"
  "nvidia-cublas==13.0.*" "nvidia-curand==10.4.0.*" "nvidia-cuda-cccl==13.0.*" "nvidia-cuda-crt==13.0.*"
  "nvidia-nvvm==13.0.*")
stamp="${pins[*]}"

echo "== CUDA toolkit 13.0 from PyPI into $tk"
if [[ ! -f $tk/.installed || $(cat "$tk/.installed") != "$stamp" ]]; then
  rm -rf "$tk"
  python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location --root-user-action=ignore --target "$tk" "${pins[@]}"
  echo "$stamp" >"$tk/.installed"
fi
export CUDA_ROOT=$tk/nvidia/cu13 CUDA_PATH=$tk/nvidia/cu13
export PATH=$CUDA_ROOT/bin:$PATH CUDA_COMPUTE_CAP=${CUDA_COMPUTE_CAP:-90}
nvcc --version | tail -n 2

echo "== link folder: unversioned names of the toolkit's libraries and a stub driver (libcuda.so.1)"
rm -rf "$link" && mkdir -p "$link"
for lib in cublas cublasLt cudart nvrtc curand; do
  versioned=$(find "$CUDA_ROOT/lib" -maxdepth 1 -name "lib$lib.so.*" | sort | head -n 1)
  [[ -n $versioned ]] || { echo "no lib$lib.so.* in $CUDA_ROOT/lib" >&2; exit 1; }
  ln -s "$versioned" "$link/lib$lib.so"
done
cargo fetch --locked --quiet # cudarc's source, read by the stub generator
cudarc=$(cargo metadata --format-version 1 --features cuda --locked |
  python3 -c 'import json,sys; print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "cudarc").rsplit("/", 1)[0])')
python3 .ci/cuda_stub.py "$cudarc" "$link/cuda_stub.c"
cc -shared -fPIC -O1 -Wl,-soname,libcuda.so.1 -o "$link/libcuda.so.1" "$link/cuda_stub.c"
ln -s libcuda.so.1 "$link/libcuda.so"
export LIBRARY_PATH=$link${LIBRARY_PATH:+:$LIBRARY_PATH}

echo "== cargo build --release --features cuda (target dir target/cuda)"
start=$(date +%s)
nice -n "$nice_level" cargo build --release --locked --features cuda --target-dir target/cuda
echo "   built in $(($(date +%s) - start)) s"
echo "== cargo clippy --release --features cuda --all-targets -- -D warnings"
start=$(date +%s)
nice -n "$nice_level" cargo clippy --release --locked --features cuda --all-targets --target-dir target/cuda -- -D warnings
echo "   clippy in $(($(date +%s) - start)) s"

echo "== the CUDA binary with the stub driver: starts, and a failing driver is one clear line"
bin=target/cuda/release/cscore
export LD_LIBRARY_PATH=$link:$CUDA_ROOT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
"$bin" --version
echo "== the CUDA build's unit tests of the device errors (with the stub driver)"
nice -n "$nice_level" cargo test --release --locked --features cuda --target-dir target/cuda --lib model::device
set +e
err=$("$bin" bench --data sample_data/mnist-10k --runs 1 --epochs 1 --device cuda 2>&1 >/dev/null)
status=$?
set -e
echo "   exit $status: $err"
if [[ $status -eq 0 || $(printf '%s\n' "$err" | wc -l) -ne 1 || $err != *"--device cpu"* || $err == *"backtrace"* ]]; then
  echo "expected one line on stderr naming --device cpu, and a non-zero exit" >&2
  exit 1
fi

# The CPU build hands --device cuda over to the CUDA build: without a driver library it says so in one
# line; with the stub driver the CUDA build takes over and reports the failing driver.
cpu=target/release/cscore
if [[ -x $cpu ]]; then
  echo "== the CPU build's hand-over to the CUDA build"
  expect_line() { # DESCRIPTION PATTERN COMMAND…
    local what=$1 pattern=$2 out status
    shift 2
    set +e
    out=$("$@" 2>&1 >/dev/null)
    status=$?
    set -e
    echo "   $what: exit $status: $out"
    if [[ $status -eq 0 || $(printf '%s\n' "$out" | wc -l) -ne 1 || $out != *$pattern* ]]; then
      echo "expected one line containing '$pattern' and a non-zero exit" >&2
      exit 1
    fi
  }
  expect_line "no driver" "no NVIDIA driver on this machine (libcuda.so.1 not found)" \
    env -u LD_LIBRARY_PATH CSCORE_CUDA_BIN="$bin" "$cpu" bench --data sample_data/mnist-10k --device cuda
  expect_line "no CUDA libraries" "a CUDA library not found" \
    env LD_LIBRARY_PATH="$link" CSCORE_CUDA_BIN="$bin" "$cpu" bench --data sample_data/mnist-10k --device cuda
  expect_line "stub driver" "could not open GPU 0" \
    env CSCORE_CUDA_BIN="$bin" "$cpu" bench --data sample_data/mnist-10k --device cuda
fi
