#!/bin/bash
# nncourse: submit the shards as a job array and the merge after them.
#   NNCOURSE_CLASS=/shared/ml101 deploy/slurm/submit.sh [N]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
N="${1:-50}"
: "${NNCOURSE_CLASS:?set NNCOURSE_CLASS to the class folder on shared storage}"
array=$(sbatch --parsable --array="0-$((N - 1))" --export=ALL "$here/grade-shards.sbatch")
sbatch --dependency="afterok:${array%%;*}" --export="ALL,NNCOURSE_SHARDS=$N" "$here/merge.sbatch"
