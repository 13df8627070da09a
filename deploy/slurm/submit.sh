#!/usr/bin/env bash
# Submits a sharded cscore estimate to Slurm: an N-task job array and a merge job that runs after it.
#   deploy/slurm/submit.sh N DATA WS [estimate flags…]      (CSCORE=/path/to/cscore to choose the binary)
# Prints the two job ids. Watch progress with: cscore explore WS.shard-0-of-N --no-train (or WS once merged).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=$1
data=$2
ws=$3
shift 3
array=$(sbatch --parsable --export=ALL --array="0-$((n - 1))" "$here/estimate.sbatch" "$data" "$ws" "$@")
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" "$here/merge.sbatch" "$ws")
echo "$array $merge"
