#!/usr/bin/env bash
# Issue 35, point 6 (docs/fidelity.md, "MNIST (Table 1)"): the MNIST budget runs and the paper's
# classifier on MNIST, one at a time on the 2-core machine at 1 thread each, in the order the
# rule fixes. Each run is its own study, so a run cut off by the end of a session resumes from
# its checkpoint with the same command (--resume is added when the study folder exists; a run whose
# rows are already under docs/data/ is skipped). When a
# run ends, its rows are written under docs/data/ and committed at once (only those paths).
# Usage: bash docs/data/mnist_runs.sh [DATA_DIR]     (from the repository root, .venv active)
set -u
DATA=${1:-../shared/datasets/mnist}
export PYTHONUNBUFFERED=1
commit() {  # MESSAGE PATH... : commit only these paths; retry while another git holds the index
  local msg=$1; shift
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    git add -- "$@" && git commit -q -m "$msg" -- "$@" && return 0
    sleep 5
  done
  echo "could not commit $*" >&2
}
budget_run() {  # VARIANT SEED
  local variant=$1 seed=$2 name="budget_mnist_$1_s$2" resume=()
  if [ -f "docs/data/${name}_per_trial.csv" ]; then echo "== $name finished earlier: skipped"; return 0; fi
  [ -d "runs/$name" ] && resume=(--resume)
  echo "== $(date -u +%FT%TZ) $name ${resume[*]}"
  nice -n 10 python studies/budget_curve.py --datasets mnist --variants "$variant" --seed-list "$seed" \
    --cpus-per-trial 1 --max-concurrent 1 --data-dir "$DATA" --name "$name" "${resume[@]}" || return 1
  local out="docs/data/$name"
  python analysis/tables.py "runs/$name" --per-trial --format csv > "${out}_per_trial.csv" &&
    python analysis/tables.py "runs/$name" --curves --format csv > "${out}_curves.csv" &&
    python analysis/tables.py "runs/$name" --by iterations --format csv > "${out}_test_by_tau.csv" &&
    python analysis/tables.py "runs/$name" --by iterations --split val --format csv > "${out}_val_by_tau.csv" &&
    commit "MNIST budget run $variant seed $seed finished: its per-trial rows, validation curve and per-tau tables (docs/data/mnist_runs.sh)" \
      "${out}_per_trial.csv" "${out}_curves.csv" "${out}_test_by_tau.csv" "${out}_val_by_tau.csv"
}
budget_run lenet5_30ep 0
budget_run lenet5 0
budget_run lenet5_30ep 1
budget_run lenet5 1
for s in 0 1 2; do
  out="docs/data/mnist_classifier_paper_s$s.txt"
  if [ -f "$out" ]; then echo "== classifier seed $s finished earlier: skipped"; continue; fi
  echo "== $(date -u +%FT%TZ) classifier seed $s"
  nice -n 10 python -m gwin classifier --dataset mnist --preset paper --seed "$s" --data-dir "$DATA" \
    > "$out.tmp" && mv "$out.tmp" "$out" &&
    commit "The paper's classifier on MNIST, seed $s, beside Table 1 (docs/data/mnist_runs.sh)" "$out"
done
echo "== $(date -u +%FT%TZ) done"
