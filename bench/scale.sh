#!/usr/bin/env bash
# The README's scaling table: for K shifted copies of MNIST (K × 60,000 examples, made by
# ../shared/bench/make_shifted_mnist.py), one `cscore estimate`
# with the defaults, stopped (Ctrl-C, a clean stop) once its first holdout run and its input-space proxies
# are stored; then the explorer is opened on the workspace in tmux. Prints one table row per K:
#
#   examples | first holdout run stored | input-space proxies | peak RSS | workspace per holdout run | explorer
#
# (times from the start of `cscore estimate`; the workspace bytes of a holdout run are its three per-example
# blobs, the mask, correctness and predictions, read back from SQLite; the held-out probability sums are a
# fixed N × classes × 4 bytes per ratio whatever the number of runs, shown apart; explorer: seconds to the
# first frame and to the ranked list of `cscore explore WS --no-train`, 160×48).
#
#   bench/scale.sh [K…]            default K: 1 3 9 21 (60 k, 180 k, 540 k, 1.26 M examples)
#   SCALE_DIR=/tmp/cscore-scale    where datasets, workspaces and logs go (about 1.5 GB at K = 21)
#   SCALE_MAX=45m                  the longest one estimate may run (it is stopped then, whatever it did)
#   SCALE_UNTIL=hidden             also wait for the hidden-space proxies (the peak RSS then covers their
#                                  pass too; the row gains their time); default: input
#   CSCORE=target/release/cscore   the binary
# Needs python3 with numpy (the dataset), tmux and GNU time (/usr/bin/time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cscore=$(realpath "${CSCORE:-$root/target/release/cscore}")
dir=${SCALE_DIR:-/tmp/cscore-scale}
max=${SCALE_MAX:-45m}
until=${SCALE_UNTIL:-input}
make=$root/../shared/bench/make_shifted_mnist.py
mnist=$root/../shared/data/mnist
mkdir -p "$dir"
[ -x "$cscore" ] || { echo "no binary at $cscore (cargo build --release)"; exit 1; }
command -v tmux >/dev/null || { echo "tmux is needed for the explorer's open time"; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed for the peak RSS"; exit 1; }
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') · $(nproc) cores · $(free -g | awk '/Mem:/ {print $2}') GiB · load $(cut -d' ' -f1-3 /proc/loadavg)"
dirty=$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo " with uncommitted changes")
echo "cscore: $cscore ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$dirty)"

grouped() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }

# Seconds from starting the explorer on $1 (N examples = $2) until the first frame and the ranked list.
explore_times() {
  local ws=$1 n=$2 sock="$dir/tmux.sock" start now screen first="" list=""
  local want
  want="ranked list · $(grouped "$n")"
  tmux -S "$sock" kill-server 2>/dev/null || true
  start=$(date +%s.%N)
  tmux -f /dev/null -S "$sock" new-session -d -x 160 -y 48 -s scale -e LC_ALL=C.UTF-8 \
    "'$cscore' explore '$ws' --no-train; sleep 600"
  while :; do
    screen=$(tmux -S "$sock" capture-pane -p -t scale 2>/dev/null || true)
    now=$(date +%s.%N)
    if [ -z "$first" ] && grep -qE "loading|ranked list" <<<"$screen"; then first=$(echo "$now - $start" | bc); fi
    if grep -qF "$want" <<<"$screen"; then list=$(printf "%.2f" "$(echo "$now - $start" | bc)"); break; fi
    if [ "$(echo "$now - $start > 600" | bc)" = 1 ]; then list="never (600 s)"; break; fi
    sleep 0.01
  done
  tmux -S "$sock" send-keys -t scale q 2>/dev/null || true
  sleep 0.5
  tmux -S "$sock" kill-server 2>/dev/null || true
  printf "first frame %.2f s, ranked list %s s" "${first:-0}" "$list"
}

rows=()
for arg in "${@:-1 3 9 21}"; do # one argument per K, or the default list as one word
  for k in $arg; do
    data=$dir/shift$k
    if [ ! -f "$data/train-labels-idx1-ubyte.gz" ]; then
      python3 "$make" "$mnist" "$data" "$k" >/dev/null
    fi
    ws=$dir/shift$k.cscore
    rm -f "$ws" "$ws-wal" "$ws-shm"
    log=$dir/estimate-$k.log
    : >"$log"
    start=$(date +%s.%N)
    # stderr timestamped (seconds since the start), GNU time's report in its own file
    /usr/bin/time -v -o "$dir/time-$k.txt" timeout -s INT "$max" "$cscore" estimate "$data" -w "$ws" --no-progress \
      2> >(while IFS= read -r line; do printf '%8.1f %s\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$line"; done >>"$log") \
      >"$dir/summary-$k.txt" &
    pid=$!
    # stop it (Ctrl-C) once a holdout run and the input-space proxies are stored
    while kill -0 "$pid" 2>/dev/null; do
      if grep -q "\] ratio .* run .*: done" "$log" && grep -q "proxies stored: .*lof" "$log" &&
        { [ "$until" != hidden ] || grep -q "proxies stored: .*hidden_density" "$log"; }; then
        pkill -INT -f "^$cscore estimate $data -w $ws" || true
        break
      fi
      sleep 1
    done
    wait "$pid" || true
    sleep 1
    first=$(grep -m1 "\] ratio .* run .*: done" "$log" | awk '{print $1}') || true
    proxies=$(grep -m1 "proxies stored: .*lof" "$log" | sed -n 's/.*(\(.*\))$/\1/p') || true
    hidden=$(grep -m1 "proxies stored: .*hidden_density" "$log" | awk '{print $1 " s"}') || true
    [ "$until" = hidden ] && proxies="$proxies; hidden-space stored at ${hidden:-never}"
    rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time-$k.txt")
    read -r n per_run probs runs < <(python3 - "$ws" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = c.execute("select num_examples from dataset").fetchone()[0]
runs, blob = c.execute("select count(*), coalesce(sum(length(heldout_mask) + length(heldout_correct) + "
                       "length(heldout_predictions)), 0) from runs where kind = 'holdout' and status = 'done'").fetchone()
probs = c.execute("select coalesce(sum(length(sums)), 0) from heldout_prob_sums").fetchone()[0]
print(n, blob // max(runs, 1), probs, runs)
PY
)
    ex=$(explore_times "$ws" "$n")
    size=$(du -cb "$ws"* | tail -1 | cut -f1)
    row=$(printf "| %s | %s s | %s | %.2f GiB | %.1f MB (%.2f bytes/example); prob sums %.0f MB in all | %s |" \
      "$(grouped "$n")" "${first:-none}" "${proxies:-not stored}" "$(echo "$rss_kb / 1048576" | bc -l)" \
      "$(echo "$per_run / 1048576" | bc -l)" "$(echo "$per_run / $n" | bc -l)" "$(echo "$probs / 1048576" | bc -l)" "$ex")
    echo "$row   (workspace $(echo "$size / 1048576" | bc) MB with $runs holdout run(s); log $log)"
    rows+=("$row")
  done
done
echo
echo "| examples | first holdout run stored | input-space proxies | peak RSS of estimate | workspace per holdout run | explorer (--no-train) |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
