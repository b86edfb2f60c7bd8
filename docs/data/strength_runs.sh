#!/usr/bin/env bash
# Issue 35, point 7 (docs/fidelity.md, "Where the gain ends"): Fashion-MNIST budget runs with
# the `lenet5` trained for 5 and 10 epochs, seeds 0 and 1, in the order the rule fixes, one at a
# time at 1 thread. Each run is its own study, resumed with the same command when a session ends
# it; a finished run's rows are committed under docs/data/ and added to budget_per_trial.csv.
# Usage, from the repository root with .venv active:
#   bash docs/data/strength_runs.sh [DATA_DIR [RUN...]]     RUN: "VARIANT SEED", default all four
# Two invocations with different RUNs may share the machine (e.g. one per seed on 2 cores): a lock
# keeps their additions to budget_per_trial.csv and their commits apart.
set -u
DATA=${1:-../shared/datasets/fashion-mnist}
shift || true
[ $# -gt 0 ] || set -- "lenet5_5ep 0" "lenet5_10ep 0" "lenet5_5ep 1" "lenet5_10ep 1"
. docs/data/runs_lib.sh
for run in "$@"; do
  read -r variant seed <<< "$run"
  name="budget_${variant}_s${seed}"
  budget_run fashion_mnist "$DATA" "$variant" "$seed" "$name" || exit 1
  (
    flock 9
    grep -q "^$variant,$seed," docs/data/budget_per_trial.csv && exit 0  # joined earlier
    python docs/data/add_budget_rows.py "docs/data/${name}_per_trial.csv" --variant "$variant" \
      --ran-on "cpu, 1 thread" &&
      commit "Fashion-MNIST $variant seed $seed joins the budget table (issue 35, point 7; docs/data/strength_runs.sh)" \
        docs/data/budget_per_trial.csv
  ) 9> .git/docs_data_runs.lock
done
echo "== $(date -u +%FT%TZ) done: $*"
