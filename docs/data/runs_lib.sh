# Shared by docs/data/*_runs.sh: run one budget study to its end (resuming it when its folder
# exists), export its rows under docs/data/ and commit exactly those paths.
# Source it from the repository root with the venv active.
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
# Yield the cores to foreground work (tests, CI). `nice` alone does not: with autogroup
# scheduling each session (setsid, a terminal) shares the CPU equally whatever its processes'
# nice values, so a CI run beside two backgrounded runs got a third of the cores. Renice this
# session's group instead, where the kernel has one.
echo 10 2>/dev/null > /proc/self/autogroup || true

commit() {  # MESSAGE PATH... : commit only these paths; retry while another git holds the index
  local msg=$1; shift
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    git add -- "$@" && git commit -q -m "$msg" -- "$@" && return 0
    sleep 5
  done
  echo "could not commit $*" >&2
}

budget_run() {  # DATASET DATA_DIR VARIANT SEED NAME [FLAG...]: 0 once its rows are under docs/data/
  local dataset=$1 data=$2 variant=$3 seed=$4 name=$5 resume=()
  local flags=("${@:6}")  # any other setting, e.g. --n-critic 5
  local out="docs/data/$name"
  if [ -f "${out}_per_trial.csv" ]; then echo "== $name finished earlier: skipped"; return 0; fi
  [ -d "runs/$name" ] && resume=(--resume)
  echo "== $(date -u +%FT%TZ) $name ${resume[*]}"
  nice -n 10 python studies/budget_curve.py --datasets "$dataset" --variants "$variant" \
    --seed-list "$seed" --cpus-per-trial 1 --max-concurrent 1 --data-dir "$data" \
    --name "$name" "${flags[@]}" "${resume[@]}" || return 1
  # the per-trial rows last, through a temporary name: they mark the run as finished
  python analysis/tables.py "runs/$name" --curves --format csv > "${out}_curves.csv" &&
    python analysis/tables.py "runs/$name" --by iterations --format csv > "${out}_test_by_tau.csv" &&
    python analysis/tables.py "runs/$name" --by iterations --split val --format csv > "${out}_val_by_tau.csv" &&
    python analysis/tables.py "runs/$name" --per-trial --format csv > "${out}_per_trial.csv.tmp" &&
    mv "${out}_per_trial.csv.tmp" "${out}_per_trial.csv" &&
    (flock 9; commit "$name ($dataset, $variant, seed $seed${flags[*]:+, ${flags[*]}}) finished: its per-trial rows, validation curve and per-tau tables (docs/data/runs_lib.sh)" \
      "${out}_per_trial.csv" "${out}_curves.csv" "${out}_test_by_tau.csv" "${out}_val_by_tau.csv"
    ) 9> .git/docs_data_runs.lock
}
