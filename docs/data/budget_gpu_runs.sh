#!/usr/bin/env bash
# The issue-20 runs made on one lent NVIDIA H200 (2026-12-04), as one script: the 2-core VM
# could not finish them in the session. `python3 -m gwin trial` only (no Ray on that machine);
# PYTHON and DEVICE override the interpreter and the device (a CPU check of the script itself).
#   1. bcnn, the budget study's config (`cpu` preset, 8,000 iterations, snapshots at 1,500,
#      3,000 and 6,000, validation every 500), trial seeds 0, 1, 2. Seed 0 repeats the CPU
#      run of studies/budget_curve.py, so the two devices can be compared on one seed.
#   2. The 12 settings of the first search_cpu_budget run (docs/fidelity.md), each to 8,000
#      iterations with no early stopping, against the paper's 30-epoch classifier (seed 0,
#      P_c from all 50,000 training inputs), search seed 1000, validation every 500 on 2,000
#      inputs: every setting's validation curve, including those ASHA stopped at 500 or 1,500.
# Usage: bash docs/data/budget_gpu_runs.sh DATA_DIR OUT_DIR [DEADLINE_S]
set -u
DATA=$1 OUT=$2 DEADLINE=${3:-500}
RUNS=/tmp/gwin-runs
mkdir -p "$RUNS/logs" "$OUT"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONUNBUFFERED=1
start=$(date +%s)
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
${PYTHON:-python3} -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"

trial() {  # NAME NICE ARGS...
  local name=$1 nice=$2; shift 2
  nice -n "$nice" ${PYTHON:-python3} -m gwin trial --dataset fashion_mnist --preset cpu --device "${DEVICE:-cuda}" \
    --data-dir "$DATA" --no-progress --out "$RUNS/$name" "$@" >"$RUNS/logs/$name.log" 2>&1 &
  echo "$!" >"$RUNS/logs/$name.pid"
}

for s in 0 1 2; do
  trial "bcnn-s$s" 0 --classifier bcnn --seed "$s" --iterations 8000 \
    --snapshots 1500 3000 6000 --eval-every 500 --cache-dir "$RUNS/cache-bcnn-s$s"
done
# generator dim lambda_loss lr_g lr_d n_critic (the first search's 12 points, as printed)
GRID="residual 16 10.0 0.001 0.001 2
residual 32 72.21 0.0003 0.00097 1
residual 8 5.46 0.0016 0.00014 5
residual 8 3.47 0.0012 0.0026 2
residual 16 2.9 0.0015 0.00016 1
residual 8 1.74 0.00027 0.00015 2
dcgan 16 3.93 0.0016 0.00039 5
dcgan 16 46.26 0.0014 0.0019 5
dcgan 8 7.48 0.0011 0.00012 4
dcgan 8 19.58 0.00044 0.0021 5
dcgan 32 1.6 0.0002 0.00017 4
dcgan 16 6.75 0.00025 0.0014 3"
grid() {  # the grid points FROM..TO (1-based lines of GRID)
  local i=$(($1 - 1))
  while read -r gen dim lam lrg lrd nc; do
    trial "grid-$i" 10 --classifier lenet5 --clf-epochs 30 --classifier-seed 0 \
      --confident-pool 50000 --val-limit 5000 --eval-size 2000 --eval-every 500 --seed 1000 \
      --iterations 8000 --generator "$gen" --dim "$dim" --lambda-loss "$lam" --lr-g "$lrg" \
      --lr-d "$lrd" --n-critic "$nc" --cache-dir "$RUNS/cache-30ep"
    i=$((i + 1))
  done < <(sed -n "$1,$2p" <<<"$GRID")
}
# the bcnn runs come first: the first grid point trains the 30-epoch classifier meanwhile, and
# the other 11 start once the bcnn runs are done (one GPU shared by 15 processes slows them all)
grid 1 1

declare -A reaped
nreaped=0
# wait for all, or the deadline; a failed bcnn run stops everything (a bug, not a result)
while :; do
  sleep 10
  now=$(( $(date +%s) - start ))
  alive=0
  for p in "$RUNS"/logs/*.pid; do kill -0 "$(cat "$p")" 2>/dev/null && alive=$((alive + 1)); done
  for s in 0 1 2; do
    p=$(cat "$RUNS/logs/bcnn-s$s.pid")
    if [ -z "${reaped[$s]:-}" ] && ! kill -0 "$p" 2>/dev/null; then
      wait "$p"; rc=$?; reaped[$s]=$rc; nreaped=$((nreaped + 1)); echo "bcnn-s$s exited $rc after ${now}s"
      [ "$rc" -ne 0 ] && { tail -30 "$RUNS/logs/bcnn-s$s.log"; failed=1; DEADLINE=0; }
    fi
  done
  if [ -z "${rest_started:-}${failed:-}" ] && { [ "$nreaped" -eq 3 ] || [ "$now" -ge "$((DEADLINE / 2))" ]; }; then
    echo "t=${now}s: starting the other 11 grid points"; grid 2 12; rest_started=1; continue
  fi
  echo "t=${now}s alive=$alive $(tail -qn1 "$RUNS"/logs/bcnn-s*.log | cut -c1-60 | tr '\n' '|')"
  [ "$alive" -eq 0 ] && break
  [ "$now" -ge "$DEADLINE" ] && { echo "deadline: stopping $alive runs"; break; }
done
for p in "$RUNS"/logs/*.pid; do kill "$(cat "$p")" 2>/dev/null; done
sleep 2
nvidia-smi --query-gpu=memory.used --format=csv,noheader || true
# the CUDA regression test (tests/test_cuda_trial.py is skipped without a GPU)
timeout 90 ${PYTHON:-python3} -m pytest -q -p no:cacheprovider tests/test_cuda_trial.py 2>&1 \
  | tail -5 | tee "$RUNS/logs/pytest-cuda.log"
cd "$RUNS" || exit 1
for g in bcnn-s0 bcnn-s1 bcnn-s2 grid logs; do  # each under the 16 MiB a returned file may hold
  tar czf "$OUT/$g.tgz" --exclude='*/model' --exclude='*/checkpoint' "$g"* 2>/dev/null
done
ls -la "$OUT"; for f in logs/*.log; do echo "== $f"; tail -n 3 "$f" | cut -c1-200; done
