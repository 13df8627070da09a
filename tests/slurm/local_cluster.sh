#!/usr/bin/env bash
# End-to-end on a real Slurm: start a single-node cluster here (munge + slurmctld + slurmd, as root),
# submit deploy/slurm/submit.sh as a 3-task job array plus its dependent merge job, wait, check that the
# merged workspace holds exactly the per-run results of a single-process estimate and its proxy scores
# (on approximate neighbour statistics, so every shard computes the input-space ones of its own block of
# examples and the merge joins them: equal up to float summation order), and
# stop the daemons. On any failure it prints the logs, cancels the jobs and fails at once (a failed array
# task fails the test without waiting for the merge job it leaves pending); it always waits for the
# daemons it started to exit and removes its temporary folder.
#   tests/slurm/local_cluster.sh [path/to/cscore]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cscore=$(realpath "${1:-$root/target/release/cscore}")
work=$(mktemp -d /tmp/cscore-slurm.XXXXXX)
conf=$work/etc
mkdir -p "$conf" "$work/spool/ctld" "$work/spool/d" "$work/run"
host=$(hostname -s)
jobs=()

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "installing slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

show_logs() {
  for f in "$work"/slurmctld.log "$work"/slurmd.log "$work"/cscore-*.log; do
    [ -f "$f" ] || continue
    echo "---- $(basename "$f") (last 40 lines)"
    tail -n 40 "$f"
  done
}

fail() {
  echo "FAIL: $*"
  exit 1
}

cleanup() {
  local status=$?
  trap - EXIT
  if [ "$status" -ne 0 ]; then
    show_logs
  fi
  if [ "${#jobs[@]}" -gt 0 ] && [ -n "${SLURM_CONF:-}" ]; then
    scancel "${jobs[@]}" 2>/dev/null || true
  fi
  local pids=()
  for d in slurmd slurmctld munged; do
    if [ -f "$work/run/$d.pid" ]; then
      local pid
      pid=$(cat "$work/run/$d.pid")
      kill "$pid" 2>/dev/null && pids+=("$pid")
    fi
  done
  # Wait for each daemon to exit (SIGKILL after 20 s), so that none outlives the test or its files.
  for pid in "${pids[@]}"; do
    for _ in $(seq 200); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "daemon $pid did not stop; killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  cd /
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# The node's address: its name if that resolves, else the loopback (slurmd and slurmctld both run here).
if getent hosts "$host" >/dev/null 2>&1; then
  ctld_host=$host
  node_addr=$host
else
  echo "note: hostname $host does not resolve; using 127.0.0.1"
  ctld_host="$host(127.0.0.1)"
  node_addr=127.0.0.1
fi

# munge with its own key, socket and pid file
mkdir -p "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/socket" \
  --pid-file="$work/run/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed"
export MUNGE_SOCKET=$work/munge/socket

cat >"$conf/slurm.conf" <<CONF
ClusterName=cscore-ci
SlurmctldHost=$ctld_host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$work/spool/ctld
SlurmdSpoolDir=$work/spool/d
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
NodeName=$host NodeAddr=$node_addr CPUs=2 State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$conf/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
ready=
for _ in $(seq 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mixed'; then
    ready=1
    break
  fi
  sleep 1
done
sinfo || true
[ -n "$ready" ] || fail "the node never became idle in sinfo (60 s); see the daemon logs below"

# A small dataset (the first 600 sample digits) and a small plan.
python3 - "$root/sample_data/mnist-10k" "$work/data" <<'PY'
import gzip, os, sys
src, dst = sys.argv[1:]
os.makedirs(dst)
img = gzip.open(os.path.join(src, "train-images-idx3-ubyte.gz")).read()
lab = gzip.open(os.path.join(src, "train-labels-idx1-ubyte.gz")).read()
n = 600
open(os.path.join(dst, "train-images-idx3-ubyte"), "wb").write(img[:4] + n.to_bytes(4, "big") + img[8:16] + img[16:16 + n * 784])
open(os.path.join(dst, "train-labels-idx1-ubyte"), "wb").write(lab[:4] + n.to_bytes(4, "big") + lab[8:8 + n])
PY
# shellcheck disable=SC2054 # the commas separate ratios inside one argument
plan=(--ratios 0.25,0.5,0.75 --runs 3 --model mlp:32 --epochs 3 --neighbours approximate)

cd "$work"
read -r array merge < <(CSCORE=$cscore "$root/deploy/slurm/submit.sh" 3 "$work/data" "$work/merged.cscore" "${plan[@]}")
[ -n "$array" ] && [ -n "$merge" ] || fail "submit.sh printed no job ids"
jobs=("$array" "$merge")
echo "submitted array job $array and merge job $merge"
"$cscore" estimate "$work/data" -w "$work/single.cscore" --workers 1 --no-progress "${plan[@]}" >/dev/null 2>&1

# The states of a job's tasks (an array job lists each of its tasks), e.g. "COMPLETED RUNNING".
states() { scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort -u | tr '\n' ' '; }
bad='FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED'
deadline=$((SECONDS + 600))
while :; do
  a=$(states "$array")
  m=$(states "$merge")
  if grep -qE "$bad" <<<"$a"; then fail "an array task of job $array ended badly: $a"; fi
  if grep -qE "$bad" <<<"$m"; then fail "merge job $merge ended badly: $m"; fi
  if squeue -h -j "$merge" -o '%r' 2>/dev/null | grep -q DependencyNeverSatisfied; then
    fail "merge job $merge can never run (an array task failed)"
  fi
  if [ "$m" = "COMPLETED " ]; then break; fi
  if [ -z "$a$m" ] && [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; then
    fail "jobs $array and $merge vanished without completing"
  fi
  [ "$SECONDS" -lt "$deadline" ] || fail "jobs did not finish in 10 minutes (array: $a, merge: $m)"
  sleep 1
done
cat cscore-merge-*.log
grep -q "complete (10 of 10 planned runs)" cscore-merge-*.log || fail "the merge did not report a complete workspace"
python3 - "$work/merged.cscore" "$work/single.cscore" <<'PY'
import math, sqlite3, struct, sys
q = ("select kind, ratio_index, run_index, seed, status, heldout_mask, heldout_correct, heldout_predictions "
     "from runs order by kind, ratio_index, run_index")
p = "select name, scores from proxy_scores order by name"
merged, single = (sqlite3.connect(f) for f in sys.argv[1:])
runs = merged.execute(q).fetchall()
assert len(single.execute(q).fetchall()) == 10, "the single estimate does not hold 10 runs"
assert runs == single.execute(q).fetchall(), f"merged workspace ({len(runs)} runs) differs from the single-process estimate"
names = [n for n, _ in merged.execute(p)]
assert "fused" in names and "hidden_density" in names and "learning_speed" in names, names
assert names == [n for n, _ in single.execute(p)], f"merged proxies {names} differ from the single estimate's"
for (name, a), (_, b) in zip(merged.execute(p), single.execute(p)):
    a, b = (struct.unpack(f"<{len(v) // 4}f", v) for v in (a, b))
    worst = max((0.0 if math.isnan(x) and math.isnan(y) else abs(x - y) / max(abs(y), 1e-3)) for x, y in zip(a, b))
    assert worst < 1e-4, f"proxy {name}: merged and single differ by {worst} (relative)"
for i, start in enumerate((0, 200, 400)):
    shard = sqlite3.connect(f"{sys.argv[1]}.shard-{i}-of-3")
    blocks = shard.execute("select start, len from neighbour_parts").fetchall()
    assert blocks == [(start, 200)], f"shard {i} holds the input-space blocks {blocks}, not [({start}, 200)]"
print(f"slurm: 1 passed, 0 failed ({len(runs)} runs and {len(names)} proxies from a 3-task job array + merge equal a single estimate; input-space proxies joined from 3 shards' blocks)")
PY
