#!/usr/bin/env bash
# Issue 35, point 8 (docs/fidelity.md, "What the paper's classifier needs"): one factor at a time
# from the `cpu` preset against the paper's 30-epoch `lenet5` on MNIST, classifier seed 0, in the
# order the rule fixes, one run at a time at 1 thread. Each run is its own study, resumed with
# the same command when a session ends it; a finished run's rows are committed under docs/data/.
# The runs share one artifact cache, so the classifier is trained (about 30 minutes) once.
# Usage: bash docs/data/factor_runs.sh [DATA_DIR [SEED]]   (repository root, .venv active)
set -u
DATA=${1:-../shared/datasets/mnist}
SEED=${2:-0}
. docs/data/runs_lib.sh
COMMON=(--val-limit all --cache-dir "runs/cache_mnist_lenet5_30ep_s$SEED")
run() {  # FACTOR FLAG...
  local factor=$1; shift
  budget_run mnist "$DATA" lenet5_30ep "$SEED" "factor_mnist_30ep_s${SEED}_$factor" \
    "${COMMON[@]}" "$@" || exit 1
}
run pool_all --confident-pool all
run dcgan --generator dcgan
run n_critic5 --n-critic 5
run budget20k --iterations 20000 --snapshots 1500 3000 6000 8000 12000 16000
echo "== $(date -u +%FT%TZ) done: MNIST factor runs, seed $SEED"
