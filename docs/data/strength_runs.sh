#!/usr/bin/env bash
# Issue 35, point 7 (docs/fidelity.md, "Where the gain ends"): Fashion-MNIST budget runs with
# the `lenet5` trained for 5 and 10 epochs, seeds 0 and 1, in the order the rule fixes, one at a
# time at 1 thread. Each run is its own study, resumed with the same command when a session ends
# it; a finished run's rows are committed under docs/data/ and added to budget_per_trial.csv.
# Usage: bash docs/data/strength_runs.sh [DATA_DIR]   (from the repository root, .venv active)
set -u
DATA=${1:-../shared/datasets/fashion-mnist}
. docs/data/runs_lib.sh
for run in "lenet5_5ep 0" "lenet5_10ep 0" "lenet5_5ep 1" "lenet5_10ep 1"; do
  set -- $run
  name="budget_$1_s$2"
  budget_run fashion_mnist "$DATA" "$1" "$2" "$name" || exit 1
  grep -q "^$1,$2," docs/data/budget_per_trial.csv && continue  # its rows joined earlier
  python docs/data/add_budget_rows.py "docs/data/${name}_per_trial.csv" --variant "$1" \
    --ran-on "cpu, 1 thread" &&
    commit "Fashion-MNIST $1 seed $2 joins the budget table (issue 35, point 7; docs/data/strength_runs.sh)" \
      docs/data/budget_per_trial.csv
done
echo "== $(date -u +%FT%TZ) done"
