"""A study's results as Python objects: `gwin.open_study(path)` gives a `Study`.

Everything here is a thin view over what `gwin tables` and the report already compute, so a
notebook and the command line can never disagree: the trials come from the study's index (its
`trials` rows: listing a thousand trials reads no predictions), the mean ± std tables from
`gwin.report.tables.sweep_blocks`, the curves from `gwin.report.curves.curves_table`, and the
trained models through `gwin.model.load_model_folder`, as `gwin.load` loads them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from gwin.errors import GwinError
from gwin.method.rejection import REPORT_TAU
from gwin.metrics.labels import LABELS
from gwin.report.curves import curves_table
from gwin.report.stats import (
    TABLE_KEYS,
    aggregate,
    at_tau,
    config_columns,
    swept_columns,
    trial_sweeps,
)
from gwin.report.tables import Block, sweep_blocks, variance_blocks
from gwin.store.reader import Results, load_results
from gwin.store.schema import MODEL_DIR

SPLITS = ("val", "test")
# The paper's Rejected Acc. Δ (BNN+GWIN − BNN), ours (GWIN − Identity) and C's accuracy, at
# tau = 0.8 on both splits: the numbers every trials row already carries, so listing trials
# never opens a trial folder.
HEADLINE = [
    f"{split}_{name}"
    for split in SPLITS
    for name in ("rejected_acc_delta", "gain_over_identity", "bnn_acc")
]
# Short names for the cost columns a reader of `trials` looks at first.
RENAMED = {"seconds_total": "seconds", "worker_threads": "threads"}
# A change in the number of errors: fewer is better. Every other sweep metric is best largest.
LOWER_IS_BETTER = {"error_delta_pct"}
SHOWN_IDS = 5  # how many valid trial ids an unknown-id error names


class Best(NamedTuple):
    """The setting `Study.best` chose: its aggregate row (setting, mean/std/count over seeds)
    and the ids of the trials (seeds) it averages."""

    row: pd.Series
    trial_ids: list[str]


def _by(by: str | Sequence[str] | None) -> list[str] | None:
    """`by` as sweep_blocks takes it; the per-block keys are refused as `gwin tables` does."""
    if by is None:
        return None
    columns = [by] if isinstance(by, str) else list(by)
    columns = [c for c in columns if c != "none"]  # `--by none` pools, as on the command line
    if set(columns) & set(TABLE_KEYS):
        raise GwinError(f"{TABLE_KEYS} always get a table each; drop them from by=")
    return columns


def _rows(blocks: list[Block], tau: float | None) -> pd.DataFrame:
    """The blocks' aggregates as one frame; `tau`: that threshold's rows only."""
    table = pd.concat([b.agg for b in blocks], ignore_index=True)
    return table if tau is None else at_tau(table, tau).reset_index(drop=True)


def _split(split: str) -> str:
    if split not in SPLITS:
        raise GwinError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    return split


class Study:
    """The trials of a study (or of one trial's --out folder) and the tables built from them.

    Open one with `gwin.open_study(path)`; only the trials table is read until a method asks
    for more (per-trial tables are read per call, only the columns and rows needed)."""

    def __init__(self, results: Results):
        self.results = results  # the underlying reader, for anything not wrapped here
        self.path: str = results.source

    @property
    def trials(self) -> pd.DataFrame:
        """One row per trial, ok and failed: id, status, config, cost, where it ran, and the
        headline metrics at tau = 0.8 (val and test), from the trials rows alone."""
        every = pd.concat([self.results.trials, self.results.failed], ignore_index=True)
        config = [c for c in config_columns(every) if c != "study"]
        # rows written before a column existed lack it: shown as missing, not an error
        columns = [
            "trial_id",
            "status",
            *config,
            "seconds_total",
            "worker_threads",
            "device",
            *HEADLINE,
            "error",
        ]
        return every.reindex(columns=columns).rename(columns=RENAMED)

    @property
    def labels(self) -> dict[str, str]:
        """Metric column -> the header `gwin tables` and the report give it
        (gwin.metrics.labels), e.g. "gain_over_identity" -> "GWIN − Identity"."""
        return dict(LABELS)

    def summary(
        self,
        by: str | Sequence[str] | None = None,
        tau: float | None = None,
        split: str = "test",
        ci: bool | str = False,
        corruption: str = "none",
    ) -> pd.DataFrame:
        """The mean ± std table as numbers: one row per dataset, classifier, setting and tau,
        with `n_trials` and `{metric}_mean`, `_std`, `_count` per metric; exactly the rows of
        `gwin tables --format csv` (`by` as its --by, default the swept columns; `ci` as --ci:
        True or "t" the t-interval and paired t-test over seeds, "bootstrap" the bootstrap
        interval over test inputs, which reads the predictions). `tau`: that threshold's rows
        only."""
        blocks = sweep_blocks(self.results, _by(by), _split(split), corruption, inference=ci)
        return _rows(blocks, tau)

    def variance(
        self,
        tau: float | None = None,
        by: str | Sequence[str] | None = None,
        split: str = "test",
        corruption: str = "none",
    ) -> pd.DataFrame:
        """Where the variance over seeds comes from (gwin.metrics.variance), per dataset,
        classifier, setting and tau, for both headline metrics: `n_seeds`, `{metric}_mean`, the
        sd in points of each component (`{metric}_sd_seeds`, `_sd_test`, `_sd_mc`,
        `_sd_training`, and `_sd_mean` of the mean over seeds) and the shares of the mean's
        variance (`{metric}_share_test`, `_mc`, `_training`, adding up to 1); exactly the rows
        of `gwin tables --variance --format csv`. Reads each trial's predictions once. `tau`:
        that threshold's rows only."""
        return _rows(variance_blocks(self.results, _by(by), _split(split), corruption, tau), None)

    def curves(self) -> pd.DataFrame:
        """The learning curves: mean / std / count over seeds of the periodic validation
        reports, per dataset, classifier, swept setting and iteration (`gwin tables --curves`)."""
        table = curves_table(self.results)
        if table.empty:
            raise GwinError(f"{self.path} stores no validation history (run with --eval-every)")
        return table

    def best(
        self,
        metric: str = "gain_over_identity",
        split: str = "val",
        tau: float = REPORT_TAU,
        by: str | Sequence[str] | None = None,
        dataset: str | None = None,
    ) -> Best:
        """The setting with the best mean over seeds of `metric` at `tau`, chosen on the
        validation split; report its test numbers with `summary(split="test")`."""
        if split == "test":
            # choosing on test and then reporting test overstates the result
            raise GwinError(
                'best() chooses on validation only: pass split="val" (test is for reporting '
                "the chosen setting, e.g. summary(split='test'))"
            )
        per_trial = trial_sweeps(self.results, _split(split), "none", taus=[tau])
        per_trial = self._one_dataset(per_trial, dataset)
        columns = _by(by)
        group = [*TABLE_KEYS, *(swept_columns(self.results.trials) if columns is None else columns)]
        agg = aggregate(per_trial, [*group, "tau"])
        # the same groups in the same order as aggregate's (same keys, dropna, sort)
        members = [
            sorted(part["trial_id"])
            for _, part in per_trial.groupby([*group, "tau"], dropna=False, sort=True)
        ]
        score = f"{metric}_mean"
        if score not in agg.columns:
            options = ", ".join(c.removesuffix("_mean") for c in agg.columns if c.endswith("_mean"))
            raise GwinError(f"unknown metric {metric!r}; choose one of {options}")
        values = agg[score].to_numpy(dtype=float)
        if np.isnan(values).all():
            raise GwinError(
                f"{metric} is undefined for every setting at tau={tau:g} on {split} (e.g. "
                "nothing rejected); choose another tau or metric"
            )
        pick = int(np.nanargmin(values) if metric in LOWER_IS_BETTER else np.nanargmax(values))
        return Best(agg.iloc[pick], members[pick])

    def _one_dataset(self, per_trial: pd.DataFrame, dataset: str | None) -> pd.DataFrame:
        """One dataset's trials: a setting is never chosen by comparing across datasets."""
        have = sorted(per_trial["dataset"].astype(str).unique())
        if dataset is None:
            if len(have) > 1:
                raise GwinError(
                    f"{self.path} has {len(have)} datasets ({', '.join(have)}); pass dataset= "
                    "to choose a setting for one"
                )
            return per_trial
        if dataset not in have:
            raise GwinError(f"no ok trial on dataset {dataset!r}; choose one of {', '.join(have)}")
        return per_trial[per_trial["dataset"].astype(str) == dataset]

    def load(self, trial_id: str, device: str = "cpu"):
        """The trained GWIN of an ok trial (a gwin.model.GWIN), as `gwin.load` gives it."""
        from gwin.model import load_model_folder  # torch: only when a model is asked for

        ok = list(self.results.trials["trial_id"])
        if trial_id not in ok:
            failed = set(self.results.failed["trial_id"])
            what = (
                f"trial {trial_id!r} of {self.path} failed (see trials['error']): it has no model"
                if trial_id in failed
                else f"{self.path} has no trial {trial_id!r}"
            )
            shown = ", ".join(ok[:SHOWN_IDS]) + (", ..." if len(ok) > SHOWN_IDS else "")
            raise GwinError(f"{what}; pass an ok trial id (Study.trials), e.g. {shown}")
        return load_model_folder(self.results.where.trial(trial_id).child(MODEL_DIR), device)

    def __repr__(self) -> str:
        ok, failed = self.results.trials, self.results.failed
        datasets = ", ".join(sorted(ok["dataset"].astype(str).unique()))
        classifiers = ", ".join(sorted(ok["classifier"].astype(str).unique()))
        swept = ", ".join(swept_columns(ok)) or "none"
        seeds = ", ".join(str(s) for s in sorted(ok["seed"].unique()))
        return (
            f"Study({self.path!r}): {len(ok) + len(failed)} trials ({len(ok)} ok, "
            f"{len(failed)} failed); datasets: {datasets}; classifiers: {classifiers}; "
            f"swept: {swept}; seeds: {seeds}"
        )


def open_study(path: str | os.PathLike) -> Study:
    """A study folder (STORAGE/NAME), its results/ folder or a trial's --out folder, as a
    local path or a URI (s3://bucket/NAME); reads its trials table only."""
    return Study(load_results(path))


__all__ = ["Best", "Study", "open_study"]
