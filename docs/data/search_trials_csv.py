"""Every trial of a search study as one CSV row, ASHA-stopped ones included (docs/fidelity.md).

    python docs/data/search_trials_csv.py runs/search_cpu_budget_8k > docs/data/search_8k_trials.csv

Tune's own record of each trial (params.json, result.json) holds the sampled values and the
last validation score; a trial that ASHA stopped never wrote gwin's trial tables, so the study
index (`tables.py --per-trial`) lists only the ones that ran to the end.
"""

import csv
import json
import sys
from pathlib import Path

KEYS = ("generator", "dim", "lambda_loss", "lr_g", "lr_d", "n_critic", "iterations")


def rows(study: Path):
    for trial in sorted(study.glob("tune/search-*/gwin_trainable_*")):
        params = json.loads((trial / "params.json").read_text())
        lines = (trial / "result.json").read_text().splitlines()
        last = json.loads(lines[-1])  # the trial's last report: every metric it had
        finished = "trial_key" in last
        yield {
            "trial": trial.name.split("_")[2],
            **{k: params[k] for k in KEYS},
            "reached": int(last["gen_iter"]),
            "val_gain": round(float(last["val_gain_over_identity"]), 2),
            "scored_on": f"{params['val_limit']} (full)"
            if finished
            else f"{params['eval_size']} (ASHA rung)",
            "test_gain": round(float(last["test_gain_over_identity"]), 2) if finished else "",
            "time_s": round(float(last["time_total_s"])),
        }


if __name__ == "__main__":
    out = csv.DictWriter(
        sys.stdout,
        fieldnames=[*("trial",), *KEYS, "reached", "val_gain", "scored_on", "test_gain", "time_s"],
    )
    out.writeheader()
    out.writerows(rows(Path(sys.argv[1])))
