"""Every number of the paper's Tables 1 and 2 that a study covers, beside ours, with a verdict.

One row per setting (the study's swept columns), tau and metric, plus C's accuracy with no
rejection (the tables' captions). A cell's verdict, fixed in docs/fidelity.md ("MNIST (Table 1):
the rule") before any MNIST result existed:

- `agrees`: our mean over seeds lies within the paper's mean ± 2 of its std (over its 10 runs);
  where the paper gives no std (% Reject, the base accuracy), within 25% of its value (% Reject)
  or 1 point (base accuracy);
- `overlaps`: not so, but our 95% t-interval over seeds reaches into that band (possible only
  with 2 or more seeds);
- `outside`: neither: a gap we report.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from gwin.config import TrialConfig, setting_text
from gwin.paper import BASE_ACCURACY, has_reference
from gwin.report.over_seeds import t_interval_of
from gwin.report.stats import Results
from gwin.report.tables import PAPER_METRICS, Block, paper_comparison, sweep_blocks

BAND_IN_STDS = 2.0
REJECT_BAND_RELATIVE = 0.25  # % Reject has no std in the paper
BASE_ACC_BAND = 1.0  # points; the captions give one number
BASE_ACC = "base_acc"
METRIC_NAMES = {**PAPER_METRICS, BASE_ACC: "Acc. with no rejection"}
COLUMNS = ["n_seeds", "ours_mean", "ours_std", "paper_mean", "paper_std", "low", "high"]


def band(metric: str, paper_mean: float, paper_std: float) -> tuple[float, float]:
    """The interval of values that agree with the paper's cell."""
    if metric == BASE_ACC:
        half = BASE_ACC_BAND
    elif math.isnan(paper_std):
        half = REJECT_BAND_RELATIVE * abs(paper_mean)
    else:
        half = BAND_IN_STDS * paper_std
    return paper_mean - half, paper_mean + half


def verdict(ours_mean: float, ours_std: float, n: int, low: float, high: float) -> str:
    """`agrees`, `overlaps` or `outside` (module docstring); `n/a` without a value of ours."""
    if math.isnan(ours_mean):
        return "n/a"
    if low <= ours_mean <= high:
        return "agrees"
    ci_low, ci_high = t_interval_of(ours_mean, ours_std, n)
    if not math.isnan(ci_low) and ci_low <= high and ci_high >= low:
        return "overlaps"
    return "outside"


def paper_check(results: Results, split: str = "test") -> pd.DataFrame:
    """Rows: dataset, classifier, the swept columns, tau (NaN for the base accuracy), metric,
    COLUMNS and verdict; only the datasets the paper has tables for."""
    return check_blocks(sweep_blocks(results, None, split))


def check_blocks(tables: list[Block]) -> pd.DataFrame:
    """`paper_check` of per-tau aggregates (a study's, or committed tables pooled by
    `gwin.report.stats.pool`)."""
    rows = []
    for block in tables:
        if not has_reference(block.dataset):
            continue
        settings = [k for k in block.keys if k != "tau"]
        ident = {"dataset": block.dataset, "classifier": block.classifier}
        comparison = paper_comparison(block.agg, block.dataset, block.keys)
        for _, cell in comparison.iterrows():
            agg_row = _matching(block.agg, {**{k: cell[k] for k in settings}, "tau": cell["tau"]})
            n = int(agg_row[f"{cell['metric']}_count"])
            rows.append(_row(ident, cell, settings, cell["metric"], n))
        # C's accuracy with no rejection is the same at every tau: one cell per setting
        for setting, part in _by_setting(block.agg, settings):
            first = part.iloc[0]
            base = {
                "tau": math.nan,
                "ours_mean": first["bnn_acc_mean"],
                "ours_std": first["bnn_acc_std"],
                "paper_mean": BASE_ACCURACY[block.dataset],
                "paper_std": math.nan,
                **setting,
            }
            rows.append(_row(ident, base, settings, BASE_ACC, int(first["bnn_acc_count"])))
    columns = ["dataset", "classifier", "tau", "metric", *COLUMNS, "verdict"]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows)
    settings_all = [c for c in frame.columns if c not in columns]
    return frame[["dataset", "classifier", *settings_all, *columns[2:]]]


def _row(ident: dict, cell, settings: list[str], metric: str, n: int) -> dict:
    low, high = band(metric, float(cell["paper_mean"]), float(cell["paper_std"]))
    mean, std = float(cell["ours_mean"]), float(cell["ours_std"])
    return {
        **ident,
        **{k: cell[k] for k in settings},
        "tau": float(cell["tau"]),
        "metric": metric,
        "n_seeds": n,
        "ours_mean": mean,
        "ours_std": std,
        "paper_mean": float(cell["paper_mean"]),
        "paper_std": float(cell["paper_std"]),
        "low": low,
        "high": high,
        "verdict": verdict(mean, std, n, low, high),
    }


def _matching(agg: pd.DataFrame, values: dict) -> pd.Series:
    """The aggregate's row with these key values (tau compared as a float)."""
    mask = np.ones(len(agg), dtype=bool)
    for key, value in values.items():
        if key == "tau":
            mask &= np.isclose(agg[key].astype(float), float(value))
        else:
            mask &= (agg[key] == value).to_numpy()
    return agg[mask].iloc[0]


def _by_setting(agg: pd.DataFrame, settings: list[str]):
    if not settings:
        yield {}, agg
        return
    for key, part in agg.groupby(settings, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        yield dict(zip(settings, key, strict=True)), part


def check_table(frame: pd.DataFrame) -> pd.DataFrame:
    """`paper_check` as display strings: ours and the paper's cell, the band, the verdict."""
    shown = frame.drop(columns=[*COLUMNS, "metric", "tau", "verdict"]).astype(str)
    shown["τ"] = frame["tau"].map(lambda t: "—" if math.isnan(t) else f"{t:.2f}")
    shown["metric"] = frame["metric"].map(METRIC_NAMES)
    shown["seeds"] = frame["n_seeds"].astype(str)
    shown["ours"] = [_mean_std(m, s) for m, s in zip(frame["ours_mean"], frame["ours_std"],
                                                     strict=True)]  # fmt: skip
    shown["paper"] = [_mean_std(m, s) for m, s in zip(frame["paper_mean"], frame["paper_std"],
                                                      strict=True)]  # fmt: skip
    shown["agrees within"] = [f"[{lo:.2f}, {hi:.2f}]" for lo, hi in zip(frame["low"],
                                                                        frame["high"],
                                                                        strict=True)]  # fmt: skip
    shown["verdict"] = frame["verdict"]
    return shown


def _mean_std(mean: float, std: float) -> str:
    if math.isnan(mean):
        return "n/a"
    return f"{mean:.2f}" if math.isnan(std) else f"{mean:.2f} ± {std:.2f}"


# The settings that decide the paper's numbers; evaluation-only ones (taus, val_limit, ...) and
# the seeds are not among them.
PAPER_SETTINGS = (
    "classifier", "clf_epochs", "clf_lr", "clf_batch_size", "mc_samples", "dropout",
    "tau_star", "confident_pool", "generator", "dim", "z_dim", "lambda_gp", "lambda_loss",
    "use_critic", "n_critic", "lr_g", "lr_d", "beta1", "beta2", "batch_size", "iterations",
)  # fmt: skip


def departures(trials: pd.DataFrame) -> str:
    """One line naming each setting of the study's trials that is not the paper's, so a table of
    ours beside the paper's says what it compares (a 5-epoch C is not the paper's classifier)."""
    paper = TrialConfig.from_preset("paper", dataset="mnist").result_fields()
    parts = []
    for name in PAPER_SETTINGS:
        if name not in trials:
            continue
        ours = sorted({_setting(v) for v in trials[name]}, key=str)
        if ours != [paper[name]]:
            shown = "/".join(setting_text(v, name) for v in ours)
            parts.append(f"{name} {shown} (paper: {setting_text(paper[name], name)})")
    if not parts:
        return "Every setting that decides the paper's numbers is the paper's."
    return "Settings not the paper's: " + "; ".join(parts) + "."


def _setting(value):
    """A trials.parquet value as the config holds it: NaN (a missing limit) is None."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if isinstance(value, np.generic) else value


def counts_line(frame: pd.DataFrame) -> str:
    """One line: how many cells agree, overlap, lie outside."""
    counts = frame["verdict"].value_counts()
    parts = [f"{counts.get(v, 0)} {v}" for v in ("agrees", "overlaps", "outside")]
    return f"{len(frame)} cells of the paper's tables: " + ", ".join(parts)
