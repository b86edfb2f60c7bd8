"""`python -m gwin trial ...`: run one GWIN trial and write its Parquet results.

Every `TrialConfig` field is a flag (`--lambda-loss 10`, `--tau-star 0.95`, `--taus 0.5 0.8`);
flags override the chosen preset. Bad input exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gwin.config import add_config_flags, config_from_args
from gwin.errors import EXIT_USAGE, GwinError, OneLineParser, command
from gwin.store.location import Folder, check_writable
from gwin.store.trial_outputs import is_complete, write_trial


def trial_main(argv: list[str]) -> int:
    parser = OneLineParser(
        prog="python -m gwin trial",
        description="Train C, build P_c, train the WGWIN-GP and evaluate it over tau.",
    )
    add_config_flags(parser)
    parser.add_argument(
        "--out", help="output folder, a local path or a URI (default: runs/<trial id>)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace results in --out")
    args = parser.parse_args(argv)
    cfg = config_from_args(args)
    default = Path("runs") / f"{cfg.dataset}-{cfg.preset}-seed{cfg.seed}-{cfg.trial_key()}"
    out = Folder.at(args.out or default)
    if is_complete(out) and not args.overwrite:
        raise GwinError(
            f"{out.location} already holds results; pass --overwrite or choose another --out"
        )
    if out.fs.get_file_info(out.root).is_file:
        raise GwinError(f"--out {out.location} is a file; pass a folder path")
    check_writable(out, "--out")

    from gwin.rejection import REPORT_TAU
    from gwin.report.sweep_table import format_sweep
    from gwin.trial import run_trial

    snapshots = []

    def on_snapshot(snapshot) -> None:  # each one a trial folder of its own, written at once
        folder = out.child("snapshots", f"iterations-{snapshot.record['iterations']}")
        write_trial(folder, snapshot)
        snapshots.append(folder.location)

    result = run_trial(cfg, on_snapshot=on_snapshot)
    write_trial(out, result)
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
    print(f"\nresults: {out.display('trials.parquet')}, {out.display('predictions.parquet')}")
    for folder in snapshots:
        print(f"snapshot: {folder} (the same trial at fewer iterations)")
    return 0


def classifier_main(argv: list[str]) -> int:
    parser = OneLineParser(
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


COMMANDS = {"trial": trial_main, "classifier": classifier_main}


@command()
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print(
            "usage: python -m gwin trial|classifier [options]   (python -m gwin trial --help)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return COMMANDS[argv[0]](argv[1:])
