"""`python -m gwin trial ...`: run one GWIN trial and write its Parquet results.

Every `TrialConfig` field is a flag (`--lambda-loss 10`, `--tau-star 0.95`, `--taus 0.5 0.8`);
flags override the chosen preset. Bad input exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import types
import typing
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from gwin.config import PRESETS, TrialConfig
from gwin.errors import GwinError

HELP = {
    "dataset": "digits (offline, bundled), mnist or fashion_mnist",
    "classifier": "lenet5 (the paper's Bayesian LeNet-5) or bcnn (the stronger Bayesian CNN)",
    "seed": "trial seed (classifier and GWIN)",
    "classifier_seed": "train the classifier with this seed instead of --seed",
    "lambda_loss": "weight of the transformation penalty CE(C(G(x,z)), y)",
    "tau_star": "certainty threshold of the confident set P_c",
    "generator": "dcgan (the paper's) or residual (sigmoid(logit(x) + h(x,z)))",
    "data_dir": "folder with the IDX files (default: GWIN_DATA_DIR, cache, then download)",
    "cache_dir": "artifact cache for classifiers and P_c (default: GWIN_CACHE_DIR or ~/.cache)",
    "device": "auto, cpu, cuda or cuda:N",
}


def _base_type(tp: Any) -> tuple[Any, bool]:
    """(element type, is_sequence) for int/float/str/bool, X | None and tuple[X, ...]."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        (tp,) = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) is tuple:
        return typing.get_args(tp)[0], True
    return tp, False


def add_config_flags(parser: argparse.ArgumentParser, skip: tuple[str, ...] = ()) -> None:
    """One flag per TrialConfig field; defaults are None so that presets fill them in."""
    hints = typing.get_type_hints(TrialConfig)
    for f in fields(TrialConfig):
        if f.name in skip:
            continue
        flag = "--" + f.name.replace("_", "-")
        tp, many = _base_type(hints[f.name])
        default = f.default if f.default is not MISSING else None
        help_text = HELP.get(f.name, "") + f" (paper default: {default})"
        if f.name == "preset":
            parser.add_argument(flag, choices=PRESETS, default="smoke", help="settings bundle")
        elif tp is bool:
            parser.add_argument(
                flag, action=argparse.BooleanOptionalAction, default=None, help=help_text
            )
        else:
            parser.add_argument(
                flag, type=tp, nargs="+" if many else None, default=None, help=help_text
            )


def config_from_args(args: argparse.Namespace) -> TrialConfig:
    names = {f.name for f in fields(TrialConfig)}
    values = {k: v for k, v in vars(args).items() if k in names and k != "preset"}
    for key in ("taus", "corruptions"):
        if values.get(key) is not None:
            values[key] = tuple(values[key])
    return TrialConfig.from_preset(args.preset, **values)


def _write_trial(result, out: Path) -> None:
    """Write the trial's three tables into `out` as one unit: all files appear, or none."""
    from gwin.results import write_parquet

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        import pandas as pd

        write_parquet(pd.DataFrame([result.record]), staging / "trials.parquet")
        write_parquet(result.predictions, staging / "predictions.parquet")
        write_parquet(result.examples, staging / "examples.parquet")
        out.mkdir(exist_ok=True)
        for name in ("examples.parquet", "predictions.parquet", "trials.parquet"):
            (staging / name).replace(out / name)  # trials.parquet last: it marks completion
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def trial_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gwin trial",
        description="Train C, build P_c, train the WGWIN-GP and evaluate it over tau.",
    )
    add_config_flags(parser)
    parser.add_argument("--out", type=Path, help="output folder (default: runs/<trial id>)")
    parser.add_argument("--overwrite", action="store_true", help="replace results in --out")
    args = parser.parse_args(argv)
    cfg = config_from_args(args)
    out = args.out or Path("runs") / f"{cfg.dataset}-{cfg.preset}-seed{cfg.seed}-{cfg.trial_key()}"
    if (out / "trials.parquet").exists() and not args.overwrite:
        raise GwinError(f"{out} already holds results; pass --overwrite or choose another --out")
    if out.exists() and not out.is_dir():
        raise GwinError(f"--out {out} is a file; pass a folder path")

    from gwin.tables import format_sweep
    from gwin.trial import REPORT_TAU, run_trial

    result = run_trial(cfg)
    _write_trial(result, out)
    r = result.record
    print(
        f"\n{cfg.dataset} / {cfg.classifier} / preset {cfg.preset} / seed {cfg.seed}: "
        f"BNN test accuracy {r['test_bnn_acc']:.2f}%, |P_c| = {r['n_confident']}, "
        f"{r['seconds_total']:.0f} s"
    )
    print(format_sweep(result.sweep("test")))
    print(
        f"\npaired, test inputs rejected at tau = {REPORT_TAU} (gwin.metrics.paired, exact "
        f"McNemar p):\n  BNN+GWIN fixed {r['test_fixed']} and broke {r['test_broken']} of the "
        f"BNN's verdicts (p = {r['test_mcnemar_p']:.3g});\n  the identity baseline (fresh "
        f"draws of C on x) fixed {r['test_identity_fixed']} and broke "
        f"{r['test_identity_broken']} (p = {r['test_identity_mcnemar_p']:.3g});\n  BNN+GWIN "
        f"against the identity: {r['test_vs_identity_fixed']} vs "
        f"{r['test_vs_identity_broken']} (p = {r['test_vs_identity_mcnemar_p']:.3g}), gain "
        f"{r['test_gain_over_identity']:+.2f} points"
    )
    print(f"\nresults: {out}/trials.parquet, {out}/predictions.parquet")
    return 0


def classifier_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gwin classifier",
        description="Train (or load from the cache) the classifier C and its P_c exactly as a "
        "trial does, and print the paper's classifier-only figures beside ours: test accuracy, "
        "|P_c| and, per tau, % rejected and C's accuracy on the rejected inputs.",
    )
    add_config_flags(parser)
    args = parser.parse_args(argv)
    cfg = config_from_args(args)

    from tabulate import tabulate

    from gwin.fidelity import measure_classifier, versus_paper

    figures = measure_classifier(cfg)
    table = versus_paper(figures, cfg.dataset)
    print(
        f"\n{cfg.dataset} / {cfg.classifier} / preset {cfg.preset} / classifier seed "
        f"{cfg.effective_classifier_seed} ({cfg.clf_epochs} epochs, T = {cfg.mc_samples}, "
        f"tau* = {cfg.tau_star}, P_c pool {cfg.confident_pool or 'all'}; classifier cache "
        f"{'hit' if figures.cache_hit else 'miss'}; {figures.seconds:.0f} s)"
    )
    print(tabulate(table, headers="keys", tablefmt="github", showindex=False, floatfmt=".2f"))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    commands = {"trial": trial_main, "classifier": classifier_main}
    if not argv or argv[0] not in commands:
        print(
            "usage: python -m gwin trial|classifier [options]   (python -m gwin trial --help)",
            file=sys.stderr,
        )
        return 2
    try:
        return commands[argv[0]](argv[1:])
    except GwinError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
