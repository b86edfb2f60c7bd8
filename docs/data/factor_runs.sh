#!/usr/bin/env bash
# Issue 35, point 8 (docs/fidelity.md, "What the paper's classifier needs"): one factor at a time
# from the `cpu` preset against the paper's 30-epoch `lenet5`, classifier seed SEED, one run at a
# time at 1 thread. Each run is its own study, resumed with the same command when a session ends
# it; a finished run's rows are committed under docs/data/. The runs of one dataset and seed
# share one artifact cache, so the classifier is trained (30 to 60 minutes) once.
# Usage: bash docs/data/factor_runs.sh [DATASET [SEED [DATA_DIR]]]   (repository root, .venv active)
#   DATASET: mnist (default) or fashion_mnist
set -u
DATASET=${1:-mnist}
SEED=${2:-0}
case $DATASET in
  # MNIST in the rule's order; Fashion-MNIST starts with budget20k, whose 8,000 snapshot is the
  # baseline the other three are read against and whose study the paper check reads
  mnist) SHORT=mnist; FOLDER=mnist; ORDER=(pool_all dcgan n_critic5 budget20k) ;;
  fashion_mnist) SHORT=fashion; FOLDER=fashion-mnist; ORDER=(budget20k pool_all dcgan n_critic5) ;;
  *) echo "factor_runs.sh: DATASET must be mnist or fashion_mnist, got $DATASET" >&2; exit 2 ;;
esac
DATA=${3:-../shared/datasets/$FOLDER}
. docs/data/runs_lib.sh
COMMON=(--val-limit all --cache-dir "runs/cache_${SHORT}_lenet5_30ep_s$SEED")
flags_of() {  # FACTOR: the one setting it puts back to the paper's
  case $1 in
    pool_all) echo --confident-pool all ;;
    dcgan) echo --generator dcgan ;;
    n_critic5) echo --n-critic 5 ;;
    budget20k) echo --iterations 20000 --snapshots 1500 3000 6000 8000 12000 16000 ;;
  esac
}
for factor in "${ORDER[@]}"; do
  # shellcheck disable=SC2046  # flags_of prints words meant to split
  budget_run "$DATASET" "$DATA" lenet5_30ep "$SEED" "factor_${SHORT}_30ep_s${SEED}_$factor" \
    "${COMMON[@]}" $(flags_of "$factor") || exit 1
done
echo "== $(date -u +%FT%TZ) done: $DATASET factor runs, seed $SEED"
