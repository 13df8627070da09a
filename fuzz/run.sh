#!/usr/bin/env bash
# Fuzzes the IDX, CIFAR and .npz readers, the filter-expression parser and the imported-score CSV reader
# with cargo-fuzz (libFuzzer).
#   bash fuzz/run.sh [SECONDS_PER_TARGET=600] [TARGET ...]
# Needs a nightly toolchain (`rustup toolchain install nightly`) and `cargo install cargo-fuzz`.
# Seeds: tests/fuzz_corpus/<target>/ (also the regression tests of tests/it/fuzz_regressions.rs); new
# interesting inputs go to fuzz/corpus/<target>/ (not committed); a crash is written to
# fuzz/artifacts/<target>/ and stops that target with a non-zero status. Copy a crash's input into
# tests/fuzz_corpus/<target>/ once fixed.
# The readers are safe Rust, so the default is no sanitizer (panics, overflow checks, hangs and huge
# allocations are what is looked for, at twice the speed); SANITIZER=address runs them under ASan.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(idx cifar npz filter csv)
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "== $t for ${seconds}s"
  # -rss_limit_mb and -malloc_limit_mb make a huge allocation driven by a header field a finding, too.
  cargo +nightly fuzz run -s "${SANITIZER:-none}" "$t" "corpus/$t" "../tests/fuzz_corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -max_len=65536 \
    -print_final_stats=1
done
