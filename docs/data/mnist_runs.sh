#!/usr/bin/env bash
# Issue 35, point 6 (docs/fidelity.md, "MNIST (Table 1)"): the MNIST budget runs and the paper's
# classifier on MNIST, one at a time on the 2-core machine at 1 thread each, in the order the
# rule fixes. Each run is its own study, so a run cut off by the end of a session resumes from
# its checkpoint with the same command (docs/data/runs_lib.sh); a run whose rows are already
# under docs/data/ is skipped. When a run ends, its rows are committed at once (only those paths).
# Usage: bash docs/data/mnist_runs.sh [DATA_DIR]     (from the repository root, .venv active)
set -u
DATA=${1:-../shared/datasets/mnist}
. docs/data/runs_lib.sh
for run in "lenet5_30ep 0" "lenet5 0" "lenet5_30ep 1" "lenet5 1"; do
  read -r variant seed <<< "$run"
  budget_run mnist "$DATA" "$variant" "$seed" "budget_mnist_${variant}_s${seed}" || exit 1
done
for s in 0 1 2; do
  out="docs/data/mnist_classifier_paper_s$s.txt"
  if [ -f "$out" ]; then echo "== classifier seed $s finished earlier: skipped"; continue; fi
  echo "== $(date -u +%FT%TZ) classifier seed $s"
  nice -n 10 python -m gwin classifier --dataset mnist --preset paper --seed "$s" --data-dir "$DATA" \
    > "$out.tmp" && mv "$out.tmp" "$out" &&
    (flock 9; commit "The paper's classifier on MNIST, seed $s, beside Table 1 (docs/data/mnist_runs.sh)" "$out") \
      9> .git/docs_data_runs.lock
done
echo "== $(date -u +%FT%TZ) done"
