"""The `gwin` command: subcommands listed, closed sets as choices, the preset's defaults shown,
and one-line errors."""

import subprocess
import sys
from dataclasses import fields

import pytest

from gwin.config import TrialConfig
from gwin.config_flags import CHOICES, GROUPS, preset_in
from gwin.console import SUBCOMMANDS, main
from gwin.corruptions import corruption_names
from gwin.studies import STUDIES


def test_help_lists_every_subcommand(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    names = ("trial", "classifier", "study", "sweep", "tables", "plots", "budget", "gains",
             "paper-check", "report", "apply", "upgrade")  # fmt: skip
    for name in names:
        assert f"\n  {name} " in out
    assert set(SUBCOMMANDS) == set(names)


def test_unknown_subcommand_and_study_are_one_line_and_exit_2(capsys):
    assert main(["frob"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [err[0]] and "unknown subcommand 'frob'" in err[0] and "trial" in err[0]
    assert main(["study", "frob"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown study 'frob'" in err[0] and "budget_curve" in err[0]


def test_version_names_the_package_and_its_distribution(capsys):
    from gwin import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"gwin {__version__} (distribution gwin-studies)\n"


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        (["tabels"], "did you mean 'tables'?"),
        (["papercheck"], "did you mean 'paper-check'?"),
        (["study", "budget_curv"], "did you mean 'budget_curve'?"),
        (["trial", "--lamda-loss", "1"], "did you mean --lambda-loss?"),
        (["tables", "STUDY", "--per-trail"], "did you mean --per-trial?"),
    ],
)
def test_a_typo_gets_one_line_with_the_nearest_name(capsys, argv, suggestion):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and suggestion in err[0], err


def test_study_help_lists_every_study_with_its_first_line(capsys):
    assert main(["study", "--help"]) == 0
    out = capsys.readouterr().out
    for name in STUDIES:
        assert f"\n  {name} " in out
    assert "Ablation of lambda_Loss" in out


def test_every_config_field_has_one_group_and_a_sentence():
    grouped = [name for group in GROUPS.values() for name in group]
    assert sorted(grouped) == sorted(f.name for f in fields(TrialConfig))
    assert len(grouped) == len(set(grouped))
    assert all(len(sentence) > 10 for group in GROUPS.values() for sentence in group.values())


def _help(*argv) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "gwin", *argv, "--help"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return " ".join(run.stdout.split())  # argparse wraps lines: compare on single spaces


def test_trial_help_shows_the_chosen_presets_defaults_and_every_choice():
    smoke, cpu, paper = (
        _help("trial"),
        _help("trial", "--preset", "cpu"),
        _help("trial", "--preset", "paper"),
    )
    assert "generator iterations (default: 600; paper: 200000)" in smoke
    assert "generator iterations (default: 6000; paper: 200000)" in cpu
    assert "generator iterations (default: 200000)" in paper
    assert "paper default" not in smoke  # the old help showed the paper's values as defaults
    for name in (*CHOICES["dataset"], *CHOICES["classifier"], *corruption_names()):
        assert name in smoke
    assert "{dcgan,residual}" in smoke


def test_study_help_shows_the_studys_own_defaults():
    text = _help("study", "budget_curve")
    assert "generator iterations (default: 8000; paper: 200000)" in text
    assert "--variants" in text and "--seed-list" in text


@pytest.mark.parametrize(
    "argv, preset",
    [([], "smoke"), (["--preset", "cpu"], "cpu"), (["--preset=paper", "-h"], "paper")],
)
def test_preset_in(argv, preset):
    assert preset_in(argv) == preset


def test_the_installed_gwin_command_runs():
    """The console script pip installs (pyproject [project.scripts]) beside this Python."""
    from pathlib import Path

    script = Path(sys.executable).parent / "gwin"
    assert script.exists(), "pip install -e . installs the gwin command"
    run = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "subcommands:" in run.stdout


def test_every_install_hint_names_our_distribution_not_the_unrelated_gwin():
    """`pip install gwin` installs a gravitational-wave package: hints say gwin-studies."""
    import re
    from pathlib import Path

    from gwin.console import DISTRIBUTION
    from gwin.tune.trackers import INSTALL

    root = Path(__file__).resolve().parents[1]
    pyproject = (root / "pyproject.toml").read_text()
    assert re.search(r'^name = "([^"]+)"', pyproject, re.M)[1] == DISTRIBUTION
    assert INSTALL == f"pip install '{DISTRIBUTION}[tracking]'"
    sources = [*root.glob("gwin/**/*.py"), *root.glob("cluster/*.yaml"), *root.glob("docs/*.md"),
               root / "README.md"]  # fmt: skip
    for path in sources:
        text = path.read_text()
        for name in re.findall(r"pip install (?:-\S+ )*['\"]?(gwin[^\s'\"@]*)", text):
            assert name.startswith(DISTRIBUTION), (path, name)


def test_the_studies_are_found_from_their_modules_each_with_its_script():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    modules = {p.stem for p in (root / "gwin" / "studies").glob("*.py")} - {"__init__"}
    assert set(STUDIES) == modules and list(STUDIES) == sorted(STUDIES)
    assert {p.stem for p in (root / "studies").glob("*.py")} == modules  # python studies/X.py


def test_each_flag_shows_its_default_once(capsys):
    with pytest.raises(SystemExit):
        main(["trial", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    flags = text.split(" --")
    assert not [f for f in flags if f.count("(default") > 1]  # "(default: all) (default: none)"
    assert (
        "--confident-pool CONFIDENT_POOL build P_c from the first N training inputs, "
        "or all of them (default: all)" in text
    )
