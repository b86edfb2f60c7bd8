"""TrialConfig as command-line flags: one flag per field, in groups, each with a sentence, its
choices where the set is closed, and the default the chosen preset gives it.

Config knows no CLI: this module reads `TrialConfig`'s fields and types and the presets, and
`gwin.config.config_from` turns the parsed flags back into a TrialConfig.
"""

from __future__ import annotations

import argparse
import types
import typing
from dataclasses import MISSING, fields
from typing import Any

from gwin.config import ALL, NONE_MEANS_ALL, TrialConfig, setting_text
from gwin.names import CLASSIFIERS, CORRUPTIONS, DATASETS, GENERATORS
from gwin.presets import PRESET_VALUES, PRESETS

DEFAULT_PRESET = "smoke"

# group title -> {field: one sentence}; every TrialConfig field is in exactly one group
GROUPS: dict[str, dict[str, str]] = {
    "what is studied": {
        "dataset": "digits (offline, bundled), mnist or fashion_mnist",
        "classifier": "lenet5 (the paper's Bayesian LeNet-5), bcnn (a stronger Bayesian CNN), "
        "lenet5_dropout (dropout at test time, no weight decay), lenet5_ensemble (a deep "
        "ensemble) or lenet5_softmax (one softmax net, T = 1)",
        "preset": "settings bundle every other default comes from: smoke (tests, quick "
        "start), cpu (a Fashion-MNIST trial in minutes on 2 cores) or paper (GPUs)",
        "seed": "trial seed: the classifier's (unless --classifier-seed) and the GWIN's",
        "classifier_seed": "train the classifier with this seed instead of --seed, so that "
        "GWIN seeds can share one classifier",
        "limit_train": "use only the first N training inputs (quick experiments only), or all",
    },
    "classifier C": {
        "clf_epochs": "training epochs of C",
        "clf_lr": "Adam learning rate of C",
        "clf_batch_size": "batch size of C's training",
        "mc_samples": "Monte Carlo draws T per input for C's score, label and certainty",
        "dropout": "dropout rate of lenet5_dropout, on at training and test time",
        "ensemble_size": "members K of lenet5_ensemble (its draws are the members)",
    },
    "confident set P_c": {
        "tau_star": "certainty threshold of the confident set P_c the critic sees",
        "confident_pool": "build P_c from the first N training inputs, or all of them",
    },
    "WGWIN-GP (Algorithm 1)": {
        "generator": "dcgan (the paper's) or residual (G = sigmoid(logit(x) + h(x, z)))",
        "dim": "width DIM of the generator and critic",
        "z_dim": "size of the noise z",
        "lambda_gp": "weight lambda_GP of the gradient penalty",
        "lambda_loss": "weight lambda_Loss of the transformation penalty CE(C(G(x, z)), y)",
        "use_critic": "train with the critic (--no-use-critic: lambda_Loss * CE alone)",
        "n_critic": "critic steps per generator step",
        "lr_g": "Adam learning rate of the generator",
        "lr_d": "Adam learning rate of the critic",
        "beta1": "Adam beta1 of both nets",
        "beta2": "Adam beta2 of both nets",
        "batch_size": "batch size of the critic and generator steps",
        "iterations": "generator iterations",
    },
    "evaluation and outputs": {
        "taus": "rejection thresholds tau of the sweep",
        "eval_every": "validation report every K generator iterations (0: only at the end)",
        "eval_size": "validation inputs in each periodic report",
        "val_limit": "final predictions on the first N validation inputs, or all",
        "checkpoint_every": "checkpoint every K generator iterations",
        "corruptions": "corrupted test sets to evaluate (MNIST-C style), of: "
        + ", ".join(CORRUPTIONS),
        "n_examples": "transformed test images kept for the figures",
        "snapshots": "also evaluate and record the run at these iterations, each as the trial "
        "with iterations = k",
    },
    "where it runs (not part of the trial's identity)": {
        "device": "auto, cpu, cuda or cuda:N",
        "data_dir": "folder with the IDX files (default: GWIN_DATA_DIR, the user cache, "
        "Debian's dataset folder, then a checksum-verified download)",
        "cache_dir": "artifact cache for classifiers and P_c, a folder or URI (default: a "
        "study's STUDY/cache; a single trial's GWIN_CACHE_DIR or ~/.cache)",
        "progress": "progress bars (off when stderr is not a terminal)",
    },
}
CHOICES: dict[str, tuple[str, ...]] = {
    "dataset": DATASETS,
    "classifier": CLASSIFIERS,
    "generator": GENERATORS,
    "corruptions": CORRUPTIONS,
    "preset": PRESETS,
}


def preset_in(argv: list[str] | None, default: str = DEFAULT_PRESET) -> str:
    """The --preset an argument list asks for (so that --help can show its defaults)."""
    argv = list(argv or [])
    for i, arg in enumerate(argv):
        if arg == "--preset" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--preset="):
            return arg.split("=", 1)[1]
    return default


def _flag_type(tp: Any) -> tuple[Any, bool]:
    """(element type, is_sequence) for int/float/str/bool, X | None and tuple[X, ...]."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        (tp,) = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) is tuple:
        return typing.get_args(tp)[0], True
    return tp, False


def whole_or_all(text: str) -> int | str:
    """A limit flag's value: a whole number, or `all` to lift the preset's limit."""
    if text == ALL:
        return ALL
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number or {ALL}") from None


def effective_defaults(preset: str) -> dict[str, Any]:
    """Each field's value under `preset` when no flag sets it."""
    values = {f.name: f.default for f in fields(TrialConfig) if f.default is not MISSING}
    return {**values, **PRESET_VALUES.get(preset, {}), "preset": preset}


def add_config_flags(
    parser: argparse.ArgumentParser,
    skip: tuple[str, ...] = (),
    preset: str = DEFAULT_PRESET,
    overrides: dict[str, Any] | None = None,
    title_prefix: str = "",
) -> None:
    """One flag per TrialConfig field, in GROUPS; defaults are None so that the chosen preset
    fills them in. The help shows the value a field gets under `preset` and `overrides` (a
    study's own defaults), with the paper's value beside it where that differs."""
    hints = typing.get_type_hints(TrialConfig)
    shown = effective_defaults(preset if preset in PRESETS else DEFAULT_PRESET)
    shown.update(overrides or {})
    paper = effective_defaults("paper")
    for title, group_fields in GROUPS.items():
        group = parser.add_argument_group(title_prefix + title)
        for name, sentence in group_fields.items():
            if name in skip:
                continue
            flag = "--" + name.replace("_", "-")
            if name == "preset":
                group.add_argument(
                    flag,
                    choices=PRESETS,
                    default=DEFAULT_PRESET,
                    help=f"{sentence} (default: {DEFAULT_PRESET})",
                )
                continue
            default = f"default: {setting_text(shown[name], name)}"
            if setting_text(shown[name], name) != setting_text(paper[name], name):
                default += f"; paper: {setting_text(paper[name], name)}"
            # a sentence that explains its own default (a look-up order) keeps only that one
            text = sentence if "(default:" in sentence else f"{sentence} ({default})"
            text = text.replace("%", "%%")
            tp, many = _flag_type(hints[name])
            if tp is bool:
                group.add_argument(
                    flag, action=argparse.BooleanOptionalAction, default=None, help=text
                )
                continue
            group.add_argument(
                flag,
                type=whole_or_all if name in NONE_MEANS_ALL else tp,
                nargs="+" if many else None,
                default=None,
                choices=CHOICES.get(name),
                # 13 corruption names: listed once in the help, not twice in the usage line
                metavar="NAME" if name == "corruptions" else None,
                help=text,
            )
