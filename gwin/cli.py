"""`gwin trial` and `gwin classifier`: run one GWIN trial (or its classifier alone) and write
its Parquet results.

Every `TrialConfig` field is a flag (`--lambda-loss 10`, `--tau-star 0.95`, `--taus 0.5 0.8`);
flags override the chosen preset. Bad input exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gwin.config import TrialConfig, config_from_args
from gwin.config_file import add_config_file_flags, config_yaml, effective_config, parse_with_config
from gwin.config_flags import add_config_flags, preset_in
from gwin.device import check_device_here
from gwin.errors import GwinError, OneLineParser, TrialDiverged
from gwin.store.location import Folder, check_writable
from gwin.store.out_lock import one_writer, refuse_if_running
from gwin.store.trial_outputs import is_complete, write_trial
from gwin.trial_folder import Checkpoint, already_finished, start_from

if TYPE_CHECKING:  # torch-importing modules, loaded only once a trial runs
    from gwin.method.train_callbacks import Metrics


def _parse(parser: OneLineParser, argv: list[str], command: str) -> Namespace | None:
    """Flags over a --config file; None after --print-config printed the settings."""
    add_config_file_flags(parser)
    args = parse_with_config(parser, argv, command)
    if args.print_config:
        sys.stdout.write(config_yaml(effective_config(parser, args, command)))
        return None
    return args


def trial_main(argv: list[str]) -> int:
    parser = OneLineParser(
        prog="gwin trial",
        description="Train C, build P_c, train the WGWIN-GP and evaluate it over tau.",
    )
    add_config_flags(parser, preset=preset_in(argv))
    parser.add_argument(
        "--out", help="output folder, a local path or a URI (default: runs/<trial id>)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace results in --out")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue from the checkpoint in --out (OUT/checkpoint, written every "
        "--checkpoint-every iterations); a finished trial is left as it is",
    )
    args = _parse(parser, argv, "trial")
    if args is None:
        return 0
    if args.resume and args.overwrite:
        raise GwinError("--resume and --overwrite contradict each other; pass one of them")
    cfg = config_from_args(args)
    default = Path("runs") / f"{cfg.dataset}-{cfg.preset}-seed{cfg.seed}-{cfg.trial_key()}"
    out = Folder.at(args.out or default)
    # first: a running trial's folder is neither "holds results" nor "holds a checkpoint"
    refuse_if_running(out)
    check_device_here(cfg.device)  # a device this machine lacks: one line before any work
    checkpoint = Checkpoint(out, cfg.trial_key())
    if is_complete(out) and args.resume:
        return already_finished(out, checkpoint)
    if is_complete(out) and not args.overwrite:
        raise GwinError(
            f"{out.location} already holds results; pass --overwrite or choose another --out"
        )
    if out.fs.get_file_info(out.root).is_file:
        raise GwinError(f"--out {out.location} is a file; pass a folder path")
    check_writable(out, "--out")
    with one_writer(out):  # until the trial ends: a second run into --out is refused
        return _run(cfg, out, checkpoint, start_from(checkpoint, args.resume, args.overwrite))


def _run(
    cfg: TrialConfig, out: Folder, checkpoint: Checkpoint, resume_state: dict[str, Any] | None
) -> int:
    """Train and evaluate the trial, write its results to `out` and print its summary."""
    from gwin.method.rejection import REPORT_TAU
    from gwin.report.sweep_table import format_sweep
    from gwin.trial import run_trial

    snapshots = []

    def on_snapshot(snapshot) -> None:  # each one a trial folder of its own, written at once
        folder = out.child("snapshots", f"iterations-{snapshot.record['iterations']}")
        write_trial(folder, snapshot)
        snapshots.append(folder.location)

    def on_progress(metrics: Metrics, state: dict[str, Any] | None) -> None:
        if state is not None:
            checkpoint.save(state)

    try:
        result = run_trial(
            cfg, resume_state=resume_state, on_progress=on_progress, on_snapshot=on_snapshot
        )
    except TrialDiverged:
        checkpoint.clear()  # over for good, as in a study: a resume would diverge again
        raise
    write_trial(out, result)
    checkpoint.clear()  # a finished trial keeps none: its tables are written
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
    print(
        f"\nresults: {out.location_of('trials.parquet')}, {out.location_of('predictions.parquet')}"
    )
    for folder in snapshots:
        print(f"snapshot: {folder} (the same trial at fewer iterations)")
    return 0


def classifier_main(argv: list[str]) -> int:
    parser = OneLineParser(
        prog="gwin classifier",
        description="Train (or load from the cache) the classifier C and its P_c exactly as a "
        "trial does, and print the paper's classifier-only figures beside ours: test accuracy, "
        "|P_c| and, per tau, % rejected and C's accuracy on the rejected inputs.",
    )
    add_config_flags(parser, preset=preset_in(argv))
    args = _parse(parser, argv, "classifier")
    if args is None:
        return 0
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
