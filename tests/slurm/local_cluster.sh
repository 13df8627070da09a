#!/usr/bin/env bash
# End-to-end on a real Slurm: start a single-node cluster here (munge + slurmctld + slurmd, as root),
# submit deploy/slurm/submit.sh as a 3-task job array plus its dependent merge job, wait, check that the
# merged workspace holds exactly the per-run results of a single-process estimate, and stop the daemons.
#   tests/slurm/local_cluster.sh [path/to/cscore]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cscore=$(realpath "${1:-$root/target/release/cscore}")
work=$(mktemp -d /tmp/cscore-slurm.XXXXXX)
conf=$work/etc
mkdir -p "$conf" "$work/spool/ctld" "$work/spool/d" "$work/run"
host=$(hostname -s)

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "installing slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

cleanup() {
  [ -f "$work/run/slurmd.pid" ] && kill "$(cat "$work/run/slurmd.pid")" 2>/dev/null || true
  [ -f "$work/run/slurmctld.pid" ] && kill "$(cat "$work/run/slurmctld.pid")" 2>/dev/null || true
  [ -f "$work/run/munged.pid" ] && kill "$(cat "$work/run/munged.pid")" 2>/dev/null || true
  sleep 1
}
trap cleanup EXIT

# munge with its own key, socket and pid file
mkdir -p "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/socket" \
  --pid-file="$work/run/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed"
export MUNGE_SOCKET=$work/munge/socket

cat >"$conf/slurm.conf" <<CONF
ClusterName=cscore-ci
SlurmctldHost=$host
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
NodeName=$host CPUs=2 State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$conf/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mixed' && break
  sleep 1
done
sinfo

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
plan=(--ratios 0.25,0.5,0.75 --runs 3 --model mlp:32 --epochs 3 --proxies none)

cd "$work"
read -r array merge < <(CSCORE=$cscore "$root/deploy/slurm/submit.sh" 3 "$work/data" "$work/merged.cscore" "${plan[@]}")
echo "submitted array job $array and merge job $merge"
"$cscore" estimate "$work/data" -w "$work/single.cscore" --workers 1 --no-progress "${plan[@]}" >/dev/null
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$array,$merge" 2>/dev/null)" ] && break
  sleep 1
done
if [ -n "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; then
  echo "FAIL: jobs did not finish in 10 minutes"; squeue; exit 1
fi
cat cscore-merge-*.log
python3 - "$work/merged.cscore" "$work/single.cscore" <<'PY'
import sqlite3, sys
q = ("select kind, ratio_index, run_index, seed, status, heldout_mask, heldout_correct, heldout_predictions "
     "from runs order by kind, ratio_index, run_index")
merged = sqlite3.connect(sys.argv[1]).execute(q).fetchall()
single = sqlite3.connect(sys.argv[2]).execute(q).fetchall()
assert len(single) == 10, f"single estimate holds {len(single)} runs, expected 10"
assert merged == single, f"merged workspace ({len(merged)} runs) differs from the single-process estimate"
print(f"slurm: 1 passed, 0 failed ({len(merged)} runs from a 3-task job array + merge equal a single estimate)")
PY
